/** Panels, built with the foundation SDK's builders, for each kind of plan item. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as text from '@grafana/grafana-foundation-sdk/text';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { shapeOfHistogram } from '../../catalog/model.js';
import type { Catalog, DashboardRef, LabelModel, Matchers, MetricModel, RatioModel, SummaryFigureModel } from '../../catalog/model.js';
import { eitherShape, nativeCountRate, nativeQuantile, nativeSumRate } from '../promql.js';
import { splitLabels } from './plan.js';
import type { Item } from './plan.js';
import { aggregate, histogramMean, histogramQuantile, increase, rate, selector } from './promql.js';
import type { FixedMatcher, VariableFilter } from './promql.js';
import { bySuffix, legend, markdownText, metricBaseTitle, phrase, quantileName, ratioTitle, sentence } from './text.js';
import { COUNT_UNIT, RATIO_UNIT, panelUnit } from './units.js';

/** Every panel and query reads from the dashboard's `datasource` variable. */
export const DATASOURCE: { type: string; uid: string } = { type: 'prometheus', uid: '${datasource}' };

export { DEFAULT_QUANTILES } from '../../catalog/defaults.js';

const HEIGHT = 8;
const HALF = 12;
const FULL = 24;

/** A panel builder that still needs its id. */
export type PanelLike = cog.Builder<dashboard.Panel> & { id(id: number): unknown };

export interface RenderContext {
  readonly catalog: Catalog;
  /** Label ids that have a variable on this dashboard. */
  readonly variables: ReadonlySet<string>;
}

interface Query {
  readonly expr: string;
  readonly legend: string;
  readonly heatmap?: boolean;
}

/** The panels of one item; `share` is the item's position among figures, for stat widths. */
export function renderItem(item: Item, context: RenderContext, share: { index: number; count: number }): PanelLike[] {
  switch (item.kind) {
    case 'metric':
      return metricPanels(item.metric, context);
    case 'ratio':
      return [ratioPanel(item.ratio, context)];
    case 'figure':
      return [figurePanel(item.figure, context, statWidth(share.index, share.count))];
    case 'comparison':
      return [comparisonPanel(item.label, item.metrics, context)];
    case 'navigation':
      return [navigationPanel(item.refs)];
  }
}

/** Counters as rates, gauges as values, histograms as quantiles plus a heatmap. */
export function metricPanels(metric: MetricModel, context: RenderContext): PanelLike[] {
  switch (metric.type) {
    case 'counter':
      return [counterPanel(metric, context)];
    case 'gauge':
      return [gaugePanel(metric, context)];
    case 'histogram':
      return [quantilePanel(metric, context), heatmapPanel(metric, context)];
    case 'info':
      return [infoPanel(metric, context)];
  }
}

/**
 * An info metric as a table: one row per instance with the values it reports now (the query is
 * instant, so a build replaced an hour ago is not listed beside the running one).
 */
function infoPanel(metric: MetricModel, context: RenderContext): PanelLike {
  const names = metric.infoLabels.map((label) => label.name);
  const query = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(aggregate('max', [...kept(context), 'job', 'instance', ...names], selector(metric.name, filters(metric.labels, context))))
    .legendFormat('__auto')
    .instant()
    .format(prometheus.PromQueryFormat.Table)
    .refId(refId(0));
  return new table.PanelBuilder()
    .title(metric.panel.title ?? metricBaseTitle(metric))
    .description(`${describe(metric)} What each instance reports now: ${names.join(', ')}.`)
    .datasource(DATASOURCE)
    .unit(panelUnit(metric))
    .targets([query])
    // The value is always 1 and the time is the query's: neither says anything here.
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true } } })
    .span(HALF)
    .height(HEIGHT);
}

function counterPanel(metric: MetricModel, context: RenderContext): PanelLike {
  const split = splitLabels(metric);
  const names = [...kept(context), ...split.map((label) => label.name)];
  return timeseriesPanel({
    title: metric.panel.title ?? `${metricBaseTitle(metric)} per second${bySuffix(split)}`,
    description: `${describe(metric)} Per-second rate over the rate interval, summed${bySuffix(split) || ' over all series'}.`,
    unit: panelUnit(metric),
    min: 0,
    queries: [{ expr: aggregate('sum', names, rate(selector(metric.name, filters(metric.labels, context)))), legend: legend(names) || metricBaseTitle(metric) }],
  });
}

function gaugePanel(metric: MetricModel, context: RenderContext): PanelLike {
  const split = splitLabels(metric);
  const names = split.map((label) => label.name);
  const series = selector(metric.name, filters(metric.labels, context));
  // The model decides once, so a threshold on this gauge combines its series as this panel does.
  const additive = metric.additive;
  const by = [...kept(context), ...(additive ? names : ['instance', ...names])];
  return timeseriesPanel({
    title: metric.panel.title ?? `${metricBaseTitle(metric)}${bySuffix(split)}`,
    description: `${describe(metric)} ${additive ? `Summed over the selected instances${bySuffix(split)}.` : `Per instance${bySuffix(split)} (averaged over any other label).`}`,
    unit: panelUnit(metric),
    queries: [{ expr: aggregate(additive ? 'sum' : 'avg', by, series), legend: legend(by) || metricBaseTitle(metric) }],
  });
}

function quantilePanel(metric: MetricModel, context: RenderContext): PanelLike {
  const split = splitLabels(metric);
  const names = split.map((label) => label.name);
  const quantiles = metric.panel.quantiles;
  const by = [...kept(context), ...names];
  const [bucket] = histogramSelectors(metric, context);
  const shape = shapeOfHistogram(metric);
  const native = rate(nativeSelector(metric, context));
  const queries: Query[] = quantiles.map((q) => ({ expr: eitherShape(shape, nativeQuantile(q, by, native), histogramQuantile(q, by, bucket)), legend: legend(by, quantileName(q)) }));
  // A histogram with a negative bound exposes no _sum (OpenMetrics), so it has no mean to show.
  if (metric.sumExposed) queries.push({ expr: mean(metric, context, by), legend: legend(by, 'mean') });
  const from = shape === 'classic' ? 'the buckets' : shape === 'native' ? 'the native buckets' : 'the native buckets, or the classic ones where Prometheus stored those,';
  const estimated = `${quantiles.length > 1 ? 'Quantiles' : 'Quantile'} ${quantiles.map(quantileName).join(', ')} estimated from ${from} over the rate interval`;
  const meanOf = { native: 'histogram_sum over histogram_count of the rate', classic: 'rate of _sum over rate of _count', both: 'histogram_sum over histogram_count of the rate, or rate of _sum over rate of _count' }[shape];
  return timeseriesPanel({
    title: metric.panel.title ?? `${metricBaseTitle(metric)} ${quantiles.map(quantileName).join(' / ')}${bySuffix(split)}`,
    description: `${describe(metric)} ${estimated}${metric.sumExposed ? `, and the mean (${meanOf})` : ''}${bySuffix(split)}.`,
    unit: panelUnit(metric),
    queries,
  });
}

/**
 * A native histogram's distribution, as Grafana documents it: the heatmap panel reads the native
 * histogram itself, summed over its series (a time-series query; Grafana draws each native
 * bucket). With classic buckets too, a second query reads them (heatmap format: Grafana turns
 * cumulative `le` series into buckets) only while no native series exists, so the panel draws one
 * shape, never both at once.
 */
function heatmapTargets(metric: MetricModel, context: RenderContext): { queries: Query[]; layout: common.HeatmapCellLayout; from: string } {
  const [bucket] = histogramSelectors(metric, context);
  // One row per bucket: the distribution over every selected cluster (the filters still apply), since
  // a heatmap cannot tell two series of one bucket apart; select one cluster to see its own.
  const classic: Query = { expr: aggregate('sum', ['le'], increase(bucket)), legend: '{{le}}', heatmap: true };
  const shape = shapeOfHistogram(metric);
  if (shape === 'classic') return { queries: [classic], layout: common.HeatmapCellLayout.Le, from: 'increase of _bucket by le' };
  const nativeSeries = nativeSelector(metric, context);
  // increase, as the classic query: a cell holds the observations of one rate interval either way.
  const native: Query = { expr: aggregate('sum', [], increase(nativeSeries)), legend: metricBaseTitle(metric) };
  if (shape === 'native') return { queries: [native], layout: common.HeatmapCellLayout.Auto, from: 'increase of the native histogram' };
  const onlyClassic: Query = { ...classic, expr: `${classic.expr} unless on() ${nativeCountRate([], rate(nativeSeries))}` };
  return { queries: [native, onlyClassic], layout: common.HeatmapCellLayout.Auto, from: 'increase of the native histogram, or of _bucket by le while Prometheus stores the classic buckets only' };
}

function heatmapPanel(metric: MetricModel, context: RenderContext): PanelLike {
  const { queries, layout, from } = heatmapTargets(metric, context);
  return new heatmap.PanelBuilder()
    .title(`${metric.panel.title ?? metricBaseTitle(metric)} distribution`)
    .description(`${describe(metric)} Observations per bucket in each rate interval (${from}).`)
    .datasource(DATASOURCE)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(panelUnit(metric)))
    .cellValues(new heatmap.CellValuesBuilder().unit(COUNT_UNIT))
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(layout))
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .fill('dark-orange')
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64)
        .reverse(false),
    )
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true).showColorScale(true))
    .showLegend()
    .targets(targets(queries))
    .span(HALF)
    .height(HEIGHT);
}

/** A ratio from the recording rule `alerts/` defines for it: per instance and `by` label. */
function ratioPanel(ratio: RatioModel, context: RenderContext): PanelLike {
  const by = ratio.by;
  const record = ratioRecord(ratio);
  const names = [...kept(context), 'instance', ...by.map((label) => label.name)];
  return timeseriesPanel({
    title: ratioTitle(ratio, by),
    description: `${ratio.description ?? `The ${phrase(ratio.name)} ratio.`} Per instance${bySuffix(by)}, from the recording rule ${record} (a ratio cannot be averaged across instances without its weights).`,
    unit: RATIO_UNIT,
    min: 0,
    max: 1,
    queries: [{ expr: selector(record, filters(by, context)), legend: legend(names) }],
  });
}

/** The recording rule of a ratio dashboards read: its first window's. */
export function ratioRecord(ratio: RatioModel): string {
  const record = ratio.records[0];
  if (!record) throw new Error(`ratio ${ratio.name} has no recording rule`);
  return record.name;
}

/**
 * A summary figure as one number over the selected instances, computed from the raw series so
 * that it aggregates exactly (a ratio over all instances and `by` values needs its counters).
 */
function figurePanel(figure: SummaryFigureModel, context: RenderContext, width: number): PanelLike {
  const base = new stat.PanelBuilder()
    .datasource(DATASOURCE)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(common.BigValueTextMode.Auto)
    .span(width)
    .height(4);
  if (figure.kind === 'ratio') {
    const { ratio } = figure;
    const { numerator, denominator } = ratio;
    const part = (metric: MetricModel, match: Matchers): string => aggregate('sum', kept(context), rate(selector(metric.name, filters(metric.labels, context), fixedMatchers(match))));
    return base
      .title(sentence(figure.id))
      .description(`${figure.description ?? ratio.description ?? `The ${phrase(ratio.name)} ratio.`} Over the selected instances and the rate interval, from the counters.`)
      .unit(RATIO_UNIT)
      .min(0)
      .max(1)
      .targets(targets([{ expr: `${part(numerator, ratio.match)} / ${part(denominator, ratio.denominatorMatch)}`, legend: legend(kept(context), sentence(figure.id)) }]));
  }
  const { metric } = figure;
  const filter = filters(metric.labels, context);
  if (figure.kind === 'average') {
    const expr =
      metric.type === 'histogram'
        ? mean(metric, context, kept(context))
        : metric.type === 'counter'
          ? aggregate('sum', kept(context), rate(selector(metric.name, filter)))
          : aggregate('avg', kept(context), selector(metric.name, filter));
    return base
      .title(sentence(figure.id.replace(/_(seconds|bytes)$/, '')))
      .description(`${figure.description ?? metric.help} Over the selected instances and the rate interval.`)
      .unit(panelUnit(metric))
      .targets(targets([{ expr, legend: legend(kept(context), sentence(figure.id)) }]));
  }
  const expr = metric.type === 'counter' ? `${aggregate('sum', kept(context), rate(selector(metric.name, filter)))} * 3600` : aggregate('sum', kept(context), selector(metric.name, filter));
  return base
    .title(metric.type === 'counter' ? `${sentence(figure.id.replace(/^total_/, ''))} per hour` : sentence(figure.id))
    .description(`${figure.description ?? metric.help} ${metric.type === 'counter' ? 'Rate per hour over the selected instances and the rate interval.' : 'Summed over the selected instances.'}`)
    .unit(panelUnit(metric))
    .targets(targets([{ expr, legend: legend(kept(context), sentence(figure.id)) }]));
}

/** Means per label value of several histograms, each on its own unit (and so its own axis). */
function comparisonPanel(label: LabelModel, metrics: readonly MetricModel[], context: RenderContext): PanelLike {
  const queries = metrics.map((metric): Query => {
    const by = [...kept(context), label.name];
    return { expr: mean(metric, context, by), legend: `${legend(by)}: ${metricBaseTitle(metric)} (mean)` };
  });
  const panel = timeseriesPanel({
    title: `${sentence(label.id)} comparison`,
    description: `Mean per ${phrase(label.name)} over the rate interval: ${metrics.map((m) => `${metricBaseTitle(m)} (${m.help.replace(/\.$/, '')})`).join('; ')}.`,
    unit: panelUnit(metrics[0]!),
    queries,
  });
  metrics.forEach((metric, index) => {
    if (index > 0) panel.overrideByQuery(refId(index), [{ id: 'unit', value: panelUnit(metric) }]);
  });
  return panel;
}

function navigationPanel(refs: readonly DashboardRef[]): PanelLike {
  const lines = refs.map((ref) => `- [${markdownText(ref.title)}](/d/${ref.uid})`);
  return new text.PanelBuilder()
    .title('Dashboards')
    .description('Every dashboard generated from the catalogue, the overview first, then one per group in group order.')
    .mode(text.TextMode.Markdown)
    .content(lines.join('\n'))
    .span(FULL)
    .height(Math.max(3, refs.length + 1));
}

interface TimeseriesOptions {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly min?: number;
  readonly max?: number;
}

function timeseriesPanel(options: TimeseriesOptions): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(DATASOURCE)
    .unit(options.unit)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(10)
    .targets(targets(options.queries))
    .span(HALF)
    .height(HEIGHT);
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  return panel;
}

function targets(queries: readonly Query[]): prometheus.DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new prometheus.DataqueryBuilder()
      .datasource(DATASOURCE)
      .editorMode(prometheus.QueryEditorMode.Code)
      .expr(query.expr)
      .legendFormat(query.legend)
      .range()
      .refId(refId(index));
    if (query.heatmap) target.format(prometheus.PromQueryFormat.Heatmap);
    return target;
  });
}

/** `A`, `B`, … `Z`, `AA`, … */
export function refId(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : refId(Math.floor(index / 26) - 1) + letter;
}

/** Stats share the 24 columns of a line, six at most per line. */
function statWidth(index: number, count: number): number {
  const perLine = Math.min(count, 6);
  const line = Math.floor(index / perLine);
  const inLine = Math.min(perLine, count - line * perLine);
  const position = index - line * perLine;
  return Math.floor(FULL / inLine) + (position < FULL % inLine ? 1 : 0);
}

/**
 * Dashboard variables the series of these labels are filtered by: the aggregation labels' (every
 * series carries them), then those of the labels with a variable on this dashboard.
 */
function filters(labels: readonly LabelModel[], context: RenderContext): VariableFilter[] {
  return [
    ...aggregationFilters(context.catalog),
    ...labels.filter((label) => context.variables.has(label.id)).map((label) => ({ label: label.name, variable: label.id })),
  ];
}

/** `cluster=~"$cluster"` for each aggregation label: its variable is named after it. */
export function aggregationFilters(catalog: Catalog): VariableFilter[] {
  return catalog.aggregationLabels.map((name) => ({ label: name, variable: name }));
}

/**
 * Labels every aggregation of a panel keeps, before its own: the store's aggregation labels, so
 * each cluster is its own series (a heatmap's distribution excepted, see heatmapPanel).
 */
function kept(context: RenderContext): readonly string[] {
  return context.catalog.aggregationLabels;
}

function fixedMatchers(match: Matchers): FixedMatcher[] {
  return match.map((m) => ({ label: m.label.name, values: m.values, negated: m.negated }));
}

function histogramSelectors(metric: MetricModel, context: RenderContext): [bucket: string, sum: string, count: string] {
  const [bucket = metric.name, sum = metric.name, count = metric.name] = metric.samples;
  const filter = filters(metric.labels, context);
  return [selector(bucket, filter), selector(sum, filter), selector(count, filter)];
}

/** A native histogram's own series, filtered as its classic series are. */
function nativeSelector(metric: MetricModel, context: RenderContext): string {
  return selector(metric.name, filters(metric.labels, context));
}

/** Mean observation of a histogram over the rate interval, by `by`, from whichever shape Prometheus stores. */
function mean(metric: MetricModel, context: RenderContext, by: readonly string[]): string {
  const [, sum, count] = histogramSelectors(metric, context);
  const native = rate(nativeSelector(metric, context));
  return eitherShape(shapeOfHistogram(metric), `${nativeSumRate(by, native)} / ${nativeCountRate(by, native)}`, histogramMean(by, sum, count));
}


function describe(metric: MetricModel): string {
  const text = metric.panel.description ?? metric.help;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
