import { camelCase, droppedMetricKey, eventMethodName, eventTypeName, labelTypeName, metricFullName, metricPropertyName } from '../conventions.js';
import type { Position } from './diagnostics.js';
import type { AlertKind, MetricType, RawAlert, RawCatalog, RawLabel, RawPanel, Severity, Unit } from './raw.js';
import { DROP_REASONS, DROPPED_HELP } from '../../runtime/drops.js';
import { DEFAULT_SCRAPE_INTERVAL } from './rules/alerts.js';
import { operationOf } from './rules/events.js';

export type { AlertKind, MetricType, Severity, Unit };

export const DEFAULT_BUDGET = { seriesPerMetric: 500, totalSeries: 10_000 } as const;


/** The resolved catalogue every emitter consumes; emitters never read YAML. */
export interface Catalog {
  readonly namespace: string;
  /** Basename of the catalogue file, for generated headers. */
  readonly sourceFile: string;
  readonly runbookUrl: string | undefined;
  /** How often Prometheus scrapes the exporter. */
  readonly scrapeInterval: string;
  readonly budget: { readonly seriesPerMetric: number; readonly totalSeries: number };
  readonly labels: readonly LabelModel[];
  /** In display order, each with its metrics in file order. */
  readonly groups: readonly GroupModel[];
  /** All metrics in group order, then file order; the index is the metric's id in the runtime. */
  readonly metrics: readonly MetricModel[];
  readonly events: readonly EventModel[];
  /** Figures of `metrics.summary()`, in file order. */
  readonly summary: readonly SummaryFigureModel[];
  readonly totalSeries: number;
}

export type SummaryFigureModel = { readonly id: string; readonly property: string; readonly description: string | undefined } & (
  | { readonly kind: 'average'; readonly metric: MetricModel }
  | { readonly kind: 'total'; readonly metric: MetricModel }
  | { readonly kind: 'ratio'; readonly ratio: RatioModel }
);

export interface LabelModel {
  readonly id: string;
  /** Exposed label name. */
  readonly name: string;
  readonly description: string;
  /** Allowed values, the overflow value last when there is one. */
  readonly values: readonly string[];
  readonly overflow: string | undefined;
  readonly typeName: string;
  /** True for labels the generator made (the drop counter's), which have no TypeScript type. */
  readonly builtin: boolean;
}

export interface GroupModel {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly metrics: readonly MetricModel[];
}

export interface MetricModel {
  /** Name without namespace, as written in the catalogue. */
  readonly key: string;
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: Unit;
  readonly labels: readonly LabelModel[];
  readonly buckets: readonly number[];
  readonly series: number;
  readonly seriesLimit: number;
  readonly group: string;
  readonly stability: 'stable' | 'experimental';
  readonly deprecated: { readonly reason: string; readonly replacedBy: string | undefined } | undefined;
  readonly role: 'scrape_duration' | 'dropped_records' | undefined;
  readonly panel: RawPanel;
  readonly alerts: readonly AlertModel[];
  readonly ratios: readonly RatioModel[];
  /** Property of `createMetrics()`. */
  readonly property: string;
  /** Where the metric is declared (built-in metrics: the top of the file). */
  readonly source: Position;
}

/** An alert with its defaults applied; durations in Prometheus spelling. */
export interface AlertModel {
  readonly name: string;
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string | undefined;
  readonly for: string | undefined;
  /** Key of the metric it is declared on. */
  readonly metric: string;
  /** Label ids kept. */
  readonly by: readonly string[];
  /** Label id → value. */
  readonly match: Readonly<Record<string, string>>;
  readonly of: 'value' | 'rate' | 'ratio' | 'average' | 'delta' | undefined;
  readonly ratio: string | undefined;
  readonly above: number | undefined;
  readonly below: number | undefined;
  readonly quantile: number | undefined;
  readonly window: string;
  readonly dropPercent: number | undefined;
  readonly offset: string;
  readonly baseline: string;
  readonly z: number | undefined;
  readonly minRate: number | undefined;
  readonly objective: number | undefined;
  readonly good: Readonly<Record<string, string>> | undefined;
  readonly bad: Readonly<Record<string, string>> | undefined;
  readonly latencyBelow: number | undefined;
  readonly sloWindow: string;
}

const DEFAULT_WINDOW: Readonly<Record<AlertKind, string>> = {
  threshold: '5m',
  quantile: '5m',
  degradation: '1h',
  anomaly: '5m',
  absence: '10m',
  stall: '30m',
  slo: '5m',
};

export interface RatioModel {
  readonly name: string;
  readonly description: string | undefined;
  readonly numerator: MetricModel['key'];
  readonly match: Readonly<Record<string, string>>;
  readonly denominator: MetricModel['key'];
  readonly denominatorMatch: Readonly<Record<string, string>>;
  readonly by: readonly string[];
}

export type EventField =
  | { readonly id: string; readonly kind: 'label'; readonly label: LabelModel; readonly description: string | undefined }
  | { readonly id: string; readonly kind: 'number'; readonly optional: boolean; readonly description: string | undefined };

export interface EventRecordModel {
  readonly operation: 'inc' | 'dec' | 'set' | 'observe';
  readonly metric: MetricModel;
  /** Number field for observe/set/inc-by/dec-by, undefined for a step of 1. */
  readonly valueField: string | undefined;
  /** One binding per metric label, in the metric's label order. */
  readonly labels: readonly ({ readonly kind: 'field'; readonly field: string } | { readonly kind: 'fixed'; readonly value: string })[];
}

export interface EventModel {
  readonly id: string;
  readonly description: string;
  readonly method: string;
  readonly typeName: string;
  readonly fields: readonly EventField[];
  readonly records: readonly EventRecordModel[];
}

export function labelNameOf(id: string, label: RawLabel): string {
  return label.name ?? id;
}

/** Product of label value counts; histograms × (buckets + `+Inf` + `_sum` + `_count`). */
export function seriesCount(labelValueCounts: readonly number[], buckets: number | undefined): number {
  const combinations = labelValueCounts.reduce((product, count) => product * count, 1);
  return buckets === undefined ? combinations : combinations * (buckets + 3);
}

/** Resolve a catalogue that passed schema and rules into the model. */
export function buildModel(
  raw: RawCatalog,
  sourceFile: string,
  locate: (path: readonly (string | number)[], options?: { key?: boolean }) => Position,
): Catalog {
  const budget = {
    seriesPerMetric: raw.budget?.series_per_metric ?? DEFAULT_BUDGET.seriesPerMetric,
    totalSeries: raw.budget?.total_series ?? DEFAULT_BUDGET.totalSeries,
  };
  const labels = new Map<string, LabelModel>(
    Object.entries(raw.labels).map(([id, label]) => [
      id,
      {
        id,
        name: labelNameOf(id, label),
        description: label.description,
        values: label.overflow === undefined ? [...label.values] : [...label.values, label.overflow],
        overflow: label.overflow,
        typeName: labelTypeName(id),
        builtin: false,
      },
    ]),
  );

  const groupOrder = Object.entries(raw.groups)
    .map(([id, group], index) => ({ id, group, index }))
    .sort((a, b) => (a.group.order ?? Infinity) - (b.group.order ?? Infinity) || a.index - b.index);

  const byGroup = new Map<string, MetricModel[]>(groupOrder.map(({ id }) => [id, []]));
  for (const [key, metric] of Object.entries(raw.metrics)) {
    const metricLabels = (metric.labels ?? []).map((id) => labels.get(id)).filter((l): l is LabelModel => l !== undefined);
    const buckets = metric.type === 'histogram' ? [...(metric.buckets ?? [])] : [];
    const model: MetricModel = {
      key,
      name: metricFullName(raw.namespace, key),
      type: metric.type,
      help: metric.help,
      unit: metric.unit,
      labels: metricLabels,
      buckets,
      series: seriesCount(
        metricLabels.map((l) => l.values.length),
        metric.type === 'histogram' ? buckets.length : undefined,
      ),
      seriesLimit: metric.series_limit ?? budget.seriesPerMetric,
      group: metric.group,
      stability: metric.stability ?? 'stable',
      deprecated: metric.deprecated && { reason: metric.deprecated.reason, replacedBy: metric.deprecated.replaced_by },
      role: metric.role,
      panel: metric.panel ?? {},
      alerts: (metric.alerts ?? []).map((alert) => resolveAlert(key, alert)),
      ratios: (metric.ratios ?? []).map((ratio) => ({
        name: ratio.name,
        description: ratio.description,
        numerator: key,
        match: ratio.match ?? {},
        denominator: ratio.denominator ?? key,
        denominatorMatch: ratio.denominator_match ?? {},
        by: ratio.by ?? [],
      })),
      property: metricPropertyName(key),
      source: locate(['metrics', key], { key: true }),
    };
    byGroup.get(metric.group)?.push(model);
  }

  const declared = [...byGroup.values()].flat();
  // The drop counter sits beside the exporter's other self-metric, else in the last group.
  const selfGroup = declared.find((m) => m.role === 'scrape_duration')?.group ?? groupOrder.at(-1)?.id;
  if (selfGroup !== undefined) byGroup.get(selfGroup)?.push(droppedMetric(raw.namespace, selfGroup, declared));

  const groups: GroupModel[] = groupOrder.map(({ id, group }) => ({
    id,
    title: group.title,
    description: group.description,
    metrics: byGroup.get(id) ?? [],
  }));
  const metrics = groups.flatMap((g) => g.metrics);
  const metricByKey = new Map(metrics.map((m) => [m.key, m]));

  const events: EventModel[] = Object.entries(raw.events ?? {}).map(([id, event]) => ({
    id,
    description: event.description,
    method: eventMethodName(id),
    typeName: eventTypeName(id),
    fields: Object.entries(event.fields).map(([fieldId, field]): EventField => {
      if ('label' in field) {
        const label = labels.get(field.label);
        if (!label) throw new Error(`unresolved label ${field.label}`);
        return { id: fieldId, kind: 'label', label, description: field.description };
      }
      return { id: fieldId, kind: 'number', optional: field.optional ?? false, description: field.description };
    }),
    records: event.records.map((record): EventRecordModel => {
      const { operation, metric: key } = operationOf(record);
      const metric = metricByKey.get(key);
      if (!metric) throw new Error(`unresolved metric ${key}`);
      return {
        operation,
        metric,
        valueField: record.value ?? record.by,
        labels: metric.labels.map((label) => {
          const binding = record.labels?.[label.id];
          if (typeof binding === 'string') return { kind: 'fixed', value: binding };
          return { kind: 'field', field: binding?.field ?? label.id };
        }),
      };
    }),
  }));

  const ratios = new Map(metrics.flatMap((m) => m.ratios.map((r) => [r.name, r] as const)));
  const summary = Object.entries(raw.summary ?? {}).map(([id, figure]): SummaryFigureModel => {
    const base = { id, property: camelCase(id), description: figure.description };
    if ('ratio' in figure) {
      const ratio = ratios.get(figure.ratio);
      if (!ratio) throw new Error(`unresolved ratio ${figure.ratio}`);
      return { ...base, kind: 'ratio', ratio };
    }
    const kind = 'average' in figure ? 'average' : 'total';
    const metric = metricByKey.get('average' in figure ? figure.average : figure.total);
    if (!metric) throw new Error(`unresolved summary metric of ${id}`);
    return { ...base, kind, metric };
  });

  return {
    namespace: raw.namespace,
    sourceFile,
    runbookUrl: raw.runbook_url,
    scrapeInterval: raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL,
    budget,
    labels: [...labels.values()],
    groups,
    metrics,
    events,
    summary,
    totalSeries: metrics.reduce((sum, m) => sum + m.series, 0),
  };
}

/**
 * The exporter counts every recording call it refuses, by metric and reason. Its label values are
 * the catalogue's metric names, so it too has a fixed set of series.
 */
function droppedMetric(namespace: string, group: string, declared: readonly MetricModel[]): MetricModel {
  const metricLabel: LabelModel = {
    id: 'metric',
    name: 'metric',
    description: 'Metric whose recording call was dropped.',
    values: declared.map((m) => m.name),
    overflow: undefined,
    typeName: 'DroppedMetric',
    builtin: true,
  };
  const reasonLabel: LabelModel = {
    id: 'reason',
    name: 'reason',
    description: 'Why the call was dropped.',
    values: [...DROP_REASONS],
    overflow: undefined,
    typeName: 'DropReason',
    builtin: true,
  };
  const key = droppedMetricKey();
  return {
    key,
    name: metricFullName(namespace, key),
    type: 'counter',
    help: DROPPED_HELP,
    unit: 'count',
    labels: [metricLabel, reasonLabel],
    buckets: [],
    series: metricLabel.values.length * reasonLabel.values.length,
    seriesLimit: metricLabel.values.length * reasonLabel.values.length,
    group,
    stability: 'stable',
    deprecated: undefined,
    role: 'dropped_records',
    panel: { split_by: ['metric', 'reason'] },
    alerts: [],
    ratios: [],
    property: metricPropertyName(key),
    source: { line: 1, col: 1 },
  };
}

/**
 * Series indices of `metric` whose labels match `matchers` (label id → value), in the mixed-radix
 * order the runtime stores them (first label most significant).
 */
export function seriesMatching(metric: MetricModel, matchers: Readonly<Record<string, string>>): number[] {
  let indices = [0];
  for (const label of metric.labels) {
    const wanted = matchers[label.id];
    const positions = wanted === undefined ? label.values.map((_, i) => i) : [label.values.indexOf(wanted)];
    indices = indices.flatMap((base) => positions.map((p) => base * label.values.length + p));
  }
  return indices;
}

function resolveAlert(metric: string, alert: RawAlert): AlertModel {
  return {
    name: alert.name,
    kind: alert.kind,
    severity: alert.severity,
    summary: alert.summary,
    description: alert.description,
    for: alert.for,
    metric,
    by: alert.by ?? [],
    match: alert.match ?? {},
    of: alert.of,
    ratio: alert.ratio,
    above: alert.above,
    below: alert.below,
    quantile: alert.quantile,
    window: alert.window ?? DEFAULT_WINDOW[alert.kind],
    dropPercent: alert.drop_percent,
    offset: alert.offset ?? '1d',
    baseline: alert.baseline ?? '1d',
    z: alert.z,
    minRate: alert.min_rate,
    objective: alert.objective,
    good: alert.good,
    bad: alert.bad,
    latencyBelow: alert.latency_below,
    sloWindow: alert.slo_window ?? '30d',
  };
}
