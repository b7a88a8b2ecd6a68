/** `check` runs the generated rule tests through promtool: a pass, a failure (a finding, exit 1), no promtool. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRuleTests } from '../../generator/cli/rule-tests.js';
import type { Finding, Reporter } from '../../generator/cli/report.js';

const dir = mkdtempSync(join(tmpdir(), 'lb-check-rule-tests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = 'groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 1\n        for: 0s\n';
const testsExpecting = (fires: boolean): string =>
  `rule_files: [rules.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - { series: 'up{job="a"}', values: '1x5' }\n    promql_expr_test:\n      - expr: ALERTS{alertname="Up", alertstate="firing"}\n        eval_time: 2m\n        exp_samples: ${fires ? '[{ labels: \'ALERTS{alertname="Up", alertstate="firing", job="a"}\', value: 1 }]' : '[]'}\n`;

function collect(): { reporter: Reporter; findings: Finding[]; lines: string[] } {
  const findings: Finding[] = [];
  const lines: string[] = [];
  return { findings, lines, reporter: { finding: (f) => findings.push(f), result: (l) => lines.push(l), summary: (l) => lines.push(l), end: () => {} } };
}

describe('check: the generated rule tests', () => {
  writeFileSync(join(dir, 'rules.yaml'), RULES);

  it('pass: one result line, exit 0', () => {
    writeFileSync(join(dir, 'pass.test.yaml'), testsExpecting(true));
    const { reporter, findings, lines } = collect();
    expect(runRuleTests(dir, 'pass.test.yaml', reporter)).toBe(0);
    expect(findings).toEqual([]);
    expect(lines).toEqual(['rule tests passed: promtool test rules pass.test.yaml']);
  });

  it('fail: a finding naming the test file and what promtool found, exit 1', () => {
    writeFileSync(join(dir, 'fail.test.yaml'), testsExpecting(false));
    const { reporter, findings } = collect();
    expect(runRuleTests(dir, 'fail.test.yaml', reporter)).toBe(1);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', rule: 'rule-tests-failed', file: 'fail.test.yaml' });
    expect(findings[0]?.message).toMatch(/^promtool test rules failed: .*FAILED.*alertname=\\"Up\\"/);
  });

  it('no promtool on the PATH: one line saying so, exit 0', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = dir;
    try {
      const { reporter, findings, lines } = collect();
      expect(runRuleTests(dir, 'pass.test.yaml', reporter)).toBe(0);
      expect(findings).toEqual([]);
      expect(lines).toEqual(['promtool is not on the PATH: the generated rule tests (pass.test.yaml) were not run']);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
