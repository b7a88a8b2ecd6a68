#!/usr/bin/env node
/**
 * Arguments, exit codes and printing; nothing else. Exit 0 ok, 1 invalid catalogue or stale
 * outputs, 2 usage error, 3 internal error (a bug: please report it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileCatalog } from './catalog/index.js';
import { formatDiagnostic, hasErrors } from './catalog/diagnostics.js';
import type { Catalog } from './catalog/model.js';
import { emitAll } from './emit/index.js';
import { largest } from './emit/docs.js';
import { findStale, isStale, writeOutputs } from './write.js';

const USAGE = `usage: tsx generator/cli.ts <command> [options]

commands:
  generate   validate the catalogue and write generated/, dashboards/, alerts/
  check      validate, fail on stale outputs, print the series budget (same as generate --check)

options:
  --catalog PATH   catalogue file (default: metrics.yaml)
  --out DIR        folder the outputs are written under (default: .)
  --check          write nothing; exit 1 when an output is stale, missing or extra
  --help           this text`;

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

class UsageError extends Error {}

interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export function main(argv: readonly string[], io: Io): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        catalog: { type: 'string', default: 'metrics.yaml' },
        out: { type: 'string', default: '.' },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (parsed.values.help) {
      io.out(USAGE);
      return EXIT.ok;
    }
    const [command, ...rest] = parsed.positionals;
    if (command === undefined) throw new UsageError('missing command');
    if (command !== 'generate' && command !== 'check') throw new UsageError(`unknown command "${command}"`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    return run(command, parsed.values.catalog, parsed.values.out, parsed.values.check, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}

function run(command: 'generate' | 'check', catalogPath: string, outDir: string, checkOnly: boolean, io: Io): number {
  let text: string;
  try {
    text = readFileSync(catalogPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    io.err(`${catalogPath}:1:1: error: cannot read the catalogue: ${reason} [catalog-unreadable]`);
    return EXIT.invalid;
  }

  const { catalog, diagnostics } = compileCatalog(text, catalogPath);
  for (const diagnostic of diagnostics) io.err(formatDiagnostic(diagnostic));
  if (!catalog || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`${errors} error${errors === 1 ? '' : 's'} in ${catalogPath}; nothing written`);
    return EXIT.invalid;
  }

  const outputs = emitAll(catalog);
  const root = resolve(outDir);
  if (command === 'check' || checkOnly) {
    if (command === 'check') printBudget(catalog, io);
    const report = findStale(root, outputs);
    if (!isStale(report)) {
      io.out(`${outputs.size} outputs up to date`);
      return EXIT.ok;
    }
    if (report.interrupted) io.err('error: an interrupted `npm run generate` left its outputs half swapped; run it again');
    for (const path of report.changed) io.err(`${path}: error: stale: differs from what ${catalogPath} generates [output-stale]`);
    for (const path of report.missing) io.err(`${path}: error: missing: ${catalogPath} generates it [output-missing]`);
    for (const path of report.extra) io.err(`${path}: error: extra: ${catalogPath} no longer generates it [output-extra]`);
    io.err('run `npm run generate` and commit the result');
    return EXIT.invalid;
  }

  const result = writeOutputs(root, outputs);
  io.out(`${outputs.size} outputs from ${catalogPath}: ${result.written.length} written, ${result.removed.length} removed, ${outputs.size - result.written.length} unchanged`);
  return EXIT.ok;
}

function printBudget(catalog: Catalog, io: Io): void {
  io.out(`${catalog.metrics.length} metrics, ${catalog.totalSeries} series of a budget of ${catalog.budget.totalSeries}; largest:`);
  for (const metric of largest(catalog, 5)) io.out(`  ${metric.name}  ${metric.series} (limit ${metric.seriesLimit})`);
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]).replace(/\.[cm]?[jt]s$/, '') === resolve(import.meta.dirname, 'cli');
if (invokedDirectly) {
  try {
    process.exitCode = main(process.argv.slice(2), { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') });
  } catch (error) {
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)} (this is a bug in lazybird-metrics; set LAZYBIRD_DEBUG=1 for details)\n`);
    if (process.env['LAZYBIRD_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = EXIT.internal;
  }
}
