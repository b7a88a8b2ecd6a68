/**
 * The breaking-change check: each kind of break in a new catalogue against an old one, with its rule
 * id and the line:col in the new file; additions, deprecated-then-removed metrics and experimental
 * metrics pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { breakingChanges } from '../../generator/checks/compat.js';
import { BASE, catalogue, positionOf } from '../helpers/catalogue.js';
import type { Anchor } from '../helpers/catalogue.js';

function compare(oldText: string, newText: string) {
  const before = compileCatalog(oldText, 'old.yaml');
  const after = compileCatalog(newText, 'metrics.yaml');
  if (!before.catalog || !after.catalog) throw new Error(`test catalogue invalid: ${JSON.stringify([...before.diagnostics, ...after.diagnostics])}`);
  return breakingChanges(before.catalog, after.catalog, after.source);
}

const OLD = catalogue();
const withAlert = (text: string) =>
  text.replace('    labels: [method]\n', '    labels: [method]\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: info, summary: Busy. }\n');
const withRatio = (text: string) => text.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: get_share, match: { method: get } }]\n');

interface Case {
  readonly rule: string;
  readonly title: string;
  readonly old?: string;
  readonly text: string;
  readonly message: readonly string[];
  readonly at: Anchor;
  readonly severity?: 'error' | 'warning';
}

const CASES: readonly Case[] = [
  {
    rule: 'breaking-metric-removed',
    title: 'a renamed metric',
    text: OLD.replace(/\brequests_total\b/g, 'served_requests_total'),
    message: ['shop_requests_total was removed', 'renamed to shop_served_requests_total?', 'deprecate'],
    at: { line: '  served_requests_total:', col: 'served_requests_total' },
  },
  {
    rule: 'breaking-type-changed',
    title: 'counter to gauge',
    old: catalogue({ metrics: BASE.metrics + '  inflight:\n    type: gauge\n    group: main\n    help: In flight.\n    unit: count\n' }),
    text: catalogue({ metrics: BASE.metrics + '  inflight:\n    type: histogram\n    group: main\n    help: In flight.\n    unit: count\n    buckets: [1, 2]\n' }),
    message: ['shop_inflight', 'gauge to histogram'],
    at: { line: 'type: histogram', after: '  inflight:', col: 'histogram' },
  },
  {
    rule: 'breaking-unit-changed',
    title: 'count to none',
    old: catalogue({ metrics: BASE.metrics + '  inflight:\n    type: gauge\n    group: main\n    help: In flight.\n    unit: count\n' }),
    text: catalogue({ metrics: BASE.metrics + '  inflight:\n    type: gauge\n    group: main\n    help: In flight.\n    unit: none\n' }),
    message: ['shop_inflight', 'count to none'],
    at: { after: '  inflight:', line: 'unit: none', col: 'none' },
  },
  {
    rule: 'breaking-buckets-changed',
    title: 'a bucket added',
    text: OLD.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.1, 0.25, 0.5, 1]'),
    message: ['shop_request_duration_seconds', '[0.1, 0.5, 1]', '[0.1, 0.25, 0.5, 1]'],
    at: { line: 'buckets: [0.1, 0.25', col: '[0.1' },
  },
  {
    rule: 'breaking-label-removed',
    title: 'a label taken away',
    text: OLD.replace('    labels: [method]\n', '').replace('      method: { label: method }\n', ''),
    message: ['shop_requests_total', 'method'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'breaking-label-value-removed',
    title: 'an allowed value taken away',
    text: OLD.replace('values: [get, post]', 'values: [get]'),
    message: ['shop_requests_total', 'method', '"post"'],
    at: { line: 'values: [get]', col: '[get]' },
  },
  {
    rule: 'breaking-alert-removed',
    title: 'an alert deleted',
    old: withAlert(OLD),
    text: OLD,
    message: ['Busy', 'shop_requests_total'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'breaking-recording-rule-removed',
    title: 'a ratio deleted',
    old: withRatio(OLD),
    text: OLD,
    message: ['get_share', 'shop_requests_total'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'breaking-namespace',
    title: 'the namespace changed',
    text: OLD.replace('namespace: shop', 'namespace: store'),
    message: ['shop', 'store'],
    at: { line: 'namespace: store', col: 'store' },
  },
  {
    rule: 'compat-label-added',
    title: 'a label added to an existing metric',
    text: OLD.replace('    unit: seconds\n', '    unit: seconds\n    labels: [method]\n').replace(
      '      - { observe: request_duration_seconds, value: duration_seconds }',
      '      - { observe: request_duration_seconds, value: duration_seconds }',
    ),
    message: ['shop_request_duration_seconds', 'method'],
    severity: 'warning',
    at: { after: 'request_duration_seconds:', line: 'labels: [method]', col: 'labels' },
  },  {
    rule: 'compat-label-learned',
    title: 'a label with declared values now learns its values (declared values keep their series)',
    text: OLD.replace('overflow: other', 'overflow: other\n    learned: { max: 10 }'),
    message: ['shop_requests_total', 'label method now learns up to 10 values', 'every declared value keeps its series', 'widens to string'],
    severity: 'warning',
    at: { line: 'learned: { max: 10 }', col: 'learned' },
  },
  {
    rule: 'breaking-label-learned-fewer',
    title: 'a learned label lowers its maximum',
    old: OLD.replace('overflow: other', 'overflow: other\n    learned: { max: 10 }'),
    text: OLD.replace('overflow: other', 'overflow: other\n    learned: { max: 4 }'),
    message: ['shop_requests_total', 'at most 4 values instead of 10', '"other"'],
    at: { line: 'learned: { max: 4 }', col: '4' },
  },
  {
    rule: 'compat-alert-label-changed',
    title: 'the routing label of an alert changed (catalogue level)',
    old: withAlert(catalogue({ head: 'namespace: shop\nalert_labels: { team: payments }\n' })),
    text: withAlert(catalogue({ head: 'namespace: shop\nalert_labels: { team: checkout }\n' })),
    message: ['alert Busy', 'label team "payments" -> "checkout"', 'Alertmanager routes'],
    severity: 'warning',
    at: { line: 'name: Busy', col: 'Busy' },
  },
  {
    rule: 'breaking-label-fixed',
    title: 'a learned label goes back to its declared values only',
    old: OLD.replace('overflow: other', 'overflow: other\n    learned: { max: 10 }'),
    text: OLD,
    message: ['shop_requests_total', 'label method no longer learns its values (it learned up to 10)', 'outside [get, post, other] lose their series', 'move to "other"', 'narrows'],
    at: { line: 'values: [get, post]', col: '[get' },
  },
];

describe('breaking changes', () => {
  it.each(CASES)('$rule ($title)', (c) => {
    const diagnostics = compare(c.old ?? OLD, c.text);
    expect(diagnostics.map((d) => d.rule)).toEqual([c.rule]);
    const [d] = diagnostics;
    for (const fragment of c.message) expect(d?.message).toContain(fragment);
    expect(d?.severity).toBe(c.severity ?? 'error');
    const at = positionOf(c.text, c.at);
    expect({ line: d?.line, col: d?.col }).toEqual({ line: at.line, col: at.col });
    expect(d?.file).toBe('metrics.yaml');
  });

  it('covers every rule id the check can emit', () => {
    const source = readFileSync(join(import.meta.dirname, '../../generator/checks/compat.ts'), 'utf8');
    const ids = new Set([...source.matchAll(/'((?:breaking|compat)-[a-z0-9-]+)'/g)].map((m) => m[1]));
    expect([...ids].sort()).toEqual(CASES.map((c) => c.rule).sort());
  });

  it('passes additions: a new metric, label value, bucket-less metric, alert and ratio', () => {
    const grown = withRatio(withAlert(OLD))
      .replace('values: [get, post]', 'values: [get, post, put]')
      .replace('  request_duration_seconds:', '  errors_total:\n    type: counter\n    group: main\n    help: Errors.\n    unit: count\n  request_duration_seconds:');
    expect(compare(OLD, grown)).toEqual([]);
  });

  it('passes raising the maximum of a learned label', () => {
    const learned = (max: number) => OLD.replace('overflow: other', `overflow: other\n    learned: { max: ${max} }`);
    expect(compare(learned(4), learned(10))).toEqual([]);
    expect(compare(learned(4), learned(4).replace('values: [get, post]', 'values: [get, post, put]'))).toEqual([]);
  });

  it('passes removing a metric that was deprecated before', () => {
    const deprecated = OLD.replace('    unit: seconds\n', '    unit: seconds\n    deprecated: { reason: Use the route histogram. }\n');
    const removed = OLD.replace(/  request_duration_seconds:[\s\S]*?buckets: \[0\.1, 0\.5, 1\]\n/, '').replace('      - { observe: request_duration_seconds, value: duration_seconds }\n', '').replace('      duration_seconds: { type: number }\n', '');
    expect(compare(deprecated, removed)).toEqual([]);
    // The same removal without the deprecation is a break.
    expect(compare(OLD, removed).map((d) => d.rule)).toEqual(['breaking-metric-removed']);
  });

  it('only warns for experimental metrics', () => {
    const experimental = OLD.replace('    unit: seconds\n', '    unit: seconds\n    stability: experimental\n');
    const changed = experimental.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.2, 1]');
    const diagnostics = compare(experimental, changed);
    expect(diagnostics.map((d) => [d.rule, d.severity])).toEqual([['breaking-buckets-changed', 'warning']]);
  });

  it('finds nothing between the seed catalogue and itself', () => {
    const seed = readFileSync(join(import.meta.dirname, '../../metrics.yaml'), 'utf8');
    expect(compare(seed, seed)).toEqual([]);
  });
});
