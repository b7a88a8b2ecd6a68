import {
  alertNames,
  dashboardFolder,
  dashboardPanelUrl,
  droppedMetricKey,
  eventFieldProperty,
  eventMethodName,
  eventTypeName,
  familyName,
  groupDashboardRef,
  eventFieldLocalName,
  histogramExposesSum,
  infoLabelProperty,
  labelIndexFunctionName,
  labelParameterName,
  metricFaceFunctionName,
  metricLabelReaderName,
  metricSeriesFunctionName,
  metricStoreName,
  positionLocalName,
  valueSetIndexFunctionName,
  labelSpecConstName,
  labelTypeName,
  MAX_RULES_PER_GROUP,
  metricFullName,
  metricPanelCount,
  panelIds,
  metricLabelsTypeName,
  metricPropertyName,
  outputFiles,
  overviewDashboardRef,
  ownedOutputDirs,
  RATIO_WINDOWS,
  ratioRecordName,
  ruleGroupName,
  sampleNames,
  signalOperation,
  signalRecordName,
  signalSubject,
  sloErrorRecordName,
  summaryPropertyName,
} from '../conventions.js';
import type { DashboardRef, OutputFiles } from '../conventions.js';
import { DEFAULT_BUDGET, DEFAULT_FOR, DEFAULT_QUANTILES, DEFAULT_SCRAPE_INTERVAL, DEFAULT_WINDOW, labelNameOf, NATIVE_DEFAULTS, operationOf, schemaOfBucketFactor, seriesCount } from './defaults.js';
import type { Position } from './diagnostics.js';
import type { AlertKind, MetricType, RawAlert, RawCatalog, RawCustomRule, RawMetric, RawPanel, Severity, Unit } from './raw.js';
import { isAdditiveUnit } from './defaults.js';
import { sloRecordWindows } from './slo.js';
import { DROP_REASONS, DROPPED_HELP } from '../../runtime/drops.js';

export type { AlertKind, DashboardRef, MetricType, Severity, Unit };
export { DEFAULT_BUDGET, labelNameOf, seriesCount };

/** Where an entry sits in the catalogue, as a path of keys and indices (for diagnostics). */
export type SourcePath = readonly (string | number)[];

/**
 * The resolved catalogue every emitter consumes; emitters never read YAML and derive no name:
 * defaults are applied, references are objects, and every derived name is computed here once,
 * through the conventions module.
 */
export interface Catalog {
  readonly namespace: string;
  /** Basename of the catalogue file, for generated headers. */
  readonly sourceFile: string;
  readonly runbookUrl: string | undefined;
  /** Base URL of the Grafana the dashboards live in, when the catalogue names it. */
  readonly grafanaUrl: string | undefined;
  /** How often Prometheus scrapes the exporter. */
  readonly scrapeInterval: string;
  /**
   * Labels the store adds to every series (`aggregation_labels`, e.g. cluster), which every rule and
   * dashboard keeps beside `job` in each `by (...)`; none by default.
   */
  readonly aggregationLabels: readonly string[];
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
  /** The overview dashboard (each group's own is on the group). */
  readonly overviewDashboard: DashboardRef;
  /** Every dashboard: the overview, then one per group in group order. */
  readonly dashboards: readonly DashboardRef[];
  /** Grafana folder of the dashboards, and the title of their cross-links. */
  readonly dashboardFolder: string;
  /** Relative paths of the outputs (the catalogue's `outputs:`, else the default layout). */
  readonly files: OutputFiles;
  /** Folders whose stale generated files the writer removes. */
  readonly ownedDirs: readonly string[];
  /** Recording rules and alerts with expressions of the catalogue's own (`rules:`), in file order. */
  readonly customRules: readonly CustomRuleModel[];
  /** Rule groups of the custom rules: per catalogue group in group order, split to stay small. */
  readonly customRuleGroups: readonly CustomRuleGroupModel[];
}

/** A label of a custom rule's result, with the values it may take (undefined: any). */
export interface OutputLabel {
  readonly name: string;
  readonly values: readonly string[] | undefined;
}

interface CustomRuleBase {
  readonly name: string;
  readonly group: GroupModel;
  /** The PromQL expression as written, trailing line breaks removed. */
  readonly expr: string;
  readonly description: string | undefined;
  /** Labels the rule adds, in file order. */
  readonly labels: readonly { readonly name: string; readonly value: string }[];
  /** Labels of the result (the expression's, then the added ones); undefined when they cannot be known. */
  readonly outputLabels: readonly OutputLabel[] | undefined;
  readonly path: SourcePath;
}

export interface CustomRecordModel extends CustomRuleBase {
  readonly kind: 'record';
}

export interface CustomAlertModel extends CustomRuleBase {
  readonly kind: 'alert';
  readonly severity: Severity;
  readonly for: string;
  readonly summary: string;
  /** Annotations besides summary, description and runbook_url, in file order. */
  readonly annotations: readonly { readonly name: string; readonly value: string }[];
}

export type CustomRuleModel = CustomRecordModel | CustomAlertModel;

export interface CustomRuleGroupModel {
  readonly name: string;
  readonly group: GroupModel;
  readonly rules: readonly CustomRuleModel[];
}

/**
 * Resolves the custom rules against the rest of the model (custom-rules.ts; handed in, since it
 * reads the model's types and names).
 */
export type CustomRuleResolver = (
  namespace: string,
  raw: readonly RawCustomRule[],
  groups: readonly GroupModel[],
  metrics: readonly MetricModel[],
  aggregationLabels: readonly string[],
) => { rules: CustomRuleModel[]; groups: CustomRuleGroupModel[] };

export type SummaryFigureModel = { readonly id: string; readonly property: string; readonly description: string | undefined; readonly path: SourcePath } & (
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
  /** How many more values the label learns at run time (`learned.max`); undefined: none. */
  readonly learned: number | undefined;
  /** Series positions of the label: its values, then its learned slots (the runtime's radix). */
  readonly positions: number;
  /** TypeScript union type of the values. */
  readonly typeName: string;
  /** Generated function from a value to its position, shared by the labels with the same values. */
  readonly indexFunction: string;
  /** Its value as a parameter of a metric's series function. */
  readonly parameter: string;
  /** The local holding its value's position in a series function. */
  readonly positionLocal: string;
  /** Generated LabelSpec constant. */
  readonly specConst: string;
  /** True for labels the generator made (the drop counter's), which have no TypeScript type. */
  readonly builtin: boolean;
  readonly path: SourcePath;
}

export interface GroupModel {
  readonly id: string;
  readonly title: string;
  readonly description: string | undefined;
  readonly metrics: readonly MetricModel[];
  readonly dashboard: DashboardRef;
  /** Names of the rule groups its rules are split into (none without rules). */
  readonly ruleGroups: readonly string[];
  readonly path: SourcePath;
}

/** A metric's panel hints, resolved; undefined where the catalogue says nothing. */
export interface PanelModel {
  readonly title: string | undefined;
  readonly description: string | undefined;
  /** Quantiles a histogram's panel shows (the default set unless the hint names some). */
  readonly quantiles: readonly number[];
  /** Labels to split by; undefined: all the metric's labels. */
  readonly splitBy: readonly LabelModel[] | undefined;
  /** Grafana unit id. */
  readonly unit: string | undefined;
  readonly hide: boolean;
}

export interface MetricModel {
  /** Name without namespace, as written in the catalogue. */
  readonly key: string;
  /** Full name, as exposed. */
  readonly name: string;
  /** OpenMetrics family name (a counter's name without `_total`). */
  readonly family: string;
  /** Series names the metric produces (a histogram: `_bucket`, `_sum`, `_count`; `_bucket` alone with a negative bound). */
  readonly samples: readonly string[];
  /**
   * False for a histogram with a negative bucket bound: OpenMetrics forbids its `_sum` (and so its
   * `_count`); its count is the `le="+Inf"` bucket, and no mean can be computed from the exposition.
   */
  readonly sumExposed: boolean;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: Unit;
  readonly labels: readonly LabelModel[];
  /** Info metrics: the labels whose values the application sets at run time (none for other types). */
  readonly infoLabels: readonly InfoLabelModel[];
  /** Classic bucket bounds; empty for a native-only histogram (its classic exposition: `+Inf`, `_sum`, `_count`). */
  readonly buckets: readonly number[];
  /** Histograms only: native buckets, beside the classic ones or instead of them. */
  readonly native?: NativeHistogramModel;
  readonly series: number;
  readonly seriesLimit: number;
  readonly group: string;
  readonly stability: 'stable' | 'experimental';
  /** replacedBy: the key of the replacement, as written; replacedByName: its exposed name. */
  readonly deprecated: { readonly reason: string; readonly replacedBy: string | undefined; readonly replacedByName: string | undefined } | undefined;
  readonly role: 'scrape_duration' | 'dropped_records' | undefined;
  readonly panel: PanelModel;
  /**
   * Whether its series add up across instances and labels (counts, bytes, money): a gauge's panel
   * then sums them, and so does a threshold on its value by default; otherwise the panel shows
   * each instance and the alert the largest series.
   */
  readonly additive: boolean;
  /** Id of its first panel on its group's dashboard; undefined when the panel hint hides it. */
  readonly panelId: number | undefined;
  readonly alerts: readonly AlertModel[];
  readonly ratios: readonly RatioModel[];
  /** Property of `createMetrics()`. */
  readonly property: string;
  /** Type of its label object (labelled metrics). */
  readonly labelsTypeName: string;
  /** Local of createMetrics holding its storage. */
  readonly store: string;
  /** Function from its label values to a series number (labelled metrics). */
  readonly seriesFunction: string;
  /** Function from its label object to a series number, a throwing read dropped (labelled metrics). */
  readonly labelReader: string;
  /** Function from the runtime and the metric id to its typed object (labelled metrics). */
  readonly faceFunction: string;
  /** Where the metric is declared (built-in metrics: the top of the file). */
  readonly source: Position;
  readonly path: SourcePath;
}

/** Native (sparse, exponential) buckets of a histogram, defaults applied. */
export interface NativeHistogramModel {
  /** -4..8: each power of two is split into 2^schema buckets. */
  readonly schema: number;
  /** Most buckets a series keeps before its resolution is halved. */
  readonly maxBuckets: number;
  /** Observations with |v| <= zeroThreshold go to the zero bucket. */
  readonly zeroThreshold: number;
}

/**
 * What Prometheus may store for a histogram: classic series (`_bucket`, `_sum`, `_count`), one
 * native series, or either (a histogram with both exposes both, and a server ingests native
 * histograms only with `--enable-feature=native-histograms` over protobuf). Undefined for other types.
 */
export type HistogramShape = 'classic' | 'native' | 'both';

export function histogramShape(metric: Pick<MetricModel, 'type' | 'native' | 'buckets'>): HistogramShape | undefined {
  if (metric.type !== 'histogram') return undefined;
  if (metric.native === undefined) return 'classic';
  return metric.buckets.length === 0 ? 'native' : 'both';
}

/** The shape of a metric the caller knows to be a histogram (an emitter bug otherwise). */
export function shapeOfHistogram(metric: Pick<MetricModel, 'name' | 'type' | 'native' | 'buckets'>): HistogramShape {
  const shape = histogramShape(metric);
  if (shape === undefined) throw new Error(`${metric.name} is not a histogram`);
  return shape;
}

/** A label of an info metric: values are any valid label value, set at run time. */
export interface InfoLabelModel {
  /** Exposed label name. */
  readonly name: string;
  /** Property of the object the generated `set` takes. */
  readonly property: string;
}

/**
 * A label matched against a set of its values: `values` (one or more), or, when `negated`, any
 * value but those. PromQL: `=`, `=~` (several), `!=`, `!~`.
 */
export interface Matcher {
  readonly label: LabelModel;
  readonly values: readonly string[];
  readonly negated: boolean;
}

/** True when `value` of the matcher's label is selected by the matcher. */
export function matcherSelects(matcher: Matcher, value: string): boolean {
  return matcher.values.includes(value) !== matcher.negated;
}

/** Matchers as the catalogue lists them (label id → value), resolved to the metric's labels. */
export type Matchers = readonly Matcher[];

/** `base` with `overrides` on top: a label in both takes the value of `overrides`. */
export function mergeMatchers(base: Matchers, overrides: Matchers): Matchers {
  return [...base.filter((m) => !overrides.some((o) => o.label === m.label)), ...overrides];
}

/** A recording rule a catalogue entry needs; rules with the same name must mean the same. */
export interface RecordModel {
  readonly name: string;
  /** What the rule computes, as a comparable key: two entries may share a record only if these match. */
  readonly meaning: string;
}

/** An alert with its defaults applied; durations in Prometheus spelling. */
export interface AlertModel {
  readonly name: string;
  /** Alerting rules it becomes (an SLO: fast and slow burn). */
  readonly names: readonly string[];
  /** Each of those rules with its severity and `for`, defaults applied (an SLO's slow burn: one severity lower). */
  readonly rules: readonly { readonly name: string; readonly severity: Severity; readonly for: string }[];
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string | undefined;
  readonly for: string | undefined;
  /** The metric it is declared on. */
  readonly metric: MetricModel;
  /** Labels kept. */
  readonly by: readonly LabelModel[];
  readonly match: Matchers;
  readonly of: 'value' | 'rate' | 'ratio' | 'average' | 'delta' | undefined;
  /** How a gauge's series combine per job and `by` labels (of: value, delta). */
  readonly aggregate: 'sum' | 'max' | 'min' | 'avg';
  /** The ratio watched (of: ratio). */
  readonly ratio: RatioModel | undefined;
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
  /** SLO good events: matchers on `goodMetric` when it is set, else on the alert's metric (with `match`). */
  readonly good: Matchers | undefined;
  /** SLO bad events: matchers on `badMetric` when it is set, else on the alert's metric (with `match`). */
  readonly bad: Matchers | undefined;
  /** SLO over two counters: the counter of good (or bad) events; the total is `metric`. */
  readonly goodMetric: MetricModel | undefined;
  readonly badMetric: MetricModel | undefined;
  readonly latencyBelow: number | undefined;
  readonly sloWindow: string;
  /** Recorded signal of an anomaly alert. */
  readonly signalRecord: string | undefined;
  /** Error-ratio records of an SLO, shortest window first. */
  readonly sloRecords: readonly { readonly window: string; readonly name: string }[];
  /** Labels besides severity (catalogue < group < alert), by name. */
  readonly labels: readonly NameValue[];
  /** Annotations besides the generated ones (catalogue < group < alert), by name. */
  readonly annotations: readonly NameValue[];
  /** Link to the panel of what it watches, when the catalogue names its Grafana. */
  readonly dashboardUrl: string | undefined;
  readonly path: SourcePath;
}

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

export interface RatioModel {
  readonly name: string;
  readonly description: string | undefined;
  readonly numerator: MetricModel;
  readonly match: Matchers;
  readonly denominator: MetricModel;
  readonly denominatorMatch: Matchers;
  /** Labels it is recorded by (labels of the numerator). */
  readonly by: readonly LabelModel[];
  /** Its recording rules, one per window. */
  readonly records: readonly { readonly window: string; readonly name: string }[];
  /** Id of its panel on the numerator's group dashboard. */
  readonly panelId: number | undefined;
  readonly path: SourcePath;
}

export type EventField = {
  readonly id: string;
  readonly property: string;
  /** Local of the recorder method that reads the field once. */
  readonly local: string;
  readonly description: string | undefined;
  readonly path: SourcePath;
} & (
  /** `positionLocal`: the local holding the position of the field's value, resolved once per call. */
  | { readonly kind: 'label'; readonly label: LabelModel; readonly positionLocal: string }
  | { readonly kind: 'number'; readonly optional: boolean }
);

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
  readonly path: SourcePath;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Resolve a catalogue that passed schema and rules into the model. */
export function buildModel(
  raw: RawCatalog,
  sourceFile: string,
  locate: (path: readonly (string | number)[], options?: { key?: boolean }) => Position,
  resolveCustomRules: CustomRuleResolver,
): Catalog {
  const namespace = raw.namespace;
  const budget = {
    seriesPerMetric: raw.budget?.series_per_metric ?? DEFAULT_BUDGET.seriesPerMetric,
    totalSeries: raw.budget?.total_series ?? DEFAULT_BUDGET.totalSeries,
  };
  const labels = new Map<string, Mutable<LabelModel>>(
    Object.entries(raw.labels).map(([id, label]) => [
      id,
      {
        id,
        name: labelNameOf(id, label),
        description: label.description,
        values: label.overflow === undefined ? [...(label.values ?? [])] : [...(label.values ?? []), label.overflow],
        overflow: label.overflow,
        learned: label.learned?.max,
        positions: (label.values?.length ?? 0) + (label.overflow === undefined ? 0 : 1) + (label.learned?.max ?? 0),
        typeName: labelTypeName(id),
        indexFunction: labelIndexFunctionName(id),
        parameter: labelParameterName(id),
        positionLocal: positionLocalName(id),
        specConst: labelSpecConstName(id),
        builtin: false,
        path: ['labels', id],
      },
    ]),
  );

  const files = outputFiles(namespace, raw.outputs);
  const groupOrder = Object.entries(raw.groups)
    .map(([id, group], index) => ({ id, group, index }))
    .sort((a, b) => (a.group.order ?? Infinity) - (b.group.order ?? Infinity) || a.index - b.index);

  // Metrics first, then what refers to them (ratios name denominators declared anywhere).
  const byGroup = new Map<string, MetricModel[]>(groupOrder.map(({ id }) => [id, []]));
  const declaredByKey = new Map<string, Mutable<MetricModel>>();
  for (const [key, metric] of Object.entries(raw.metrics)) {
    const metricLabels = (metric.labels ?? []).map((id) => labels.get(id)).filter((l): l is LabelModel => l !== undefined);
    const buckets = metric.type === 'histogram' ? [...(metric.buckets ?? [])] : [];
    const native = metric.type === 'histogram' ? resolveNative(metric.native) : undefined;
    const name = metricFullName(namespace, key);
    const model: Mutable<MetricModel> = {
      key,
      name,
      family: familyName(name, metric.type),
      samples: sampleNames(name, metric.type, buckets),
      sumExposed: metric.type === 'histogram' && histogramExposesSum(buckets),
      type: metric.type,
      help: metric.help,
      unit: metric.unit,
      labels: metricLabels,
      infoLabels: (metric.info_labels ?? []).map((labelName) => ({ name: labelName, property: infoLabelProperty(labelName) })),
      buckets,
      ...(native === undefined ? {} : { native }),
      series: seriesCount(
        metricLabels.map((l) => l.positions),
        metric.type === 'histogram' ? buckets.length : undefined,
        native !== undefined,
      ),
      seriesLimit: metric.series_limit ?? budget.seriesPerMetric,
      group: metric.group,
      stability: metric.stability ?? 'stable',
      deprecated: metric.deprecated && {
        reason: metric.deprecated.reason,
        replacedBy: metric.deprecated.replaced_by,
        replacedByName: metric.deprecated.replaced_by === undefined ? undefined : metricFullName(namespace, metric.deprecated.replaced_by),
      },
      role: metric.role,
      panel: resolvePanel(metric.panel, metricLabels),
      additive: isAdditiveUnit(metric.unit),
      panelId: undefined,
      alerts: [],
      ratios: [],
      property: metricPropertyName(key),
      labelsTypeName: metricLabelsTypeName(key),
      store: metricStoreName(key),
      seriesFunction: metricSeriesFunctionName(key),
      labelReader: metricLabelReaderName(key),
      faceFunction: metricFaceFunctionName(key),
      source: locate(['metrics', key], { key: true }),
      path: ['metrics', key],
    };
    declaredByKey.set(key, model);
    byGroup.get(metric.group)?.push(model);
  }
  const labelsOf = (metric: MetricModel, ids: readonly string[]): LabelModel[] =>
    ids.map((id) => metric.labels.find((label) => label.id === id)).filter((label): label is LabelModel => label !== undefined);
  for (const [key, metric] of declaredByKey) {
    const rawMetric = raw.metrics[key];
    if (!rawMetric) continue;
    metric.ratios = (rawMetric.ratios ?? []).map((ratio, index): Mutable<RatioModel> => {
      const denominator = declaredByKey.get(ratio.denominator ?? key);
      if (!denominator) throw new Error(`unresolved denominator of ratio ${ratio.name}`);
      const by = labelsOf(metric, ratio.by ?? []);
      return {
        name: ratio.name,
        description: ratio.description,
        numerator: metric,
        match: resolveMatchers(metric, ratio.match),
        denominator,
        denominatorMatch: resolveMatchers(denominator, ratio.denominator_match),
        by,
        records: RATIO_WINDOWS.map((window) => ({ window, name: ratioRecordName(namespace, ratio.name, by.map((l) => l.name), window) })),
        panelId: undefined,
        path: ['metrics', key, 'ratios', index],
      };
    });
  }

  const declared = [...byGroup.values()].flat();
  shareIndexFunctions([...labels.values()], declared);
  // The drop counter sits beside the exporter's other self-metric, else in the last group.
  const selfGroup = declared.find((m) => m.role === 'scrape_duration')?.group ?? groupOrder.at(-1)?.id;
  if (selfGroup !== undefined) byGroup.get(selfGroup)?.push(droppedMetric(namespace, selfGroup, declared));
  for (const metrics of byGroup.values()) numberPanels(metrics as Mutable<MetricModel>[]);

  const grafanaUrl = raw.grafana_url;
  for (const [key, metric] of declaredByKey) {
    const rawMetric = raw.metrics[key];
    if (!rawMetric) continue;
    const dashboard = groupDashboardRef(namespace, { id: metric.group, title: raw.groups[metric.group]?.title ?? metric.group });
    const inherited = { labels: [raw.alert_labels, raw.groups[metric.group]?.alert_labels], annotations: [raw.alert_annotations, raw.groups[metric.group]?.alert_annotations] };
    metric.alerts = (rawMetric.alerts ?? []).map((alert, index) => {
      const resolved = resolveAlert(namespace, metric, alert, labelsOf(metric, alert.by ?? []), ['metrics', key, 'alerts', index], declaredByKey);
      const panelId = resolved.ratio?.panelId ?? metric.panelId;
      return {
        ...resolved,
        labels: mergeNamed([...inherited.labels, alert.labels]),
        annotations: mergeNamed([...inherited.annotations, alert.annotations]),
        dashboardUrl: grafanaUrl === undefined ? undefined : dashboardPanelUrl(grafanaUrl, dashboard.uid, panelId),
      };
    });
  }

  const groups: GroupModel[] = groupOrder.map(({ id, group }) => {
    const metrics = byGroup.get(id) ?? [];
    return {
      id,
      title: group.title,
      description: group.description,
      metrics,
      dashboard: groupDashboardRef(namespace, { id, title: group.title }, files.dashboards),
      ruleGroups: ruleGroupNames(namespace, id, metrics),
      path: ['groups', id],
    };
  });
  const metrics = groups.flatMap((g) => g.metrics);
  const metricByKey = new Map(metrics.map((m) => [m.key, m]));

  const events: EventModel[] = Object.entries(raw.events ?? {}).map(([id, event]) => ({
    id,
    description: event.description,
    method: eventMethodName(id),
    typeName: eventTypeName(id),
    fields: Object.entries(event.fields).map(([fieldId, field]): EventField => {
      const common = { id: fieldId, property: eventFieldProperty(fieldId), local: eventFieldLocalName(fieldId), description: field.description, path: ['events', id, 'fields', fieldId] };
      if ('label' in field) {
        const label = labels.get(field.label);
        if (!label) throw new Error(`unresolved label ${field.label}`);
        return { ...common, kind: 'label', label, positionLocal: positionLocalName(fieldId) };
      }
      return { ...common, kind: 'number', optional: field.optional ?? false };
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
    path: ['events', id],
  }));

  const ratios = new Map(metrics.flatMap((m) => m.ratios.map((r) => [r.name, r] as const)));
  const summary = Object.entries(raw.summary ?? {}).map(([id, figure]): SummaryFigureModel => {
    const base = { id, property: summaryPropertyName(id), description: figure.description, path: ['summary', id] };
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

  const resolvedCustom = resolveCustomRules(namespace, raw.rules ?? [], groups, metrics, raw.aggregation_labels ?? []);
  // Custom alerts route like the generated ones: the catalogue's and their group's alert labels and
  // annotations first, their own on top.
  const inheritedBy = (rule: CustomAlertModel, kind: 'alert_labels' | 'alert_annotations', own: readonly NameValue[]): NameValue[] =>
    mergeNamed([raw[kind], raw.groups[rule.group.id]?.[kind], Object.fromEntries(own.map((l) => [l.name, l.value]))]);
  const withInherited = (rule: CustomRuleModel): CustomRuleModel =>
    rule.kind === 'alert' ? { ...rule, labels: inheritedBy(rule, 'alert_labels', rule.labels), annotations: inheritedBy(rule, 'alert_annotations', rule.annotations) } : rule;
  const inherited = new Map(resolvedCustom.rules.map((rule) => [rule, withInherited(rule)]));
  const customRules = {
    rules: [...inherited.values()],
    groups: resolvedCustom.groups.map((group) => ({ ...group, rules: group.rules.map((rule) => inherited.get(rule) ?? rule) })),
  };
  const overviewDashboard = overviewDashboardRef(namespace, files.dashboards);
  return {
    namespace,
    sourceFile,
    runbookUrl: raw.runbook_url,
    grafanaUrl,
    scrapeInterval: raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL,
    aggregationLabels: [...(raw.aggregation_labels ?? [])],
    budget,
    labels: [...labels.values()],
    groups,
    metrics,
    events,
    summary,
    totalSeries: metrics.reduce((sum, m) => sum + m.series, 0),
    overviewDashboard,
    dashboards: [overviewDashboard, ...groups.map((g) => g.dashboard)],
    dashboardFolder: dashboardFolder(namespace),
    files,
    ownedDirs: ownedOutputDirs(files),
    customRules: customRules.rules,
    customRuleGroups: customRules.groups,
  };
}

/**
 * Labels with the same values (in the same order, overflow included) share one index function,
 * named after the first of them that a metric uses.
 */
function shareIndexFunctions(labels: readonly Mutable<LabelModel>[], declared: readonly MetricModel[]): void {
  const used = new Set(declared.flatMap((metric) => metric.labels));
  const firstWithValues = new Map<string, LabelModel>();
  for (const label of labels) {
    if (!used.has(label)) continue;
    const values = JSON.stringify(label.values);
    const first = firstWithValues.get(values) ?? label;
    firstWithValues.set(values, first);
    label.indexFunction = valueSetIndexFunctionName(first.id);
  }
}

/** Recording rules a group's metrics need, each once (two alerts on one signal share it). */
export function groupRecords(metrics: readonly MetricModel[]): RecordModel[] {
  const records = new Map<string, RecordModel>();
  const add = (record: RecordModel): void => {
    if (!records.has(record.name)) records.set(record.name, record);
  };
  for (const metric of metrics) {
    for (const ratio of metric.ratios) for (const record of ratio.records) add({ name: record.name, meaning: `ratio ${ratio.name} over ${record.window}` });
    for (const alert of metric.alerts) for (const record of alertRecords(alert)) add(record);
  }
  return [...records.values()];
}

/** The records an alert needs, with what each computes. */
export function alertRecords(alert: AlertModel): RecordModel[] {
  if (alert.signalRecord !== undefined) {
    const meaning = JSON.stringify({ metric: alert.metric.key, of: alert.of, ratio: alert.ratio?.name, window: alert.window, by: alert.by.map((l) => l.id), match: alert.match.map((m) => [m.label.id, m.negated, ...m.values]) });
    return [{ name: alert.signalRecord, meaning: `signal ${meaning}` }];
  }
  return alert.sloRecords.map((record) => ({ name: record.name, meaning: `SLO ${alert.name} over ${record.window}` }));
}

/** Rule groups of a catalogue group: its records, then its alerts, split to stay small. */
function ruleGroupNames(namespace: string, group: string, metrics: readonly MetricModel[]): string[] {
  const rules = groupRecords(metrics).length + metrics.reduce((sum, m) => sum + m.alerts.reduce((n, a) => n + a.names.length, 0), 0);
  return Array.from({ length: Math.ceil(rules / MAX_RULES_PER_GROUP) }, (_, part) => ruleGroupName(namespace, group, part + 1));
}

function resolveNative(native: RawMetric['native']): NativeHistogramModel | undefined {
  if (native === undefined) return undefined;
  return {
    schema: native.schema ?? (native.bucket_factor === undefined ? NATIVE_DEFAULTS.schema : schemaOfBucketFactor(native.bucket_factor)),
    maxBuckets: native.max_buckets ?? NATIVE_DEFAULTS.maxBuckets,
    zeroThreshold: native.zero_threshold ?? NATIVE_DEFAULTS.zeroThreshold,
  };
}

function resolvePanel(panel: RawPanel | undefined, labels: readonly LabelModel[]): PanelModel {
  return {
    title: panel?.title,
    description: panel?.description,
    quantiles: panel?.quantiles ?? DEFAULT_QUANTILES,
    splitBy: panel?.split_by?.map((id) => labels.find((label) => label.id === id)).filter((label): label is LabelModel => label !== undefined),
    unit: panel?.unit,
    hide: panel?.hide === true,
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
    learned: undefined,
    positions: declared.map((m) => m.name).length,
    typeName: 'DroppedMetric',
    indexFunction: labelIndexFunctionName('metric'),
    parameter: labelParameterName('metric'),
    positionLocal: positionLocalName('metric'),
    specConst: labelSpecConstName('metric'),
    builtin: true,
    path: [],
  };
  const reasonLabel: LabelModel = {
    id: 'reason',
    name: 'reason',
    description: 'Why the call was dropped.',
    values: [...DROP_REASONS],
    overflow: undefined,
    learned: undefined,
    positions: [...DROP_REASONS].length,
    typeName: 'DropReason',
    indexFunction: labelIndexFunctionName('reason'),
    parameter: labelParameterName('reason'),
    positionLocal: positionLocalName('reason'),
    specConst: labelSpecConstName('reason'),
    builtin: true,
    path: [],
  };
  const key = droppedMetricKey();
  const name = metricFullName(namespace, key);
  const labels = [metricLabel, reasonLabel];
  return {
    key,
    name,
    family: familyName(name, 'counter'),
    samples: sampleNames(name, 'counter'),
    sumExposed: false,
    type: 'counter',
    help: DROPPED_HELP,
    unit: 'count',
    labels,
    infoLabels: [],
    buckets: [],
    series: metricLabel.values.length * reasonLabel.values.length,
    seriesLimit: metricLabel.values.length * reasonLabel.values.length,
    group,
    stability: 'stable',
    deprecated: undefined,
    role: 'dropped_records',
    panel: { title: undefined, description: undefined, quantiles: DEFAULT_QUANTILES, splitBy: labels, unit: undefined, hide: false },
    additive: true,
    panelId: undefined,
    alerts: [],
    ratios: [],
    property: metricPropertyName(key),
    labelsTypeName: metricLabelsTypeName(key),
    store: metricStoreName(key),
    seriesFunction: metricSeriesFunctionName(key),
    labelReader: metricLabelReaderName(key),
    faceFunction: metricFaceFunctionName(key),
    source: { line: 1, col: 1 },
    path: [],
  };
}

/**
 * Series indices of `metric` whose labels match `matchers` (label id → value), in the mixed-radix
 * order the runtime stores them (first label most significant).
 */
export function seriesMatching(metric: MetricModel, matchers: Matchers): number[] {
  let indices = [0];
  for (const label of metric.labels) {
    const matcher = matchers.findLast((m) => m.label === label);
    // A learned value has no position before run time: a figure cannot address it (none are found).
    const positions = matcher === undefined ? Array.from({ length: label.positions }, (_, i) => i) : label.values.flatMap((value, i) => (matcherSelects(matcher, value) ? [i] : []));
    indices = indices.flatMap((base) => positions.map((p) => base * label.positions + p));
  }
  return indices;
}

/**
 * The panel ids of a group's dashboard (see GROUP_DASHBOARD_SECTIONS): its ratios, then the shown
 * counters, gauges and histograms, in catalogue order.
 */
function numberPanels(metrics: readonly Mutable<MetricModel>[]): void {
  const ratios = metrics.flatMap((m) => m.ratios) as Mutable<RatioModel>[];
  const shown = (type: MetricType) => metrics.filter((m) => m.type === type && !m.panel.hide);
  const sections = [ratios, shown('counter'), shown('gauge'), shown('histogram')] as const;
  const ids = panelIds([ratios.map(() => 1), ...sections.slice(1).map((items) => (items as MetricModel[]).map((m) => metricPanelCount(m.type)))]);
  ratios.forEach((ratio, i) => (ratio.panelId = ids[0]?.items[i]));
  sections.slice(1).forEach((items, s) => (items as Mutable<MetricModel>[]).forEach((metric, i) => (metric.panelId = ids[s + 1]?.items[i])));
}

/** Name/value maps merged in order (a later one wins), sorted by name. */
function mergeNamed(layers: readonly (Readonly<Record<string, string>> | undefined)[]): NameValue[] {
  const merged = new Map<string, string>();
  for (const layer of layers) for (const [name, value] of Object.entries(layer ?? {})) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

type ResolvedAlert = Omit<AlertModel, 'labels' | 'annotations' | 'dashboardUrl'>;

function resolveAlert(
  namespace: string,
  metric: MetricModel,
  alert: RawAlert,
  by: readonly LabelModel[],
  path: SourcePath,
  metrics: ReadonlyMap<string, MetricModel>,
): ResolvedAlert {
  const window = alert.window ?? DEFAULT_WINDOW[alert.kind];
  const ratio = alert.of === 'ratio' ? metric.ratios.find((candidate) => candidate.name === alert.ratio) : undefined;
  const byNames = by.map((label) => label.name);
  const sloWindow = alert.slo_window ?? '30d';
  const names = alertNames(alert.name, alert.kind);
  const severities = [alert.severity, lowerSeverity(alert.severity)];
  const goodMetric = alert.good_metric === undefined ? undefined : metrics.get(alert.good_metric);
  const badMetric = alert.bad_metric === undefined ? undefined : metrics.get(alert.bad_metric);
  return {
    name: alert.name,
    names,
    rules: names.map((name, index) => ({
      name,
      severity: severities[index] ?? alert.severity,
      for: alert.for ?? DEFAULT_FOR[alert.kind][index] ?? DEFAULT_FOR[alert.kind][0] ?? '5m',
    })),
    kind: alert.kind,
    severity: alert.severity,
    summary: alert.summary,
    description: alert.description,
    for: alert.for,
    metric,
    by,
    match: resolveMatchers(metric, alert.match),
    of: alert.of,
    ratio,
    above: alert.above,
    below: alert.below,
    quantile: alert.quantile,
    window,
    dropPercent: alert.drop_percent,
    offset: alert.offset ?? '1d',
    baseline: alert.baseline ?? '1d',
    z: alert.z,
    minRate: alert.min_rate,
    objective: alert.objective,
    // An anomaly's recorded signal is named after `max` (conventions.signalOperation).
    aggregate: alert.aggregate ?? (metric.additive && alert.kind !== 'anomaly' ? 'sum' : 'max'),
    good: goodMetric ? resolveMatchers(goodMetric, alert.good) : alert.good && resolveMatchers(metric, alert.good),
    bad: badMetric ? resolveMatchers(badMetric, alert.bad) : alert.bad && resolveMatchers(metric, alert.bad),
    goodMetric,
    badMetric,
    latencyBelow: alert.latency_below,
    sloWindow,
    signalRecord:
      alert.kind === 'anomaly'
        ? signalRecordName(namespace, signalSubject(metric.key, metric.type, alert.of, ratio?.name), signalOperation(alert.of, window), byNames)
        : undefined,
    sloRecords: alert.kind === 'slo' ? sloRecordWindows(sloWindow).map((w) => ({ window: w, name: sloErrorRecordName(namespace, alert.name, byNames, w) })) : [],
    path,
  };
}

function lowerSeverity(severity: Severity): Severity {
  return severity === 'critical' ? 'warning' : 'info';
}

type RawMatchers = NonNullable<RawAlert['match']>;

function resolveMatchers(metric: MetricModel, matchers: RawMatchers | undefined): Matchers {
  return Object.entries(matchers ?? {}).flatMap(([id, written]) => {
    const label = metric.labels.find((candidate) => candidate.id === id);
    if (!label) return [];
    const negated = typeof written === 'object' && !Array.isArray(written);
    const selected = negated ? written.not : written;
    return [{ label, values: typeof selected === 'string' ? [selected] : [...selected], negated }];
  });
}
