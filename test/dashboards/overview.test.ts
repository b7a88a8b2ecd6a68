/**
 * The overview: ADR-010's six panels done right, derived from the catalogue's summary figures,
 * plus the comparison and the navigation.
 */
import { describe, expect, it } from 'vitest';
import { dashboardRefs } from '../../generator/conventions.js';
import type { Matchers, MetricModel } from '../../generator/catalog/model.js';
import { emit, panelsOf, projectCatalog } from './helpers/dashboard.js';
import type { DashboardJson, PanelJson } from './helpers/dashboard.js';
import { parsedTargets } from './helpers/lint.js';
import { expectedSplit, expectedUnit, recordOf, seriesOfPanel } from './helpers/model.js';
import { aggregation, enclosingAggregation, enclosingCall, functionName, selectorMatchers, selectorName } from './helpers/promql.js';
import type { ParsedQuery } from './helpers/promql.js';

const catalog = projectCatalog();
const { dashboards } = emit(catalog);
const overview = dashboards.get(dashboardRefs(catalog.namespace, catalog.groups)[0]!.file)!;
const metric = (key: string): MetricModel => catalog.metrics.find((m) => m.key === key)!;
const ratio = (name: string) => catalog.metrics.flatMap((m) => m.ratios).find((r) => r.name === name)!;

function panelsQuerying(dashboard: DashboardJson, ...series: string[]): PanelJson[] {
  return panelsOf(dashboard).filter((panel) => series.every((s) => seriesOfPanel(dashboard, panel).has(s)));
}

/** `<op> by (<labels>) (<fn>(<series>{...}[...]))` occurrences for one series. */
function rateShapes(query: ParsedQuery, series: string): string[] {
  return query
    .nodes('VectorSelector')
    .filter((s) => selectorName(query, s) === series)
    .map((selector) => {
      const call = selector.parent?.name === 'MatrixSelector' ? enclosingCall(selector.parent) : undefined;
      const aggregate = call && enclosingAggregation(call);
      if (!call || !aggregate) return 'bare';
      const { op, labels } = aggregation(query, aggregate);
      return `${op} by (${labels.join(', ')}) (${functionName(query, call)})`;
    });
}

function targetsOf(panel: PanelJson) {
  return parsedTargets(overview).filter((t) => t.panel === panel);
}

describe('overview summary', () => {
  const stats = panelsOf(overview).filter((p) => p.type === 'stat');

  it('has one stat per summary figure, in file order', () => {
    expect(stats).toHaveLength(catalog.summary.length);
  });

  it.each(catalog.summary.map((f, i) => [f.id, f, i] as const))('computes %s from the raw series', (_, figure, index) => {
    const panel = stats[index]!;
    const [{ query }] = targetsOf(panel) as [ReturnType<typeof targetsOf>[number]];
    expect(panel.description?.startsWith(figure.description ?? '')).toBe(true);
    if (figure.kind === 'ratio') {
      const { numerator, denominator } = figure.ratio;
      expect(query.nodes('Div')).toHaveLength(1);
      const selectors = query.nodes('VectorSelector');
      expect(selectors.map((s) => selectorName(query, s))).toEqual([numerator.name, denominator.name]);
      for (const name of new Set([numerator.name, denominator.name])) expect(new Set(rateShapes(query, name))).toEqual(new Set(['sum by () (rate)']));
      // numerator and denominator carry the ratio's matches, as exposed label names
      const fixed = (selector: (typeof selectors)[number], match: Matchers) => {
        expect(selectorMatchers(query, selector).filter((m) => m.op === '=')).toEqual(match.map((m) => ({ label: m.label.name, op: '=', value: `"${m.values[0]}"` })));
      };
      fixed(selectors[0]!, figure.ratio.match);
      fixed(selectors[1]!, figure.ratio.denominatorMatch);
      expect(panel.fieldConfig?.defaults?.unit).toBe('percentunit');
    } else if (figure.kind === 'average') {
      expect(rateShapes(query, `${figure.metric.name}_sum`)).toEqual(['sum by () (rate)']);
      expect(rateShapes(query, `${figure.metric.name}_count`)).toEqual(['sum by () (rate)']);
      expect(panel.fieldConfig?.defaults?.unit).toBe(expectedUnit(figure.metric));
    } else {
      expect(rateShapes(query, figure.metric.name)).toEqual(['sum by () (rate)']);
      expect(panel.fieldConfig?.defaults?.unit).toBe(expectedUnit(figure.metric));
    }
  });
});

describe('ADR-010 six panels, done right', () => {
  it('task success ratio, from the recording rule', () => {
    const record = recordOf(catalog, ratio('task_success'));
    const [panel] = panelsQuerying(overview, record);
    expect(panel?.type).toBe('timeseries');
    expect(panel?.fieldConfig?.defaults).toMatchObject({ unit: 'percentunit', min: 0, max: 1 });
  });

  it('task latency p95, histogram_quantile over the rate of _bucket summed by le', () => {
    const bucket = `${metric('task_duration_seconds').name}_bucket`;
    const [panel] = panelsQuerying(overview, bucket).filter((p) => p.type === 'timeseries');
    const p95 = targetsOf(panel!).filter(({ query }) =>
      query.nodes('FunctionCall').some((call) => functionName(query, call) === 'histogram_quantile' && query.slice(call.getChild('FunctionCallBody')!.firstChild!) === '0.95'),
    );
    expect(p95).toHaveLength(1);
    expect(rateShapes(p95[0]!.query, bucket)).toEqual(['sum by (le) (rate)']);
    expect(panel!.fieldConfig?.defaults?.unit).toBe('s');
  });

  it('quality score distribution, a heatmap of bucket increases by le', () => {
    const bucket = `${metric('quality_score').name}_bucket`;
    const [panel] = panelsQuerying(overview, bucket).filter((p) => p.type === 'heatmap');
    const [target] = targetsOf(panel!);
    expect(target?.target).toMatchObject({ format: 'heatmap', legendFormat: '{{le}}' });
    expect(rateShapes(target!.query, bucket)).toEqual(['sum by (le) (increase)']);
    expect(panel!.options?.calculate).toBe(false);
  });

  it('cost by agent, the rate of api_cost_usd_total summed by agent', () => {
    const cost = metric('api_cost_usd_total');
    const [panel] = panelsQuerying(overview, cost.name).filter((p) => p.type === 'timeseries');
    expect(rateShapes(targetsOf(panel!)[0]!.query, cost.name)).toEqual([`sum by (${expectedSplit(cost).map((l) => l.name).join(', ')}) (rate)`]);
    expect(expectedSplit(cost).map((l) => l.name)).toEqual(['agent']);
    expect(panel!.fieldConfig?.defaults?.unit).toBe('currencyUSD');
  });

  it('cache hit ratio by layer, from the recording rule, filtered by the cache layer variable', () => {
    const record = recordOf(catalog, ratio('cache_hit'));
    expect(record).toBe('instance_cache_layer:lazybird_cache_hit:ratio_rate5m');
    const [panel] = panelsQuerying(overview, record);
    const [{ query, target }] = targetsOf(panel!) as [ReturnType<typeof targetsOf>[number]];
    expect(selectorMatchers(query, query.nodes('VectorSelector')[0]!)).toContainEqual({ label: 'cache_layer', op: '=~', value: '"$cache_layer"' });
    expect(target.legendFormat).toContain('{{cache_layer}}');
  });

  it('agent comparison: mean quality and mean cost per call per agent, from histogram _sum / _count rates', () => {
    const quality = metric('agent_quality_score').name;
    const cost = metric('agent_call_cost_usd').name;
    const [panel] = panelsQuerying(overview, `${quality}_sum`, `${quality}_count`, `${cost}_sum`, `${cost}_count`);
    expect(panel).toBeDefined();
    for (const { query } of targetsOf(panel!)) {
      expect(query.nodes('Div')).toHaveLength(1);
      const [sum, count] = query.nodes('VectorSelector').map((s) => selectorName(query, s)!);
      expect([sum?.replace(/_sum$/, ''), count?.replace(/_count$/, '')]).toEqual([sum?.replace(/_sum$/, ''), sum?.replace(/_sum$/, '')]);
      expect(rateShapes(query, sum!)).toEqual(['sum by (agent) (rate)']);
      expect(rateShapes(query, count!)).toEqual(['sum by (agent) (rate)']);
    }
    // each query on its own unit
    const overrides = panel!.fieldConfig?.overrides ?? [];
    expect(panel!.fieldConfig?.defaults?.unit).toBe('none');
    expect(overrides).toContainEqual({ matcher: { id: 'byFrameRefID', options: 'B' }, properties: [{ id: 'unit', value: 'currencyUSD' }] });
  });
});

describe('overview navigation', () => {
  it('links every dashboard in group order', () => {
    const refs = dashboardRefs(catalog.namespace, catalog.groups);
    const [text] = panelsOf(overview).filter((p) => p.type === 'text') as [PanelJson & { options: { content: string } }];
    const linked = [...text.options.content.matchAll(/\]\(\/d\/([\w-]+)\)/g)].map((m) => m[1]);
    expect(linked).toEqual(refs.map((r) => r.uid));
  });
});
