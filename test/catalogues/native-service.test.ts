/**
 * The native-service test catalogue (native-only histograms, histograms with both shapes) through
 * the generator: what METRIC_SPECS says of each histogram, worked out by hand from the catalogue;
 * rules and panels that read a native-only histogram through the native functions alone; for a
 * histogram with both shapes, every `(native) or (classic)` whose two sides keep the same labels,
 * so that neither side can add a series the other already has; the rule tests that promtool 2.42
 * cannot write left out with a note. (The pipeline suite runs the module, promtool and the
 * simulator on it as on every test catalogue.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { promtoolCheckRules } from '../hostile/helpers/outputs.js';

const FILE = join(import.meta.dirname, 'native-service', 'metrics.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const { catalog, diagnostics } = compileCatalog(TEXT, 'metrics.yaml');
const outputs = catalog === undefined ? new Map<string, string>() : emitAll(catalog);
const output = (path: string): string => {
  const text = outputs.get(path);
  if (text === undefined) throw new Error(`no output ${path} (have ${[...outputs.keys()].join(', ')})`);
  return text;
};

/**
 * The catalogue with a latency SLO on the histogram with both shapes too. It is not in the
 * catalogue itself: its generated promtool tests (day-long SLO cases, run with three mutants by
 * the rule-test suite) would cost that suite some 16 s; here its rules are checked without them.
 */
const SLO_ON_BOTH = `      - name: UpstreamLatencySLO
        kind: slo
        objective: 0.995
        latency_below: 0.5
        by: [upstream]
        min_rate: 0.05
        severity: warning
        summary: Fewer than 99.5% of an upstream's answers come within 500ms.
`;
function withSloOnBoth(): string {
  const variant = compileCatalog(TEXT.replace('  upstream_calls_total:\n', `${SLO_ON_BOTH}  upstream_calls_total:\n`), 'metrics.yaml');
  if (!variant.catalog) throw new Error(variant.diagnostics.map((d) => d.message).join('; '));
  const rulesText = emitAll(variant.catalog).get('alerts/gateway.rules.yaml');
  if (rulesText === undefined) throw new Error('no rules');
  return rulesText;
}

interface RuleJson {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
}
const rules = (): RuleJson[] => (parse(output('alerts/gateway.rules.yaml')) as { groups: { rules: RuleJson[] }[] }).groups.flatMap((g) => g.rules);
const dashboardExprs = (): string[] =>
  [...outputs]
    .filter(([path]) => path.startsWith('dashboards/') && path.endsWith('.json'))
    .flatMap(([, text]) => (JSON.parse(text) as { panels: { targets?: { expr: string }[] }[] }).panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)));

type Node = ReturnType<typeof parser.parse>['topNode'];

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function descendants(node: Node, name: string): Node[] {
  const found: Node[] = [];
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.name === name && cursor.from >= node.from && cursor.to <= end) found.push(cursor.node);
  } while (cursor.next() && cursor.from < end);
  return found;
}

/** Each `A or B` of an expression with the distinct `by` labels (without `le`) of the aggregations of each side. */
function orSides(expr: string): { left: string[]; right: string[] }[] {
  const tree = parser.parse(expr);
  const groupings = (side: Node): string[] =>
    descendants(side, 'AggregateExpr')
      .map((aggregate) => {
        const labels = descendants(aggregate, 'GroupingLabels')[0];
        const names = labels ? descendants(labels, 'LabelName').map((n) => expr.slice(n.from, n.to)) : [];
        return names.filter((name) => name !== 'le').sort().join(',');
      })
      .filter((labels, index, all) => all.indexOf(labels) === index)
      .sort();
  return descendants(tree.topNode, 'BinaryExpr')
    .filter((binary) => children(binary).some((child) => child.name === 'Or'))
    .map((binary) => {
      const parts = children(binary);
      return { left: groupings(parts[0]!), right: groupings(parts.at(-1)!) };
    });
}

function errorsOf(expr: string): string[] {
  return descendants(parser.parse(expr).topNode, '⚠').map((n) => `${n.from}: ${expr.slice(n.from, n.to + 10)}`);
}

describe('the native-service catalogue', () => {
  it('compiles without a diagnostic', () => {
    expect(diagnostics).toEqual([]);
  });

  it('counts a native-only histogram as one series per label set, one with both shapes as buckets + 3 + 1', () => {
    const series = Object.fromEntries((catalog?.metrics ?? []).map((m) => [m.key, m.series]));
    // route: 4 values + unmatched = 5; upstream: 3.
    expect(series['request_duration_seconds']).toBe(5);
    expect(series['response_size_bytes']).toBe(5);
    expect(series['upstream_duration_seconds']).toBe(3 * (6 + 3 + 1));
    expect(series['export_duration_seconds']).toBe(4 + 3 + 1);
  });

  it('writes native settings into METRIC_SPECS, empty classic buckets for native-only, and needs runtime API 3', () => {
    const module = output('generated/metrics.ts');
    expect(module).toMatch(/^export const RUNTIME_API = 3;$/m);
    const spec = (name: string): string => {
      const start = module.indexOf(`name: "${name}",`);
      expect(start, name).toBeGreaterThan(0);
      return module.slice(start, module.indexOf('\n  },', start));
    };
    expect(spec('gateway_request_duration_seconds')).toContain('buckets: [],');
    expect(spec('gateway_request_duration_seconds')).toContain('native: { schema: 3, maxBuckets: 160, zeroThreshold: 2.938735877055719e-39 },');
    // bucket_factor 1.2: schema 2 (2^(1/4) = 1.189 <= 1.2 < 2^(1/2)).
    expect(spec('gateway_response_size_bytes')).toContain('native: { schema: 2, maxBuckets: 100, zeroThreshold: 0.5 },');
    expect(spec('gateway_upstream_duration_seconds')).toContain('buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5],');
    expect(spec('gateway_upstream_duration_seconds')).toContain('native: { schema: 3, maxBuckets: 160, zeroThreshold: 2.938735877055719e-39 },');
    expect(spec('gateway_requests_total')).not.toContain('native');
  });

  it('parses every rule and dashboard expression with the Prometheus UI grammar', () => {
    const all = [...rules().map((r) => r.expr), ...dashboardExprs().map((e) => e.replaceAll('$__rate_interval', '5m').replace(/"\$\w+"/g, '".+"'))];
    expect(all.length).toBeGreaterThan(20);
    expect(all.flatMap(errorsOf)).toEqual([]);
  });

  it('reads a native-only histogram through the native functions alone (its absence alert aside): no _bucket, _sum, _count or le', () => {
    const native = [...rules().map((r) => r.expr), ...dashboardExprs()].filter((e) => /gateway_(request_duration_seconds|response_size_bytes)\b/.test(e) && !e.startsWith('absent_over_time('));
    expect(native.length).toBeGreaterThan(10);
    expect(native.filter((e) => /gateway_(request_duration_seconds|response_size_bytes)_(bucket|sum|count)|\ble\b/.test(e))).toEqual([]);
    const byName = new Map(rules().map((r) => [r.alert ?? r.record, r.expr]));
    expect(byName.get('RequestLatencyHigh')).toBe(
      'histogram_quantile(0.99, sum by (job, route) (rate(gateway_request_duration_seconds[10m]))) > 1.5\nand\nsum by (job, route) (histogram_count(rate(gateway_request_duration_seconds[10m]))) >= 0.05',
    );
    expect(byName.get('job:gateway_request_latency_slo:error_ratio_rate5m')).toBe('1 - histogram_fraction(-Inf, 0.8, sum by (job) (rate(gateway_request_duration_seconds[5m])))');
    // Absent only when neither shape is there: scraped as text, a native-only histogram is its
    // classic remainder (+Inf bucket, _sum, _count), and its exporter is not gone.
    expect(byName.get('RequestMetricsAbsent')).toBe('absent_over_time(gateway_request_duration_seconds_count[10m])\nand\nabsent_over_time(gateway_request_duration_seconds[10m])');
    expect(byName.get('UpstreamMetricsAbsent')).toBe('absent_over_time(gateway_upstream_duration_seconds_count[10m])\nand\nabsent_over_time(gateway_upstream_duration_seconds[10m])');
  });

  it('reads a histogram with both shapes as (native) or (classic), the two sides keeping the same labels', () => {
    const sloRulesText = withSloOnBoth();
    const sloRules = (parse(sloRulesText) as { groups: { rules: RuleJson[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.alert?.startsWith('UpstreamLatencySLO') || r.record?.includes('upstream_latency_slo'));
    expect(sloRules).toHaveLength(9);
    const checked = promtoolCheckRules(sloRulesText);
    expect(checked.status, checked.output).toBe(0);
    const record = sloRules.find((r) => r.record === 'job_upstream:gateway_upstream_latency_slo:error_ratio_rate5m')?.expr;
    expect(record).toContain('1 - histogram_fraction(-Inf, 0.5, sum by (job, upstream) (rate(gateway_upstream_duration_seconds[5m])))');
    expect(record).toContain('sum by (job, upstream) (rate(gateway_upstream_duration_seconds_bucket{le="0.5"}[5m]))');
    const both = [...rules().map((r) => r.expr), ...sloRules.map((r) => r.expr), ...dashboardExprs()].filter((e) => /gateway_(upstream|export)_duration_seconds\b/.test(e));
    const sides = both.flatMap(orSides);
    // Every quantile, mean, rate and SLO error ratio of the two (the SLO alerts' `or` joins records).
    expect(sides.length).toBeGreaterThan(20);
    expect(sides.filter((s) => s.left.length > 0 && JSON.stringify(s.left) !== JSON.stringify(s.right))).toEqual([]);
    const quantile = rules().find((r) => r.alert === 'UpstreamLatencyHigh')?.expr ?? '';
    // The comparison applies to whichever side answered: the `or` is parenthesized as a whole.
    expect(quantile).toMatch(/^\(\n {2}\(histogram_quantile\(0\.95, sum by \(job, upstream\) \(rate\(gateway_upstream_duration_seconds\[5m\]\)\)\)\)\n {2}or\n {2}\(histogram_quantile\(0\.95, sum by \(job, upstream, le\) \(rate\(gateway_upstream_duration_seconds_bucket\[5m\]\)\)\)\)\n\) > 1\n/);
  });

  it('draws each histogram’s heatmap from its native series, the classic buckets only while no native series exists', () => {
    const heatmaps = [...outputs]
      .filter(([path]) => path === 'dashboards/gateway-upstreams.json' || path === 'dashboards/gateway-requests.json')
      .flatMap(([, text]) => (JSON.parse(text) as { panels: { type: string; title: string; targets?: { expr: string; format?: string }[] }[] }).panels)
      .filter((p) => p.type === 'heatmap');
    const targets = Object.fromEntries(heatmaps.map((p) => [p.title, (p.targets ?? []).map((t) => [t.format ?? 'time_series', t.expr.replace(/\{[^}]*\}/g, '')])]));
    expect(targets['Request duration distribution']).toEqual([['time_series', 'sum(increase(gateway_request_duration_seconds[$__rate_interval]))']]);
    expect(targets['Upstream duration distribution']).toEqual([
      ['time_series', 'sum(increase(gateway_upstream_duration_seconds[$__rate_interval]))'],
      ['heatmap', 'sum by (le) (increase(gateway_upstream_duration_seconds_bucket[$__rate_interval])) unless on() sum(histogram_count(rate(gateway_upstream_duration_seconds[$__rate_interval])))'],
    ]);
  });

  it('leaves the alerts on native-only histograms out of the generated promtool tests, saying why, and tests the others', () => {
    const tests = output('alerts/gateway.rules.test.yaml');
    expect(tests).toContain('# No tests for RequestLatencyHigh, RequestLatencySLOFastBurn, RequestLatencySLOSlowBurn: they read a native-only histogram');
    const checked = new Set([...tests.matchAll(/alertname=\\?"(\w+)\\?"/g)].map((m) => m[1]));
    expect([...checked].sort()).toEqual(['RequestMetricsAbsent', 'UpstreamLatencyHigh', 'UpstreamMetricsAbsent', 'UpstreamSlowOnAverage']);
  });
});
