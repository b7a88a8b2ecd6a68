/**
 * Matchers on several values and negated ones, against the real promtool: each listed value is
 * matched as itself, never as a regular expression (values holding `.`, `|`, `+`, `(`), and the
 * anchoring Prometheus adds keeps a value from matching a longer one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'lb-matchers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Every value is one a careless regex would confuse with another: a.b ~ aXb, x|y ~ x, c+ ~ cc, (d) ~ d, e ~ ee.
const VALUES = ['a.b', 'aXb', 'x|y', 'x', 'c+', 'cc', '(d)', 'd', 'e', 'ee'];
const CATALOGUE = `
namespace: m
labels:
  kind: { description: Kind., values: [${VALUES.map((v) => JSON.stringify(v)).join(', ')}] }
groups:
  main: { title: Main }
metrics:
  events_total:
    type: counter
    group: main
    help: Events.
    unit: count
    labels: [kind]
    ratios:
      - { name: listed, match: { kind: [a.b, "x|y", c+, "(d)", e] } }
      - { name: unlisted, match: { kind: { not: [a.b, "x|y", c+] } } }
      - { name: one_unlisted, match: { kind: { not: e } } }
`;

describe('matchers on several values, negated ones', () => {
  it('select exactly the listed values in Prometheus', () => {
    const { catalog, diagnostics } = compileCatalog(CATALOGUE, 'metrics.yaml');
    expect(diagnostics).toEqual([]);
    if (!catalog) throw new Error('invalid catalogue');
    const rules = [...emitAll(catalog)].find(([path]) => path === catalog.files.rules);
    if (!rules) throw new Error('no rule file');
    writeFileSync(join(scratch, 'm.rules.yaml'), rules[1]);
    const series = VALUES.map((kind) => ({ series: `m_events_total{job="m", instance="i", kind=${JSON.stringify(kind)}}`, values: '0+60x10' }));
    const sample = (ratio: string, value: number) => ({
      expr: `instance:m_${ratio}:ratio_rate5m`,
      eval_time: '10m',
      exp_samples: [{ labels: `instance:m_${ratio}:ratio_rate5m{job="m", instance="i"}`, value }],
    });
    const test = {
      rule_files: ['m.rules.yaml'],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: series, promql_expr_test: [sample('listed', 0.5), sample('unlisted', 0.7), sample('one_unlisted', 0.9)] }],
    };
    writeFileSync(join(scratch, 'm.test.yaml'), stringify(test));
    const result = spawnSync('promtool', ['test', 'rules', join(scratch, 'm.test.yaml')], { encoding: 'utf8', timeout: 120_000 });
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  }, 120_000);

  it('write =~ and !~ with escaped values, = and != for one value', () => {
    const { catalog } = compileCatalog(CATALOGUE, 'metrics.yaml');
    const text = [...emitAll(catalog!)].find(([path]) => path === catalog!.files.rules)?.[1] ?? '';
    expect(text).toContain(String.raw`m_events_total{kind=~"a\\.b|x\\|y|c\\+|\\(d\\)|e"}`);
    expect(text).toContain(String.raw`m_events_total{kind!~"a\\.b|x\\|y|c\\+"}`);
    expect(text).toContain('m_events_total{kind!="e"}');
  });
});
