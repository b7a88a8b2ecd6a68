/**
 * The generated rule files against the real promtool: `check rules` finds nothing, and the
 * hand-written unit tests beside this file (one per alert kind, plus the recording rules) pass.
 * A control run against deliberately wrong rules shows those tests can fail.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const ruleFiles = readdirSync(join(root, 'alerts')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).map((f) => join(root, 'alerts', f));
const unitTests = readdirSync(here).filter((f) => f.endsWith('.test.yaml')).sort();

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: root, encoding: 'utf8', timeout: 280_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const scratch = mkdtempSync(join(tmpdir(), 'lb-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('promtool check rules', () => {
  it('finds every generated rule file valid, with no warning', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const { status, output } = promtool(['check', 'rules', ...ruleFiles]);
    expect(output).toContain('SUCCESS');
    expect(output).not.toMatch(/warn|FAILED/i);
    expect(status).toBe(0);
  });
});

describe('promtool test rules', () => {
  it('has a unit test file for each alert kind and for the recording rules', () => {
    expect(unitTests).toEqual(
      expect.arrayContaining(['threshold.test.yaml', 'quantile.test.yaml', 'degradation.test.yaml', 'anomaly.test.yaml', 'silence.test.yaml', 'slo.test.yaml', 'recording.test.yaml']),
    );
  });

  // slo.test.yaml alone evaluates every rule minute by minute over days of series: ~10 s idle.
  it.each(unitTests)('%s passes', (file) => {
    const { status, output } = promtool(['test', 'rules', join(here, file)]);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  }, 300_000);

  it('fails when the rules are wrong (a control: the threshold and SLO tests can fail)', () => {
    // The same catalogue with the checkpoint threshold ten times higher and the SLO objective looser.
    const text = readFileSync(join(root, 'metrics.yaml'), 'utf8')
      .replace('above: 0.02               # more than 72 failures an hour at one gate', 'above: 0.2')
      .replace('objective: 0.95\n        good: { outcome: success }', 'objective: 0.5\n        good: { outcome: success }');
    const { catalog } = compileCatalog(text, 'metrics.yaml');
    if (!catalog) throw new Error('the mutated catalogue should still be valid');
    const rules = [...emitAll(catalog)].find(([path]) => path === catalog.files.rules);
    if (!rules) throw new Error('no rule file emitted');
    writeFileSync(join(scratch, 'wrong.rules.yaml'), rules[1]);
    // Only the cases where the two alerts the mutation breaks should fire: the cases that evaluate
    // days of series minute by minute made this control the slowest test of the suite.
    const controls = { 'threshold.test.yaml': 'CheckpointFailureRateHigh', 'slo.test.yaml': 'TaskSuccessSLOFastBurn' } as const;
    const files = Object.entries(controls).map(([file, alert]) => {
      const test = parse(readFileSync(join(here, file), 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[]; promql_expr_test?: unknown }[] };
      test.tests = test.tests
        .map((group) => ({ ...group, alert_rule_test: (group.alert_rule_test ?? []).filter((t) => t.alertname === alert && (t.exp_alerts ?? []).length > 0), promql_expr_test: [] }))
        .filter((group) => group.alert_rule_test.length > 0);
      expect(test.tests.length, `${file} has cases of ${alert}`).toBeGreaterThan(0);
      writeFileSync(join(scratch, file), stringify({ ...test, rule_files: ['wrong.rules.yaml'] }));
      return join(scratch, file);
    });
    for (const [index, file] of files.entries()) {
      const { status, output } = promtool(['test', 'rules', file]);
      expect(status, output).not.toBe(0);
      expect(output).toContain(Object.values(controls)[index]);
    }
  }, 300_000);
});

/**
 * Test catalogues with unit tests of their own: test/rules/<catalogue>/*.test.yaml name the rule
 * file by its bare name; each runs beside the rules generated from test/catalogues/<catalogue>.
 */
const catalogueSuites = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'test', 'catalogues', entry.name, 'metrics.yaml')))
  .map((entry) => entry.name)
  .sort();

describe.each(catalogueSuites)('the rules of test catalogue %s', (name) => {
  const dir = join(scratch, name);
  const { catalog, diagnostics } = compileCatalog(readFileSync(join(root, 'test', 'catalogues', name, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  if (!catalog) throw new Error(`test catalogue ${name} is invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  const rules = [...emitAll(catalog)].filter(([path]) => path === catalog.files.rules);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of rules) writeFileSync(join(dir, path.slice('alerts/'.length)), text);
  const tests = readdirSync(join(here, name)).filter((f) => f.endsWith('.test.yaml')).sort();

  it('passes promtool check rules, with no warning', () => {
    const { status, output } = promtool(['check', 'rules', ...rules.map(([path]) => join(dir, path.slice('alerts/'.length)))]);
    expect(output).toContain('SUCCESS');
    expect(output).not.toMatch(/warn|FAILED/i);
    expect(status).toBe(0);
  });

  it.each(tests)('%s passes', (file) => {
    copyFileSync(join(here, name, file), join(dir, file));
    const { status, output } = promtool(['test', 'rules', join(dir, file)]);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  }, 300_000);
});
