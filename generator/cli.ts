#!/usr/bin/env node
/**
 * The `lazybird-metrics` command (the package's bin, compiled to dist/generator/cli.js); the
 * commands themselves are in cli/. Exit 0 ok, 1 invalid catalogue, stale outputs or findings,
 * 2 usage error, 3 internal error (a bug: please report it).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

export { EXIT, main } from './cli/main.js';
export type { Io } from './cli/main.js';

/** This file run as a program (node, tsx, or the bin's symlink in node_modules/.bin), not imported. */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const withoutExtension = (path: string): string => path.replace(/\.[cm]?[jt]s$/, '');
  try {
    return withoutExtension(realpathSync(script)) === withoutExtension(realpathSync(fileURLToPath(import.meta.url)));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const internal = (error: unknown): void => {
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)} (this is a bug in lazybird-metrics; set LAZYBIRD_DEBUG=1 for details)\n`);
    if (process.env['LAZYBIRD_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = 3;
  };
  const argv = process.argv.slice(2);
  const stop = new AbortController();
  // Only a watch catches SIGINT/SIGTERM, to stop cleanly; any other command ends as signals end it.
  if (argv.includes('--watch')) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const io = { out: (l: string) => process.stdout.write(l + '\n'), err: (l: string) => process.stderr.write(l + '\n'), signal: stop.signal };
  main(argv, io).then((code) => {
    process.exitCode = code;
  }, internal);
}
