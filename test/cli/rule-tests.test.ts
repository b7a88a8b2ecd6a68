/**
 * `check` runs the generated rule tests through promtool: a pass, a failure (a finding, exit 1), no
 * promtool; and the `check` command itself runs them on what `generate` wrote, or says it could not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { runRuleTests } from '../../generator/cli/rule-tests.js';
import type { Finding, Reporter } from '../../generator/cli/report.js';
import { catalogue } from '../helpers/catalogue.js';

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

describe('check: runs the rule tests generate wrote', () => {
  const project = join(dir, 'project');
  const catalogPath = join(project, 'metrics.yaml');
  // The minimal catalogue's counter, with one alert and no events.
  const CATALOGUE = catalogue({
    metrics: `\
  requests_total:
    type: counter
    group: main
    help: Requests served.
    unit: count
    labels: [method]
    alerts:
      - name: RequestsFast
        kind: threshold
        of: rate
        above: 100
        window: 5m
        for: 5m
        severity: warning
        summary: More than 100 requests a second.
`,
    events: null,
  });
  const run = async (...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };
  const check = () => run('check', '--catalog', catalogPath, '--out', project, '--against', 'none');

  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(catalogPath, CATALOGUE);
    expect((await run('generate', '--catalog', catalogPath, '--out', project)).code).toBe(0);
  });

  /** `check` with PATH set to `path` only (the real PATH when undefined). */
  const checkWithPath = async (path: string | undefined) => {
    const saved = process.env['PATH'];
    if (path !== undefined) process.env['PATH'] = path;
    try {
      return await check();
    } finally {
      process.env['PATH'] = saved;
    }
  };

  it('promtool on the PATH: the tests run and pass, exit 0', async () => {
    const result = await checkWithPath(undefined);
    expect(result.err).toEqual([]);
    expect(result.out).toContain('rule tests passed: promtool test rules alerts/shop.rules.test.yaml');
    expect(result.code).toBe(0);
  });

  it('no promtool on the PATH: says the tests were not run, exit 0', async () => {
    const result = await checkWithPath(join(dir, 'empty'));
    expect(result.err).toEqual([]);
    expect(result.out).toContain('promtool is not on the PATH: the generated rule tests (alerts/shop.rules.test.yaml) were not run');
    expect(result.out.some((l) => l.startsWith('rule tests passed'))).toBe(false);
    expect(result.code).toBe(0);
  });

  it('a promtool that reports a failed test: a finding on the test file, exit 1', async () => {
    // A stand-in promtool: the generated tests pass on the generated rules, so a real failure
    // cannot be had without making the outputs stale (which check reports before running them).
    const bin = join(dir, 'failing-promtool');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'promtool'), '#!/bin/sh\necho "Unit Testing:  $3"\necho "  FAILED:"\necho "    alertname: RequestsFast, time: 10m"\nexit 1\n', { mode: 0o755 });
    const result = await checkWithPath(bin);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/alerts\/shop\.rules\.test\.yaml.*promtool test rules failed: FAILED: \| alertname: RequestsFast, time: 10m.*\[rule-tests-failed\]/);
  });
});
