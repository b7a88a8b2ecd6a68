/**
 * The promtool unit tests the generator writes beside every rule file: they pass on the rules of
 * metrics.yaml and of every test and golden catalogue, and they FAIL on deliberately broken
 * variants of those rules (comparison inverted, traffic floor on the wrong side, window dropped),
 * each broken alert caught by at least one of its own cases. One promtool run per catalogue: the
 * generated tests and the three mutants' copies of them, as four test files; a mutant's copy keeps
 * only the broken alerts, the records they read, and their checks and series.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { everyCatalogue } from '../helpers/catalogues.js';
import { parseDuration } from '../../generator/catalog/duration.js';
import type { AlertModel } from '../../generator/catalog/model.js';
import { emitAll } from '../../generator/emit/index.js';
import { untestable } from '../../generator/emit/alerts/tests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// test/rules/generated-kinds: the alerts (anomalies of every signal but the average, a rate threshold
// from below) that no other catalogue has.
const CATALOGUES = [...everyCatalogue(), 'test/rules/generated-kinds/metrics.yaml'];

const scratch = mkdtempSync(join(tmpdir(), 'lb-rule-tests-'));
afterAll(() => { if (!process.env.KEEP) rmSync(scratch, { recursive: true, force: true }); });

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
}

/** A broken variant of one alert's expression, or undefined where the mutation does not apply. */
type Mutation = (expr: string, alert: AlertModel) => string | undefined;

/** A window a third as long (two minutes at least, so that a rate still spans two samples). */
function shorter(window: string): string {
  return `${Math.max(2, Math.floor(parseDuration(window) / 60 / 3))}m`;
}

/** Every range `[window]` of the expression replaced; undefined when it has none. */
function replaceRange(expr: string, window: string, by: string): string | undefined {
  const replaced = expr.replaceAll(`[${window}]`, `[${by}]`);
  return replaced === expr ? undefined : replaced;
}

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  // `>` and `<` swapped (the floor's `>=` kept); an absence alert asks for presence instead.
  inverted: (expr) => {
    if (expr.includes('absent_over_time(')) return expr.replace('absent_over_time(', 'present_over_time(');
    const swapped = expr.replace(/(?<![<>=!])([<>])(?!=)/g, (c) => (c === '>' ? '<' : '>'));
    return swapped === expr ? undefined : swapped;
  },
  // The traffic floor keeps the thin traffic instead of the real one.
  floor: (expr) => (expr.includes(' >= ') ? expr.replaceAll(' >= ', ' < ') : undefined),
  // SLO: each pair's long window replaced by its short one. Degradation: the offset removed (the
  // window compared with itself). Absence: the window cut to a minute. Threshold, quantile and
  // stall: the window cut to a third; anomaly: its baseline cut to a quarter. A value threshold
  // has no window.
  window: (expr, alert) => {
    switch (alert.kind) {
      case 'slo': {
        const pairs = /(\S+) > (\([\d.e+-]+ \* [\d.e+-]+\))\n {2}and\n {2}(\S+) > /g;
        return pairs.test(expr) ? expr.replace(pairs, (_, short: string, limit: string) => `${short} > ${limit}\n  and\n  ${short} > `) : undefined;
      }
      case 'degradation':
        return expr.includes(' offset ') ? expr.replace(/ offset [0-9a-z]+/g, '') : undefined;
      case 'absence':
        // A window shorter than two evaluation steps (5m) is cut too little to show.
        return parseDuration(alert.window) >= 600 ? replaceRange(expr, alert.window, '1m') : undefined;
      case 'threshold':
      case 'quantile':
        return replaceRange(expr, alert.window, shorter(alert.window));
      case 'stall':
        // Likewise: a third of a window under 10m starts pending at the same evaluation.
        return parseDuration(alert.window) >= 600 ? replaceRange(expr, alert.window, shorter(alert.window)) : undefined;
      case 'anomaly':
        return replaceRange(expr, alert.baseline, `${Math.floor(parseDuration(alert.baseline) / 60 / 4)}m`);
    }
  },
};

interface RuleTests {
  tests: { input_series: { series: string }[]; promql_expr_test: { expr: string }[] }[];
}

/**
 * The checks of the `alerts` only, with the series of their cases: a check selects one alert
 * (and its case's job), so the others' checks pass on a mutant anyway and only cost promtool time.
 * A group without a job in its checks (absence) keeps all its series.
 */
function testsOf(file: RuleTests, alerts: readonly string[]): RuleTests['tests'] {
  const label = (expr: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(expr)?.[1];
  return file.tests.flatMap((group) => {
    const checks = group.promql_expr_test.filter((check) => alerts.includes(label(check.expr, 'alertname') ?? ''));
    if (checks.length === 0) return [];
    const jobs = checks.map((check) => label(check.expr, 'job'));
    const series = jobs.includes(undefined) ? group.input_series : group.input_series.filter((s) => jobs.includes(label(s.series, 'job')));
    return [{ ...group, input_series: series, promql_expr_test: checks }];
  });
}

/** promtool's report of one test file: the lines after its `Unit Testing:` header. */
function reportOf(output: string, file: string): string {
  const start = output.indexOf(`Unit Testing:  ${file}`);
  if (start < 0) return '';
  const next = output.indexOf('Unit Testing:', start + 1);
  return output.slice(start, next < 0 ? undefined : next);
}

describe.each(CATALOGUES)('generated rule tests of %s', (catalogPath) => {
  const name = catalogPath.replace(/\/metrics\.yaml$/, '').replace(/\W+/g, '-');
  const dir = join(scratch, name);
  const { catalog, diagnostics } = compileCatalog(readFileSync(join(root, catalogPath), 'utf8'), 'metrics.yaml');
  if (!catalog) throw new Error(`${catalogPath} is invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  const outputs = emitAll(catalog);
  const rulesText = outputs.get(catalog.files.rules);
  const testsText = outputs.get(catalog.files.ruleTests);
  // Alerts on native-only histograms have no generated tests (promtool 2.42 cannot write their input).
  const alertsByName = new Map(catalog.metrics.flatMap((m) => m.alerts.filter((a) => !untestable(a)).flatMap((a) => a.names.map((n) => [n, a] as const))));
  const alertKinds = new Map([...alertsByName].map(([n, a]) => [n, a.kind]));

  it('pass on the generated rules, and fail on every broken variant of each alert', () => {
    if (rulesText === undefined || testsText === undefined) throw new Error(`${catalogPath}: no rules or no rule tests emitted`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rules.yaml'), rulesText);
    writeFileSync(join(dir, 'tests.yaml'), stringify({ ...parse(testsText), rule_files: ['rules.yaml'] }));
    const broken = new Map<string, string[]>();
    for (const [mutation, mutate] of Object.entries(MUTATIONS)) {
      const rules = parse(rulesText) as { groups: { rules: AlertRule[] }[] };
      const changed: string[] = [];
      for (const rule of rules.groups.flatMap((g) => g.rules)) {
        const alert = rule.alert === undefined ? undefined : alertsByName.get(rule.alert);
        if (rule.alert === undefined || alert === undefined) continue;
        const mutated = mutate(rule.expr, alert);
        if (mutated === undefined) continue;
        rule.expr = mutated;
        changed.push(rule.alert);
      }
      broken.set(mutation, changed);
      // Only the broken alerts and the records they read: the others cannot fail and cost time.
      const read = rules.groups.flatMap((g) => g.rules).filter((r) => changed.includes(r.alert ?? '')).map((r) => r.expr);
      for (const group of rules.groups) {
        group.rules = group.rules.filter(({ record, alert }) => (record === undefined ? changed.includes(alert ?? '') : read.some((expr) => expr.includes(record))));
      }
      writeFileSync(join(dir, `rules.${mutation}.yaml`), stringify(rules));
      writeFileSync(join(dir, `tests.${mutation}.yaml`), stringify({ ...parse(testsText), rule_files: [`rules.${mutation}.yaml`], tests: testsOf(parse(testsText) as RuleTests, changed) }));
    }
    const files = ['tests.yaml', ...[...broken.keys()].map((m) => `tests.${m}.yaml`)];
    // promtool writes each file's header to stdout and its failures to stderr: one file keeps their order.
    const log = openSync(join(dir, 'promtool.log'), 'w');
    const run = spawnSync('promtool', ['test', 'rules', ...files], { cwd: dir, stdio: ['ignore', log, log], timeout: 300_000 });
    closeSync(log);
    const output = readFileSync(join(dir, 'promtool.log'), 'utf8');
    expect(reportOf(output, 'tests.yaml'), output.slice(0, 4000)).toMatch(/SUCCESS/);
    // A catalogue without alerts has an empty test file, which passes, mutants and all.
    expect(run.status === 0, 'the mutants must fail').toBe(alertKinds.size === 0);
    if (alertKinds.size === 0) expect((parse(testsText) as { tests: unknown[] }).tests).toEqual([]);
    // Every alert kind is broken by the inversion at least.
    expect(new Set((broken.get('inverted') ?? []).map((a) => alertKinds.get(a)))).toEqual(new Set(alertKinds.values()));
    // Every alert with a window in its expression is broken by the window mutation: all but value
    // thresholds and alerts whose window is too short to cut (stated in MUTATIONS.window).
    const windowed = [...alertsByName].filter(([, a]) => !(a.kind === 'threshold' && a.of === 'value') && !((a.kind === 'absence' || a.kind === 'stall') && parseDuration(a.window) < 600));
    expect(new Set(broken.get('window'))).toEqual(new Set(windowed.map(([n]) => n)));
    for (const [mutation, alerts] of broken) {
      const report = reportOf(output, `tests.${mutation}.yaml`);
      if (alerts.length > 0) expect(report, `${mutation}: ${report.slice(0, 2000)}`).toMatch(/FAILED/);
      const missed = alerts.filter((alert) => !new RegExp(`alertname=\\\\?"${alert}\\\\?"`).test(report));
      expect(missed, `${mutation} of these alerts went unnoticed by the generated tests`).toEqual([]);
    }
  }, 300_000);
});
