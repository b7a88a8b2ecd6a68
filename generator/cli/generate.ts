/** `generate`, `generate --check`, `check` and `check --live`: the catalogue through the pipeline. */
import { resolve } from 'node:path';
import { compileCatalog } from '../catalog/index.js';
import type { CompileResult } from '../catalog/index.js';
import { hasErrors } from '../catalog/diagnostics.js';
import type { Catalog } from '../catalog/model.js';
import { breakingChanges } from '../checks/compat.js';
import { regenerateCommand } from '../conventions.js';
import { largest } from '../emit/docs.js';
import { emitAll } from '../emit/index.js';
import { readPrevious } from '../checks/previous.js';
import { WriteError, findStale, isStale, writeOutputs } from '../write.js';
import { readCatalogFile } from '../read-catalog.js';
import type { Command } from './args.js';
import { EXIT } from './exit.js';
import { findingOf } from './report.js';
import { runRuleTests } from './rule-tests.js';
import type { Reporter } from './report.js';

/** The compiled catalogue, or EXIT.invalid once every diagnostic is reported. */
export function compile(catalogPath: string, report: Reporter, outcome: string): CompileResult | number {
  const read = readCatalogFile(catalogPath);
  if ('diagnostic' in read) {
    report.finding(findingOf(read.diagnostic));
    return EXIT.invalid;
  }

  const { catalog, diagnostics, source } = compileCatalog(read.text, catalogPath);
  for (const diagnostic of diagnostics) report.finding(findingOf(diagnostic));
  if (!catalog || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    report.summary(`${errors} error${errors === 1 ? '' : 's'} in ${catalogPath}; ${outcome}`);
    return EXIT.invalid;
  }
  return { catalog, diagnostics, source };
}

/** generate, generate --check and check; a file-system failure is one line and exit 1. */
export function runGenerate(command: Command, report: Reporter): number {
  try {
    return runOnOutputs(command, report);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    report.summary(`error: ${error.message}`);
    return EXIT.invalid;
  }
}

function runOnOutputs(command: Command, report: Reporter): number {
  const { command: name, catalog: catalogPath, check: checkOnly, against } = command;
  const compiled = compile(catalogPath, report, 'nothing written');
  if (typeof compiled === 'number') return compiled;
  const catalog = compiled.catalog as Catalog;

  // Every emitted path is relative to --out; the catalogue's `outputs:` placed them (the model's files).
  const root = resolve(command.out);
  const outputs = emitAll(catalog);
  if (name === 'check' || checkOnly) {
    if (name === 'check') printBudget(catalog, report);
    const compatible = checkCompatibility(compiled, catalogPath, against ?? (name === 'check' ? 'HEAD' : 'none'), report);
    if (compatible === EXIT.usage) return EXIT.usage;
    const stale = findStale(root, outputs, catalog.ownedDirs);
    if (!isStale(stale)) {
      report.result(`${outputs.size} outputs up to date`);
      const tested = name === 'check' && outputs.has(catalog.files.ruleTests) ? runRuleTests(root, catalog.files.ruleTests, report) : EXIT.ok;
      return compatible === EXIT.ok ? tested : compatible;
    }
    const regenerate = regenerateCommand(catalogPath);
    if (stale.interrupted) report.summary(`error: an interrupted \`${regenerate}\` was interrupted after it committed; run it again to finish it`);
    const output = (path: string, rule: string, message: string): void => report.finding({ severity: 'error', rule, message, file: path });
    for (const path of stale.changed) output(path, 'output-stale', `stale: differs from what ${catalogPath} generates`);
    for (const path of stale.missing) output(path, 'output-missing', `missing: ${catalogPath} generates it`);
    for (const path of stale.extra) output(path, 'output-extra', `extra: ${catalogPath} no longer generates it`);
    report.summary(`run \`${regenerate}\` and commit the result`);
    return EXIT.invalid;
  }

  const result = writeOutputs(root, outputs, catalog.ownedDirs);
  for (const note of result.notes ?? []) report.summary(`warning: ${note}`);
  report.result(`${outputs.size} outputs from ${catalogPath}: ${result.written.length} written, ${result.removed.length} removed, ${outputs.size - result.written.length} unchanged`);
  return EXIT.ok;
}

/** check --live: scrape `url` and report one finding per difference from the catalogue. Exit 1 on any. */
export async function runLive(catalogPath: string, url: string, report: Reporter, timeoutSeconds?: number): Promise<number> {
  const compiled = compile(catalogPath, report, 'nothing checked');
  if (typeof compiled === 'number') return compiled;
  const catalog = compiled.catalog as Catalog;
  const { compareExposition, displayUrl, printable, scrape, SCRAPE_LIMITS } = await import('../checks/live/index.js');
  const shown = displayUrl(url);
  const scraped = await scrape(url, timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 });
  if (!scraped.ok) {
    report.finding({ severity: 'error', rule: 'live-unreachable', message: printable(`cannot scrape: ${scraped.reason}`), file: shown });
    return EXIT.invalid;
  }
  const live = compareExposition(catalog, scraped.exposition);
  const printed = live.findings.slice(0, SCRAPE_LIMITS.printedFindings);
  for (const finding of printed) report.finding({ severity: 'error', rule: finding.rule, message: printable(finding.message), file: shown });
  if (live.findings.length > printed.length) report.summary(`${shown}: ... and ${live.findings.length - printed.length} more findings`);
  if (live.findings.length > 0) {
    const count = live.findings.length;
    report.summary(`${count} finding${count === 1 ? '' : 's'}: ${shown} differs from ${catalogPath}`);
    return EXIT.invalid;
  }
  report.result(`${shown} matches ${catalogPath}: ${live.metrics} metrics, ${live.series} series`);
  return EXIT.ok;
}

/**
 * The breaking-change check against `against` ('none': skipped; 'HEAD' by default for `check`, and
 * quietly skipped when there is no commit or the catalogue is new in this one).
 */
function checkCompatibility(current: CompileResult, catalogPath: string, against: string, report: Reporter): number {
  if (against === 'none' || !current.catalog) return EXIT.ok;
  const previous = readPrevious(against, catalogPath);
  if (!previous.ok) {
    if (against === 'HEAD') return EXIT.ok; // no repository, no commit yet, or a new catalogue: nothing to break
    report.summary(`error: --against ${against}: ${previous.reason}`);
    return EXIT.usage;
  }
  const before = compileCatalog(previous.text, previous.label);
  if (!before.catalog) {
    report.finding({ severity: 'warning', rule: 'compat-previous-invalid', message: 'the earlier catalogue does not compile; breaking changes not checked', file: previous.label });
    return EXIT.ok;
  }
  const changes = breakingChanges(before.catalog, current.catalog, current.source);
  for (const change of changes) report.finding(findingOf(change));
  const errors = changes.filter((d) => d.severity === 'error').length;
  if (errors > 0) {
    report.summary(`${errors} breaking change${errors === 1 ? '' : 's'} against ${previous.label}`);
    return EXIT.invalid;
  }
  report.result(`no breaking change against ${previous.label}`);
  return EXIT.ok;
}

function printBudget(catalog: Catalog, report: Reporter): void {
  report.result(`${catalog.metrics.length} metrics, ${catalog.totalSeries} series of a budget of ${catalog.budget.totalSeries}; largest:`);
  for (const metric of largest(catalog, 5)) report.result(`  ${metric.name}  ${metric.series} (limit ${metric.seriesLimit})`);
}
