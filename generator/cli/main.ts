/** Every command: parse, dispatch, print in the chosen format, and the exit code. */
import { USAGE, UsageError, isParseArgsError, parseCommand } from './args.js';
import type { Command } from './args.js';
import { EXIT } from './exit.js';
import { createReporter } from './report.js';
import type { Io } from './report.js';

export { EXIT };
export type { Io };

/** The exit code of `lazybird-metrics <argv>`, with `io` as its output streams. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // simulate serves until a signal and takes its own flags (generator/simulate/command.ts).
  if (argv[0] === 'simulate') return (await import('../simulate/command.js')).runSimulate(argv.slice(1), io);
  let command: Command | 'help';
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (command === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  const report = createReporter(command.format, io);
  const finish = (code: number): number => {
    report.end(code);
    return code;
  };

  // Each command loads only what it needs: `init` and `--help` start without the pipeline.
  if (command.command === 'init') {
    const { runInit } = await import('./init.js');
    return finish(runInit(command.catalog, report));
  }
  const { runGenerate, runLive } = await import('./generate.js');
  if (command.live !== undefined) return finish(await runLive(command.catalog, command.live, report, command.timeoutSeconds));
  if (command.watch) {
    const { watchCatalog } = await import('./watch.js');
    const watched = command;
    return watchCatalog(command.catalog, () => finish(runGenerate(watched, report)), io);
  }
  return finish(runGenerate(command, report));
}
