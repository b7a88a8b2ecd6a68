/**
 * Custom rules (`rules:`) resolved onto the model, and the series their selectors may name: every
 * name here is read from the model (samples, records), never derived again.
 */
import { customRuleGroupName, MAX_RULES_PER_GROUP, RECORDING_KEEP_LABELS } from '../conventions.js';
import { formatGoFloat, formatOpenMetricsFloat } from '../../runtime/format.js';
import type { CustomRuleGroupModel, CustomRuleModel, GroupModel, LabelModel, MetricModel, OutputLabel } from './model.js';
import { alertRecords } from './model.js';
import { PromqlExpression } from './promql.js';
import type { LabelSet, LabelValues, Selector } from './promql.js';
import type { RawCustomRule } from './raw.js';

/** `for` of a custom alert that names none. */
export const DEFAULT_CUSTOM_FOR = '5m';

/**
 * Series Prometheus itself writes that a custom rule may read: the scrape's own series and the
 * alerts' state. Their labels depend on the scrape configuration, so selectors on them are not checked.
 */
export const PROMETHEUS_SERIES: readonly string[] = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
];

/** What a selector may name, with the labels its series carry. */
export interface KnownSeries {
  readonly labels: LabelSet;
  /** For messages: `metric checkout_x_total`, `recording rule ...`. */
  readonly what: string;
}

/**
 * The catalogue's series and generated records, and Prometheus' own series, by name. Every series
 * also carries the store's `aggregationLabels` (any value), and so do the records, which keep them.
 */
export function catalogSeries(metrics: readonly MetricModel[], aggregationLabels: readonly string[] = []): Map<string, KnownSeries> {
  const known = new Map<string, KnownSeries>();
  const added = aggregationLabels.map((name): [string, LabelValues] => [name, undefined]);
  const target: [string, LabelValues][] = [['job', undefined], ['instance', undefined], ...added];
  const labelsOf = (labels: readonly LabelModel[]): [string, LabelValues][] => labels.map((l) => [l.name, l.values]);
  for (const metric of metrics) {
    const base = new Map([...labelsOf(metric.labels), ...target]);
    metric.samples.forEach((sample, index) => {
      // A histogram's first sample is its buckets: `le` takes each boundary as either format spells it.
      const labels = metric.type === 'histogram' && index === 0 ? new Map([...base, ['le', bucketValues(metric.buckets)]]) : base;
      known.set(sample, { labels, what: `metric ${metric.name}` });
    });
    // A native histogram is one series under the metric's own name.
    if (metric.native !== undefined) known.set(metric.name, { labels: base, what: `metric ${metric.name} (native histogram)` });
  }
  for (const metric of metrics) {
    for (const ratio of metric.ratios) {
      const labels = new Map<string, LabelValues>([...added, ...RECORDING_KEEP_LABELS.map((l): [string, LabelValues] => [l, undefined]), ...labelsOf(ratio.by)]);
      for (const record of ratio.records) known.set(record.name, { labels, what: `the recording rule of ratio ${ratio.name}` });
    }
    for (const alert of metric.alerts) {
      const labels = new Map<string, LabelValues>([...added, ['job', undefined], ...labelsOf(alert.by)]);
      for (const record of alertRecords(alert)) known.set(record.name, { labels, what: `the recording rule of alert ${alert.name}` });
    }
  }
  for (const name of PROMETHEUS_SERIES) known.set(name, { labels: undefined, what: `Prometheus' ${name}` });
  return known;
}

function bucketValues(buckets: readonly number[]): string[] {
  return [...new Set([...buckets.flatMap((b) => [formatGoFloat(b), formatOpenMetricsFloat(b)]), '+Inf'])];
}

/** A label set as the model keeps it. */
export function outputLabels(labels: LabelSet): OutputLabel[] | undefined {
  return labels && [...labels].map(([name, values]) => ({ name, values }));
}

/** Back from the model's form. */
export function labelSet(labels: readonly OutputLabel[] | undefined): LabelSet {
  return labels && new Map(labels.map((l) => [l.name, l.values]));
}

/**
 * The series a custom rule may name: the catalogue's, and the custom records with the labels
 * their expressions keep (a record read before its own labels are known, in a cycle, has any).
 */
export function customSeries(metrics: readonly MetricModel[], rules: readonly RawCustomRule[], aggregationLabels: readonly string[] = []): (name: string) => KnownSeries | undefined {
  const known = catalogSeries(metrics, aggregationLabels);
  const records = new Map<string, RawCustomRule>();
  for (const rule of rules) if ('record' in rule && !known.has(rule.record) && !records.has(rule.record)) records.set(rule.record, rule);
  const inferred = new Map<string, KnownSeries>();
  const resolving = new Set<string>();
  const lookup = (name: string): KnownSeries | undefined => {
    const fixed = known.get(name);
    if (fixed) return fixed;
    const rule = records.get(name);
    if (!rule) return undefined;
    const done = inferred.get(name);
    if (done) return done;
    if (resolving.has(name)) return { labels: undefined, what: `recording rule ${name}` };
    resolving.add(name);
    const labels = withAdded(new PromqlExpression(rule.expr).labels((s) => selectorLabels(s, lookup)), rule.labels);
    resolving.delete(name);
    const series = { labels, what: `recording rule ${name}` };
    inferred.set(name, series);
    return series;
  };
  return lookup;
}

/** Labels of the series a selector reads: those of the name it names, unknown without one. */
export function selectorLabels(selector: Selector, lookup: (name: string) => KnownSeries | undefined): LabelSet {
  return selector.name === undefined ? undefined : lookup(selector.name.value)?.labels;
}

function withAdded(labels: LabelSet, added: Readonly<Record<string, string>> | undefined): LabelSet {
  return labels && new Map([...labels, ...Object.entries(added ?? {}).map(([name, value]): [string, LabelValues] => [name, [value]])]);
}

export function resolveCustomRules(
  namespace: string,
  raw: readonly RawCustomRule[],
  groups: readonly GroupModel[],
  metrics: readonly MetricModel[],
  aggregationLabels: readonly string[] = [],
): { rules: CustomRuleModel[]; groups: CustomRuleGroupModel[] } {
  const lookup = customSeries(metrics, raw, aggregationLabels);
  const rules = raw.map((rule, index): CustomRuleModel => {
    const group = groups.find((g) => g.id === rule.group);
    if (!group) throw new Error(`unresolved group ${rule.group} of custom rule ${index}`);
    const expr = rule.expr.replace(/\s+$/, '');
    const labels = Object.entries(rule.labels ?? {}).map(([name, value]) => ({ name, value }));
    const common = { group, expr, description: rule.description, labels, path: ['rules', index] };
    if ('record' in rule) return { ...common, kind: 'record', name: rule.record, outputLabels: outputLabels(lookup(rule.record)?.labels) };
    return {
      ...common,
      kind: 'alert',
      name: rule.alert,
      severity: rule.severity,
      for: rule.for ?? DEFAULT_CUSTOM_FOR,
      summary: rule.summary,
      annotations: Object.entries(rule.annotations ?? {}).map(([name, value]) => ({ name, value })),
      outputLabels: outputLabels(withAdded(new PromqlExpression(rule.expr).labels((s) => selectorLabels(s, lookup)), rule.labels)),
    };
  });
  const ruleGroups = groups.flatMap((group) => {
    const own = rules.filter((rule) => rule.group === group);
    return Array.from({ length: Math.ceil(own.length / MAX_RULES_PER_GROUP) }, (_, part) => ({
      name: customRuleGroupName(namespace, group.id, part + 1),
      group,
      rules: own.slice(part * MAX_RULES_PER_GROUP, (part + 1) * MAX_RULES_PER_GROUP),
    }));
  });
  return { rules, groups: ruleGroups };
}
