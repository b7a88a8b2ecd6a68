/**
 * The dashboards show the whole catalogue as the model describes it: every metric, every ratio,
 * units, descriptions and panel hints, label variables and layout.
 */
import { describe, expect, it } from 'vitest';
import { dashboardRefs, generatedHeader, sampleNames } from '../../generator/conventions.js';
import { editedCatalog, emit, panelsOf, projectCatalog } from './helpers/dashboard.js';
import type { DashboardJson, PanelJson } from './helpers/dashboard.js';
import { parsedTargets, variableQueryExpr } from './helpers/lint.js';
import { DEFAULT_QUANTILES, expectedSplit, expectedUnit, panelsOfMetric, recordOf, seriesOfDashboard, seriesOfPanel, seriesOwners } from './helpers/model.js';
import { aggregation, enclosingAggregation, enclosingCall, functionName, parseQuery, selectorMatchers, selectorName } from './helpers/promql.js';
import type { ParsedQuery } from './helpers/promql.js';
import { hintedCatalog } from './helpers/variants.js';

const catalogues = [
  ['metrics.yaml', projectCatalog()],
  ['metrics.yaml with panel hints', hintedCatalog()],
  ['metrics.yaml with groups reordered', editedCatalog((raw) => {
    raw.groups['exporter']!.order = 0;
    raw.groups['performance']!.order = 9;
  })],
] as const;

/** Queries of a panel, parsed. */
function queriesOf(dashboard: DashboardJson, panel: PanelJson): ParsedQuery[] {
  return parsedTargets(dashboard)
    .filter((t) => t.panel === panel)
    .map((t) => t.query);
}

/** The aggregation directly around `rate(<series>[...])` / `increase(...)` in a query. */
function aggregationsAroundRate(query: ParsedQuery, series: string): { fn: string; op: string; labels: string[] }[] {
  return query
    .nodes('VectorSelector')
    .filter((s) => selectorName(query, s) === series)
    .flatMap((selector) => {
      const call = selector.parent?.name === 'MatrixSelector' ? enclosingCall(selector.parent) : undefined;
      const aggregate = call && enclosingAggregation(call);
      if (!call || !aggregate) return [];
      const { op, labels } = aggregation(query, aggregate);
      return [{ fn: functionName(query, call), op, labels }];
    });
}

function quantileArguments(query: ParsedQuery): number[] {
  return query
    .nodes('FunctionCall')
    .filter((call) => functionName(query, call) === 'histogram_quantile')
    .map((call) => Number(query.slice(call.getChild('FunctionCallBody')!.firstChild!)));
}

describe.each(catalogues)('%s', (_, catalog) => {
  const { dashboards } = emit(catalog);
  const refs = dashboardRefs(catalog.namespace, catalog.groups);
  const byUid = new Map([...dashboards.values()].map((d) => [d.uid, d]));
  const groupDashboard = (groupId: string): DashboardJson => {
    const index = catalog.groups.findIndex((g) => g.id === groupId);
    return dashboards.get(refs[index + 1]!.file)!;
  };

  it('emits exactly the dashboards dashboardRefs lists, in its order, with their uids and titles', () => {
    expect([...dashboards.keys()]).toEqual(refs.map((r) => r.file));
    expect([...dashboards.values()].map((d) => [d.uid, d.title])).toEqual(refs.map((r) => [r.uid, r.title]));
    expect(byUid.size).toBe(refs.length);
  });

  it('starts every dashboard with a description carrying the generated header, and makes it read-only', () => {
    const header = generatedHeader(catalog.sourceFile, '').trim();
    for (const dashboard of dashboards.values()) {
      expect(Object.keys(dashboard)[0]).toBe('description');
      expect(dashboard.description?.startsWith(header)).toBe(true);
      expect(dashboard.editable).toBe(false);
    }
  });

  it('links every dashboard to the others by the namespace tag', () => {
    for (const dashboard of dashboards.values()) {
      expect(dashboard.tags).toContain(catalog.namespace);
      expect(dashboard.links).toContainEqual(expect.objectContaining({ type: 'dashboards', tags: [catalog.namespace], includeVars: true, keepTime: true }));
    }
  });

  it('queries every shown metric, all its series, on its group dashboard; hidden metrics not there', () => {
    for (const group of catalog.groups) {
      const shown = seriesOfDashboard(groupDashboard(group.id));
      for (const metric of group.metrics) {
        for (const name of sampleNames(metric.name, metric.type, metric.buckets)) expect(shown.has(name), `${name} on ${group.id}`).toBe(metric.panel.hide !== true);
      }
    }
  });

  it('queries every catalogue metric somewhere, except hidden ones, and only catalogue series', () => {
    const owners = seriesOwners(catalog);
    const everywhere = new Set([...dashboards.values()].flatMap((d) => [...seriesOfDashboard(d)]));
    for (const series of everywhere) expect(owners.has(series), series).toBe(true);
    for (const metric of catalog.metrics.filter((m) => m.panel.hide !== true)) expect(everywhere.has(metric.name) || everywhere.has(`${metric.name}_bucket`), metric.name).toBe(true);
  });

  it('shows every ratio from its recording rule on the dashboard of the metric declaring it, as a 0-1 percentage', () => {
    for (const group of catalog.groups) {
      const dashboard = groupDashboard(group.id);
      for (const ratio of group.metrics.flatMap((m) => m.ratios)) {
        const record = recordOf(catalog, ratio);
        const panels = panelsOf(dashboard).filter((p) => seriesOfPanel(dashboard, p).has(record));
        expect(panels, record).toHaveLength(1);
        expect(panels[0]!.fieldConfig?.defaults).toMatchObject({ unit: 'percentunit', min: 0, max: 1 });
      }
    }
  });

  it('gives each metric panel the unit, description and title the catalogue says', () => {
    for (const group of catalog.groups) {
      const dashboard = groupDashboard(group.id);
      for (const metric of group.metrics.filter((m) => m.panel.hide !== true)) {
        const panels = panelsOfMetric(dashboard, metric);
        expect(panels.length, metric.name).toBe(metric.type === 'histogram' ? 2 : 1);
        for (const panel of panels) {
          const unit = panel.type === 'heatmap' ? panel.options?.yAxis?.unit : panel.fieldConfig?.defaults?.unit;
          expect(unit, `${metric.name} ${panel.title}`).toBe(expectedUnit(metric));
          expect(panel.description?.startsWith(metric.panel.description ?? metric.help), panel.description).toBe(true);
        }
        if (metric.panel.title !== undefined) {
          expect(panels[0]!.title).toBe(metric.panel.title);
          for (const panel of panels) expect(panel.title?.startsWith(metric.panel.title)).toBe(true);
        }
      }
    }
  });

  it('splits counters, gauges and histogram quantiles by the hinted labels (default: all), with legends', () => {
    for (const group of catalog.groups) {
      const dashboard = groupDashboard(group.id);
      for (const metric of group.metrics.filter((m) => m.panel.hide !== true)) {
        const split = expectedSplit(metric).map((l) => l.name);
        for (const panel of panelsOfMetric(dashboard, metric)) {
          const targets = parsedTargets(dashboard).filter((t) => t.panel === panel);
          for (const { target, query } of targets) {
            if (metric.type === 'counter') {
              expect(aggregationsAroundRate(query, metric.name)).toEqual([{ fn: 'rate', op: 'sum', labels: split }]);
            } else if (metric.type === 'gauge') {
              const aggregate = query.nodes('AggregateExpr')[0];
              expect(aggregate && aggregation(query, aggregate).labels.filter((l) => l !== 'instance')).toEqual(split);
            } else if (panel.type === 'heatmap') {
              expect(target.format).toBe('heatmap');
              expect(target.legendFormat).toBe('{{le}}');
              expect(aggregationsAroundRate(query, `${metric.name}_bucket`)).toEqual([{ fn: 'increase', op: 'sum', labels: ['le'] }]);
            } else if (quantileArguments(query).length > 0) {
              expect(aggregationsAroundRate(query, `${metric.name}_bucket`)).toEqual([{ fn: 'rate', op: 'sum', labels: ['le', ...split] }]);
            } else {
              // the mean: rate of _sum over rate of _count, with the same split
              expect(aggregationsAroundRate(query, `${metric.name}_sum`)).toEqual([{ fn: 'rate', op: 'sum', labels: split }]);
              expect(aggregationsAroundRate(query, `${metric.name}_count`)).toEqual([{ fn: 'rate', op: 'sum', labels: split }]);
            }
            if (panel.type !== 'heatmap') for (const label of split) expect(target.legendFormat).toContain(`{{${label}}}`);
          }
        }
      }
    }
  });

  it('shows the hinted quantiles of each histogram (default p50, p95, p99)', () => {
    for (const group of catalog.groups) {
      const dashboard = groupDashboard(group.id);
      for (const metric of group.metrics.filter((m) => m.type === 'histogram' && m.panel.hide !== true)) {
        const quantiles = panelsOfMetric(dashboard, metric).flatMap((panel) => queriesOf(dashboard, panel).flatMap(quantileArguments));
        expect(quantiles, metric.name).toEqual(metric.panel.quantiles ?? DEFAULT_QUANTILES);
      }
    }
  });

  it('turns legends on', () => {
    for (const dashboard of dashboards.values()) {
      for (const panel of panelsOf(dashboard)) {
        if (panel.type === 'timeseries') expect(panel.options?.legend?.showLegend, panel.title).toBe(true);
        if (panel.type === 'heatmap') expect(panel.options?.legend?.show, panel.title).toBe(true);
      }
    }
  });

  it('sets unique panel ids and refIds, and lays panels out on the grid without overlap', () => {
    for (const dashboard of dashboards.values()) {
      const ids = dashboard.panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id! > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panelsOf(dashboard)) {
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(refIds.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
      const boxes = dashboard.panels.map((p) => p.gridPos!);
      boxes.forEach((a, i) => {
        expect(a.x >= 0 && a.w > 0 && a.x + a.w <= 24 && a.h > 0).toBe(true);
        boxes.slice(i + 1).forEach((b) => {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap).toBe(false);
        });
      });
      // rows are expanded, so their panels follow them at top level (Grafana drops panels nested in an expanded row)
      for (const row of dashboard.panels.filter((p) => p.type === 'row')) expect([row.collapsed, row.panels?.length ?? 0]).toEqual([false, 0]);
    }
  });

  it('filters every series carrying a label by that label\u2019s dashboard variable', () => {
    const owners = seriesOwners(catalog);
    for (const dashboard of dashboards.values()) {
      const labelVariables = dashboard.templating.list.filter((v) => !['datasource', 'job', 'instance'].includes(v.name));
      for (const variable of labelVariables) {
        const label = catalog.labels.find((l) => l.id === variable.name);
        expect(label, variable.name).toBeDefined();
        // its values come from a series that has the label
        const found = variableQueryExpr(variable);
        expect('expr' in found && found.expr).toBeTruthy();
        const query = parseQuery((found as { expr: string }).expr, new Set(['job', 'instance']));
        const selector = query.nodes('VectorSelector')[0]!;
        const owner = owners.get(selectorName(query, selector)!);
        expect(owner?.kind === 'metric' && owner.metric.labels.some((l) => l.id === label!.id)).toBe(true);
        expect(String(variable.query)).toMatch(new RegExp(`, ${label!.name}\\)$`));
        expect(selectorMatchers(query, selector).map((m) => m.label)).toEqual(['job', 'instance']);
      }
      const variableLabels = new Set(labelVariables.map((v) => v.name));
      for (const { panel, query } of parsedTargets(dashboard)) {
        for (const selector of query.nodes('VectorSelector')) {
          const owner = owners.get(selectorName(query, selector)!)!;
          const labels = owner.kind === 'metric' ? owner.metric.labels : owner.labels;
          const expected = labels.filter((l) => variableLabels.has(l.id)).map((l) => ({ label: l.name, op: '=~', value: `"$${l.id}"` }));
          const matchers = selectorMatchers(query, selector).filter((m) => m.value.startsWith('"$') && m.label !== 'job' && m.label !== 'instance');
          expect(matchers, `${dashboard.uid} ${panel.title} ${query.source(selector)}`).toEqual(expected);
        }
      }
    }
  });

  it('offers a label variable only where a panel splits by that label', () => {
    for (const dashboard of dashboards.values()) {
      const splitLabels = new Set(
        parsedTargets(dashboard).flatMap(({ target }) => [...(target.legendFormat ?? '').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!)),
      );
      for (const variable of dashboard.templating.list.slice(3)) {
        const label = catalog.labels.find((l) => l.id === variable.name)!;
        expect(splitLabels.has(label.name), `${dashboard.uid} ${variable.name}`).toBe(true);
      }
    }
  });
});

describe('variables of the project dashboards', () => {
  const catalog = projectCatalog();
  const { dashboards } = emit(catalog);

  it('orders them datasource, job, instance, then labels; the overview filters by agent and cache layer', () => {
    for (const dashboard of dashboards.values()) expect(dashboard.templating.list.slice(0, 3).map((v) => v.name)).toEqual(['datasource', 'job', 'instance']);
    const overview = [...dashboards.values()][0]!;
    expect(overview.templating.list.slice(3).map((v) => v.name)).toEqual(['agent', 'cache_layer']);
  });

  it('reads job and instance from a series every scrape of the exporter produces', () => {
    const exporter = catalog.metrics.find((m) => m.role === 'scrape_duration')!;
    for (const dashboard of dashboards.values()) {
      const [, job, instance] = dashboard.templating.list;
      expect(job?.query).toBe(`label_values(${exporter.name}_count, job)`);
      expect(instance?.query).toBe(`label_values(${exporter.name}_count{job=~"$job"}, instance)`);
    }
  });
});


