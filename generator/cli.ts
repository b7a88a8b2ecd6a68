#!/usr/bin/env node
/**
 * Arguments, exit codes and printing; nothing else. Exit 0 ok, 1 invalid catalogue or stale
 * outputs, 2 usage error, 3 internal error (a bug: please report it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileCatalog } from './catalog/index.js';
import type { CompileResult } from './catalog/index.js';
import { breakingChanges } from './checks/compat.js';
import { readPrevious } from './previous.js';
import { formatDiagnostic, hasErrors } from './catalog/diagnostics.js';
import type { Catalog } from './catalog/model.js';
import { emitAll } from './emit/index.js';
import { largest } from './emit/docs.js';
import { checkExposition, formatFinding, scrape } from './live/index.js';
import { findStale, isStale, writeOutputs } from './write.js';

const USAGE = `usage: tsx generator/cli.ts <command> [options]

commands:
  generate   validate the catalogue and write generated/, dashboards/, alerts/
  check      validate, fail on stale outputs, print the series budget (same as generate --check)

options:
  --catalog PATH   catalogue file (default: metrics.yaml)
  --out DIR        folder the outputs are written under (default: .)
  --check          write nothing; exit 1 when an output is stale, missing or extra
  --against REF    with check or --check: also fail on breaking changes against an earlier catalogue,
                   a file or a git revision (check compares with HEAD by default; --against none skips)
  --live URL       with check: scrape a running exporter (e.g. http://127.0.0.1:9464/metrics) and
                   report what differs from the catalogue instead of checking the outputs
  --help           this text`;

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

class UsageError extends Error {}

interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

interface Command {
  readonly command: 'generate' | 'check';
  readonly catalog: string;
  readonly out: string;
  readonly check: boolean;
  /** URL of a running exporter's /metrics, for `check --live`. */
  readonly live: string | undefined;
  /** Earlier catalogue for the breaking-change check: a file, a git revision or 'none'. */
  readonly against: string | undefined;
}

/** The parsed command, or the exit code when there is nothing to run (help, usage error). */
function parseCommand(argv: readonly string[], io: Io): Command | number {
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        catalog: { type: 'string', default: 'metrics.yaml' },
        out: { type: 'string' },
        check: { type: 'boolean', default: false },
        live: { type: 'string' },
        against: { type: 'string' },
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
    const live = parsed.values.live;
    if (live !== undefined) {
      if (command !== 'check') throw new UsageError('--live goes with the check command');
      if (live === '') throw new UsageError('--live needs the URL of a running exporter');
      if (parsed.values.out !== undefined || parsed.values.check) throw new UsageError('--live checks a running exporter, not outputs: drop --out and --check');
    }
    const against = parsed.values.against;
    if (against !== undefined && command !== 'check' && !parsed.values.check) throw new UsageError('--against goes with check or --check');
    if (against === '') throw new UsageError('--against needs a file or a git revision');
    return { command, catalog: parsed.values.catalog, out: parsed.values.out ?? '.', check: parsed.values.check, live, against };
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`error: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** Every command: what `tsx generator/cli.ts` runs, with the process's output streams as `io`. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommand(argv, io);
  if (typeof parsed === 'number') return parsed;
  if (parsed.live !== undefined) return runLive(parsed.catalog, parsed.live, io);
  return run(parsed, io);
}

/** The compiled catalogue, or EXIT.invalid once every diagnostic is printed. */
function compile(catalogPath: string, io: Io, outcome: string): CompileResult | number {
  let text: string;
  try {
    text = readFileSync(catalogPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    io.err(`${catalogPath}:1:1: error: cannot read the catalogue: ${reason} [catalog-unreadable]`);
    return EXIT.invalid;
  }

  const { catalog, diagnostics, source } = compileCatalog(text, catalogPath);
  for (const diagnostic of diagnostics) io.err(formatDiagnostic(diagnostic));
  if (!catalog || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`${errors} error${errors === 1 ? '' : 's'} in ${catalogPath}; ${outcome}`);
    return EXIT.invalid;
  }
  return { catalog, diagnostics, source };
}

function run({ command, catalog: catalogPath, out: outDir, check: checkOnly, against }: Command, io: Io): number {
  const compiled = compile(catalogPath, io, 'nothing written');
  if (typeof compiled === 'number') return compiled;
  const catalog = compiled.catalog as Catalog;

  const outputs = emitAll(catalog);
  const root = resolve(outDir);
  if (command === 'check' || checkOnly) {
    if (command === 'check') printBudget(catalog, io);
    const compatible = checkCompatibility(compiled, catalogPath, against ?? (command === 'check' ? 'HEAD' : 'none'), io);
    if (compatible === EXIT.usage) return EXIT.usage;
    const report = findStale(root, outputs);
    if (!isStale(report)) {
      io.out(`${outputs.size} outputs up to date`);
      return compatible;
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

/** Scrape `url` and print one line per difference from the catalogue. Exit 1 on any. */
async function runLive(catalogPath: string, url: string, io: Io): Promise<number> {
  const compiled = compile(catalogPath, io, 'nothing checked');
  if (typeof compiled === 'number') return compiled;
  const catalog = compiled.catalog as Catalog;
  const scraped = await scrape(url);
  if (!scraped.ok) {
    io.err(`${url}: error: cannot scrape: ${scraped.reason} [live-unreachable]`);
    return EXIT.invalid;
  }
  const report = checkExposition(catalog, scraped.text);
  for (const finding of report.findings) io.err(formatFinding(url, finding));
  if (report.findings.length > 0) {
    const count = report.findings.length;
    io.err(`${count} finding${count === 1 ? '' : 's'}: ${url} differs from ${catalogPath}`);
    return EXIT.invalid;
  }
  io.out(`${url} matches ${catalogPath}: ${report.metrics} metrics, ${report.series} series`);
  return EXIT.ok;
}

/**
 * The breaking-change check against `against` ('none': skipped; 'HEAD' by default for `check`, and
 * quietly skipped when there is no commit or the catalogue is new in this one).
 */
function checkCompatibility(current: CompileResult, catalogPath: string, against: string, io: Io): number {
  if (against === 'none' || !current.catalog) return EXIT.ok;
  const previous = readPrevious(against, catalogPath);
  if (!previous.ok) {
    if (against === 'HEAD') return EXIT.ok; // no repository, no commit yet, or a new catalogue: nothing to break
    io.err(`error: --against ${against}: ${previous.reason}`);
    return EXIT.usage;
  }
  const before = compileCatalog(previous.text, previous.label);
  if (!before.catalog) {
    io.err(`${previous.label}: warning: the earlier catalogue does not compile; breaking changes not checked [compat-previous-invalid]`);
    return EXIT.ok;
  }
  const changes = breakingChanges(before.catalog, current.catalog, current.source);
  for (const change of changes) io.err(formatDiagnostic(change));
  const errors = changes.filter((d) => d.severity === 'error').length;
  if (errors > 0) {
    io.err(`${errors} breaking change${errors === 1 ? '' : 's'} against ${previous.label}`);
    return EXIT.invalid;
  }
  io.out(`no breaking change against ${previous.label}`);
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
  const internal = (error: unknown): void => {
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)} (this is a bug in lazybird-metrics; set LAZYBIRD_DEBUG=1 for details)\n`);
    if (process.env['LAZYBIRD_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = EXIT.internal;
  };
  main(process.argv.slice(2), { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') }).then((code) => {
    process.exitCode = code;
  }, internal);
}
