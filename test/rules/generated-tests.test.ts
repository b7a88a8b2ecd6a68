/**
 * The promtool unit tests the generator writes beside every rule file: they pass on the rules of
 * metrics.yaml and of every test and golden catalogue, and they FAIL on deliberately broken
 * variants of those rules (comparison inverted, traffic floor on the wrong side, window dropped),
 * each broken alert caught by at least one of its own cases. One promtool run per catalogue: the
 * generated tests and the three mutants' copies of them, as four test files.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { untestable } from '../../generator/emit/alerts/tests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const subfolders = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, dir, e.name, 'metrics.yaml')))
    .map((e) => `${dir}/${e.name}/metrics.yaml`)
    .sort();
const CATALOGUES = ['metrics.yaml', ...subfolders('test/catalogues'), ...subfolders('test/goldens')];

const scratch = mkdtempSync(join(tmpdir(), 'lb-rule-tests-'));
afterAll(() => { if (!process.env.KEEP) rmSync(scratch, { recursive: true, force: true }); });

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
}

/**
 * A broken variant of one alert's expression, or undefined where the mutation does not apply.
 * Anomaly alerts (no generated tests yet) are left alone.
 */
type Mutation = (expr: string) => string | undefined;

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
  // window compared with itself). Absence: the window cut to a minute. A threshold's, quantile's or
  // stall's window is not mutated: under the steady input of their cases any window gives the same
  // value (see the report of issue 16).
  window: (expr) => {
    const pairs = /(\S+) > (\([\d.e+-]+ \* [\d.e+-]+\))\n {2}and\n {2}(\S+) > /g;
    if (pairs.test(expr)) return expr.replace(pairs, (_, short: string, limit: string) => `${short} > ${limit}\n  and\n  ${short} > `);
    if (expr.includes(' offset ')) return expr.replace(/ offset [0-9a-z]+/g, '');
    // An absence window shorter than two evaluation steps (5m) is cut too little to show.
    const absence = /^absent_over_time\(.*\[(\d+)m\]\)$/s.exec(expr);
    if (absence && Number(absence[1]) >= 10) return expr.replace(/\[[0-9a-z]+\]/g, '[1m]');
    return undefined;
  },
};

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
  const alertKinds = new Map(catalog.metrics.flatMap((m) => m.alerts.filter((a) => !untestable(a)).flatMap((a) => a.names.map((n) => [n, a.kind] as const))));

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
        if (rule.alert === undefined || !alertKinds.has(rule.alert) || alertKinds.get(rule.alert) === 'anomaly') continue;
        const mutated = mutate(rule.expr);
        if (mutated === undefined) continue;
        rule.expr = mutated;
        changed.push(rule.alert);
      }
      broken.set(mutation, changed);
      writeFileSync(join(dir, `rules.${mutation}.yaml`), stringify(rules));
      writeFileSync(join(dir, `tests.${mutation}.yaml`), stringify({ ...parse(testsText), rule_files: [`rules.${mutation}.yaml`] }));
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
    expect(new Set((broken.get('inverted') ?? []).map((a) => alertKinds.get(a)))).toEqual(new Set([...alertKinds.values()].filter((k) => k !== 'anomaly')));
    for (const [mutation, alerts] of broken) {
      const report = reportOf(output, `tests.${mutation}.yaml`);
      if (alerts.length > 0) expect(report, `${mutation}: ${report.slice(0, 2000)}`).toMatch(/FAILED/);
      const missed = alerts.filter((alert) => !new RegExp(`alertname=\\\\?"${alert}\\\\?"`).test(report));
      expect(missed, `${mutation} of these alerts went unnoticed by the generated tests`).toEqual([]);
    }
  }, 300_000);
});
