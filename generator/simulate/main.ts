/** `npm run simulate -- [options]`: the simulate command on its own, with the process's streams. */
import { runSimulate } from './command.js';

runSimulate(process.argv.slice(2), { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code;
    // Nothing should be left, but a forgotten handle must not keep a stopped simulator alive.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)} (this is a bug in lazybird-metrics)\n`);
    process.exit(3);
  },
);
