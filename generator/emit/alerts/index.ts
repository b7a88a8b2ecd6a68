import { stringify } from 'yaml';
import { generatedHeader, MAX_RULES_PER_GROUP, RECORDING_KEEP_LABELS, runbookUrl } from '../../conventions.js';
import { mergeMatchers, shapeOfHistogram } from '../../catalog/model.js';
import type { AlertModel, Catalog, Matchers, MetricModel, RatioModel, Severity } from '../../catalog/model.js';
import { BURN_RATES, scaledWindow } from '../../catalog/slo.js';
import { aggregate, eitherShape, nativeCountRate, nativeFractionBelow, nativeQuantile, nativeSumRate } from '../promql.js';
import { customRuleGroups } from './custom.js';
import { bucketMatcher, range, selector } from './promql.js';

/** A rule as Prometheus reads it; serialized as-is, keys in this order. */
export type Rule =
  | { readonly record: string; readonly expr: string }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for: string;
      readonly labels: { readonly severity: Severity; readonly [name: string]: string };
      readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url?: string; readonly dashboard_url?: string; readonly [name: string]: string | undefined };
    };

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export { MAX_RULES_PER_GROUP };

/**
 * alerts/<namespace>.rules.yaml: recording and alerting rules, a group (or more) per catalogue
 * group; with `outputs.mimir_rules`, the same groups again as a Mimir/Cortex ruler namespace file.
 */
export function emitAlerts(catalog: Catalog): Map<string, string> {
  const groups = [...ruleGroups(catalog), ...customRuleGroups(catalog)];
  const header = generatedHeader(catalog.sourceFile, '#');
  const outputs = new Map([[catalog.files.rules, `${header}\n${stringify({ groups }, { lineWidth: 0, indent: 2 })}`]]);
  const mimir = catalog.files.mimirRules;
  // mimirtool and cortextool read `namespace` beside `groups` (and nothing else: they decode with
  // known fields only); the namespace replaces the file name as the ruler's unit of sync.
  if (mimir !== undefined) outputs.set(mimir.file, `${header}\n${stringify({ namespace: mimir.namespace, groups }, { lineWidth: 0, indent: 2 })}`);
  return outputs;
}

export function ruleGroups(catalog: Catalog): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const group of catalog.groups) {
    const records: Rule[] = [];
    const alerts: Rule[] = [];
    for (const metric of group.metrics) {
      for (const ratio of metric.ratios) records.push(...ratioRecords(catalog, ratio));
      for (const alert of metric.alerts) {
        const rules = alertRules(catalog, metric, alert);
        records.push(...rules.records);
        alerts.push(...rules.alerts);
      }
    }
    const rules = dedupeRecords([...records, ...alerts]);
    for (let part = 0; part * MAX_RULES_PER_GROUP < rules.length; part++) {
      const name = group.ruleGroups[part];
      if (name === undefined) throw new Error(`the model has no name for part ${part + 1} of the rules of group ${group.id}`);
      groups.push({
        name,
        rules: rules.slice(part * MAX_RULES_PER_GROUP, (part + 1) * MAX_RULES_PER_GROUP),
      });
    }
  }
  return groups;
}

/** Two alerts on the same signal record it once. */
function dedupeRecords(rules: readonly Rule[]): Rule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    if (!('record' in rule)) return true;
    if (seen.has(rule.record)) return false;
    seen.add(rule.record);
    return true;
  });
}

/**
 * sum(rate(numerator)) / sum(rate(denominator)), summed by the aggregation labels, job, instance and
 * the ratio's labels before dividing.
 */
function ratioRecords(catalog: Catalog, ratio: RatioModel): Rule[] {
  const by = ratio.by.map((label) => label.name);
  return ratio.records.map(({ window, name }) => ({
    record: name,
    expr: ratioExpression(ratio, [...catalog.aggregationLabels, ...RECORDING_KEEP_LABELS, ...by], window, undefined),
  }));
}

/**
 * The labels an alert's aggregations keep: the store's aggregation labels (one alert per cluster),
 * `job`, then the alert's own `by`. Both sides of a ratio are summed by the same list, so the
 * division matches series one to one without `on`/`ignoring`.
 */
function alertKeeps(catalog: Catalog, alert: AlertModel): string[] {
  return [...catalog.aggregationLabels, 'job', ...alert.by.map((label) => label.name)];
}

/**
 * Events per second of `metric` by `by` over the range `r`: a counter's rate, a histogram's count
 * from whichever shape Prometheus stored (see eitherShape).
 */
function eventRate(metric: MetricModel, match: Matchers, by: readonly string[], r: string): string {
  const [, , count = metric.name] = metric.samples;
  const classic = aggregate('sum', by, `rate(${selector(metric, match, count)}${r})`);
  if (metric.type !== 'histogram') return classic;
  return eitherShape(shapeOfHistogram(metric), nativeCountRate(by, `rate(${selector(metric, match)}${r})`), classic, 'block');
}

function ratioExpression(ratio: RatioModel, by: readonly string[], window: string, offset: string | undefined): string {
  return (
    `${aggregate('sum', by, `rate(${selector(ratio.numerator, ratio.match)}${range(window, offset)})`)}\n` +
    `/\n${aggregate('sum', by, `rate(${selector(ratio.denominator, ratio.denominatorMatch)}${range(window, offset)})`)}`
  );
}

interface Signal {
  /** The value watched, aggregated by job and the alert's labels. */
  readonly expr: string;
  /** Events per second behind it, for a traffic floor; undefined for gauges. */
  readonly traffic: string | undefined;
}

/** What threshold, degradation and anomaly alerts look at, optionally `offset` in the past. */
function signal(metric: MetricModel, alert: AlertModel, by: readonly string[], offset?: string): Signal {
  const r = range(alert.window, offset);
  switch (alert.of) {
    case 'value': {
      // A degradation compares the window's mean with the same window earlier; a threshold the value now.
      const series = alert.kind === 'degradation' ? `avg_over_time(${selector(metric, alert.match)}${r})` : selector(metric, alert.match) + (offset ? ` offset ${offset}` : '');
      return { expr: aggregate(alert.aggregate, by, series), traffic: undefined };
    }
    case 'delta':
      return { expr: aggregate(alert.aggregate, by, `delta(${selector(metric, alert.match)}${r})`), traffic: undefined };
    case 'rate': {
      const expr = aggregate('sum', by, `rate(${selector(metric, alert.match)}${r})`);
      return { expr, traffic: expr };
    }
    case 'ratio': {
      const ratio = alert.ratio;
      if (!ratio) throw new Error(`alert ${alert.name} watches no ratio`);
      return {
        expr: ratioExpression(ratio, by, alert.window, offset),
        traffic: aggregate('sum', by, `rate(${selector(ratio.denominator, ratio.denominatorMatch)}${r})`),
      };
    }
    case 'average': {
      const [, sum, count] = metric.samples;
      const countRate = aggregate('sum', by, `rate(${selector(metric, alert.match, count)}${r})`);
      const native = `rate(${selector(metric, alert.match)}${r})`;
      const shape = shapeOfHistogram(metric);
      return {
        expr: eitherShape(shape, `${nativeSumRate(by, native)}\n/\n${nativeCountRate(by, native)}`, `${aggregate('sum', by, `rate(${selector(metric, alert.match, sum)}${r})`)}\n/\n${countRate}`, 'block'),
        traffic: eventRate(metric, alert.match, by, r),
      };
    }
    case undefined:
      throw new Error(`alert ${alert.name} has no "of"`);
  }
}

interface AlertRules {
  readonly records: Rule[];
  readonly alerts: Rule[];
}

function alertRules(catalog: Catalog, metric: MetricModel, alert: AlertModel): AlertRules {
  const keep = alertKeeps(catalog, alert);
  const [bucket, , count] = metric.samples;
  const floor = (traffic: string | undefined): string =>
    alert.minRate === undefined || traffic === undefined ? '' : `\nand\n${traffic} >= ${alert.minRate}`;
  const [rule] = alert.rules;
  if (!rule) throw new Error(`alert ${alert.name} makes no rule`);
  const one = (expr: string, value: ValueKind): AlertRules => ({ records: [], alerts: [alertRule(catalog, metric, alert, rule, expr, value)] });

  switch (alert.kind) {
    case 'threshold': {
      const watched = signal(metric, alert, keep);
      const comparison = alert.above !== undefined ? `> ${alert.above}` : `< ${alert.below}`;
      return one(`${parenthesize(watched.expr)} ${comparison}${floor(watched.traffic)}`, valueKindOf(metric, alert));
    }
    case 'quantile': {
      const r = range(alert.window, undefined);
      const shape = shapeOfHistogram(metric);
      const native = `rate(${selector(metric, alert.match)}${r})`;
      const quantile = eitherShape(
        shape,
        nativeQuantile(alert.quantile ?? 0, keep, native),
        `histogram_quantile(${alert.quantile}, ${aggregate('sum', [...keep, 'le'], `rate(${selector(metric, alert.match, bucket)}${r})`)})`,
        'block',
      );
      const expr =
        `${quantile} > ${alert.above}` +
        floor(eventRate(metric, alert.match, keep, r));
      return one(expr, metric.unit === 'seconds' ? 'duration' : 'number');
    }
    case 'degradation': {
      const now = signal(metric, alert, keep);
      const then = signal(metric, alert, keep, alert.offset);
      const kept = 1 - (alert.dropPercent ?? 0) / 100;
      // The floor is on the past traffic: a collapse to near zero is what must fire, while a
      // baseline too thin to compare with stays silent.
      const expr = `${parenthesize(now.expr)}\n< ${round(kept)} * ${parenthesize(then.expr)}${floor(then.traffic)}`;
      return one(expr, valueKindOf(metric, alert));
    }
    case 'anomaly': {
      const watched = signal(metric, alert, keep);
      const record = alert.signalRecord;
      if (record === undefined) throw new Error(`anomaly alert ${alert.name} has no recorded signal`);
      const expr =
        `(\n  ${record}\n  - avg_over_time(${record}[${alert.baseline}])\n)\n/ stddev_over_time(${record}[${alert.baseline}])\n> ${alert.z}` +
        floor(watched.traffic);
      return {
        records: [{ record, expr: watched.expr }],
        alerts: [alertRule(catalog, metric, alert, rule, expr, 'z')],
      };
    }
    case 'absence': {
      const absent = (series: string | undefined): string => `absent_over_time(${selector(metric, alert.match, series)}[${alert.window}])`;
      if (metric.type !== 'histogram') return one(absent(metric.name), 'none');
      // With native buckets, either shape may be what Prometheus stores (a native-only histogram
      // scraped as text is its `+Inf` bucket, `_sum` and `_count`): absent only when both are. Their
      // labels are the same, those of the equality matchers, so `and` pairs them.
      const shape = shapeOfHistogram(metric);
      return one(shape === 'classic' ? absent(count) : `${absent(count)}\nand\n${absent(metric.name)}`, 'none');
    }
    case 'stall': {
      const s = selector(metric, alert.match);
      const expr = `${aggregate('sum', keep, `increase(${s}[${alert.window}])`)} == 0\nand\n${aggregate('sum', keep, `increase(${s}[${alert.baseline}])`)} > 0`;
      return one(expr, 'none');
    }
    case 'slo':
      return sloRules(catalog, metric, alert, keep);
  }
}

/** Error-ratio records per burn-rate window, then a fast-burn (page) and a slow-burn (ticket) alert. */
function sloRules(catalog: Catalog, metric: MetricModel, alert: AlertModel, keep: readonly string[]): AlertRules {
  const scaled = (window: string): string => scaledWindow(window, alert.sloWindow);
  const recordOf = (window: string): string => {
    const record = alert.sloRecords.find((r) => r.window === window);
    if (!record) throw new Error(`SLO ${alert.name} has no record over ${window}`);
    return record.name;
  };
  const [bucket = metric.name, , count = metric.name] = metric.samples;
  const shape = metric.type === 'histogram' ? shapeOfHistogram(metric) : 'classic';
  const nativeRate = (window: string): string => `rate(${selector(metric, alert.match)}[${window}])`;
  const total = (window: string) => eventRate(metric, alert.match, keep, `[${window}]`);
  // Good or bad events: series of the alert's metric, or of a second counter (the job-queue shape,
  // failed_total over processed_total); `match` scopes both.
  const events = (counter: MetricModel, matchers: Matchers, window: string): string =>
    aggregate('sum', keep, `rate(${selector(counter, mergeMatchers(alert.match, matchers))}[${window}])`);
  const errors = (window: string): string => {
    if (alert.latencyBelow !== undefined) {
      const good = selector(metric, alert.match, bucket, [bucketMatcher(alert.latencyBelow)]);
      const classicTotal = aggregate('sum', keep, `rate(${selector(metric, alert.match, count)}[${window}])`);
      const classic = `1 - (\n  ${aggregate('sum', keep, `rate(${good}[${window}])`)}\n  /\n  ${classicTotal}\n)`;
      return eitherShape(shape, `1 - ${nativeFractionBelow(alert.latencyBelow, keep, nativeRate(window))}`, classic, 'block');
    }
    if (alert.bad !== undefined) return `${events(alert.badMetric ?? metric, alert.bad, window)}\n/\n${total(window)}`;
    return `1 - (\n  ${events(alert.goodMetric ?? metric, alert.good ?? [], window)}\n  /\n  ${total(window)}\n)`;
  };
  const records: Rule[] = alert.sloRecords.map(({ window, name }) => ({ record: name, expr: errors(window) }));
  const budget = round(1 - (alert.objective ?? 1));
  const burn = (pairs: readonly { factor: number; short: string; long: string }[], floorWindow: string): string => {
    const conditions = pairs.map(
      (p) => `(\n  ${recordOf(scaled(p.short))} > (${p.factor} * ${budget})\n  and\n  ${recordOf(scaled(p.long))} > (${p.factor} * ${budget})\n)`,
    );
    const floor = alert.minRate === undefined ? '' : `\nand\n${total(scaled(floorWindow))} >= ${alert.minRate}`;
    return `(\n${conditions.join('\nor\n')}\n)${floor}`;
  };
  const [fast, slow] = alert.rules;
  if (!fast || !slow) throw new Error(`SLO ${alert.name} makes no fast and slow burn alerts`);
  return {
    records,
    alerts: [
      alertRule(catalog, metric, alert, fast, burn(BURN_RATES.fast, '1h'), 'burn'),
      alertRule(catalog, metric, alert, slow, burn(BURN_RATES.slow, '6h'), 'burn'),
    ],
  };
}


type ValueKind = 'duration' | 'percentage' | 'number' | 'z' | 'burn' | 'none';

function valueKindOf(metric: MetricModel, alert: AlertModel): ValueKind {
  if (alert.of === 'ratio' || (alert.of !== 'rate' && alert.of !== 'delta' && metric.unit === 'ratio')) return 'percentage';
  if (alert.of !== 'rate' && metric.unit === 'seconds') return 'duration';
  return 'number';
}

function alertRule(
  catalog: Catalog,
  metric: MetricModel,
  alert: AlertModel,
  rule: AlertModel['rules'][number],
  expr: string,
  value: ValueKind,
): Rule {
  // The catalogue's own annotations come last and may replace a generated link.
  const annotations = {
    summary: alert.summary,
    description: alert.description ?? defaultDescription(catalog, metric, alert, value),
    ...(catalog.runbookUrl === undefined ? {} : { runbook_url: runbookUrl(catalog.runbookUrl, rule.name) }),
    ...(alert.dashboardUrl === undefined ? {} : { dashboard_url: alert.dashboardUrl }),
    ...Object.fromEntries(alert.annotations.map(({ name, value }) => [name, value])),
  };
  const labels = { severity: rule.severity, ...Object.fromEntries(alert.labels.map(({ name, value }) => [name, value])) };
  return { alert: rule.name, expr, for: rule.for, labels, annotations };
}

/** A description templated with the alert's labels and value, worded for its kind. */
function defaultDescription(catalog: Catalog, metric: MetricModel, alert: AlertModel, value: ValueKind): string {
  const named = [...catalog.aggregationLabels, ...alert.by.map((label) => label.name)];
  const who = ['{{ $labels.job }}', ...named.map((name) => `${name}={{ $labels.${name} }}`)].join(' ');
  const shown =
    value === 'duration'
      ? '{{ $value | humanizeDuration }}'
      : value === 'percentage'
        ? '{{ $value | humanizePercentage }}'
        : '{{ $value | printf "%.3g" }}';
  const watched = alert.of === 'ratio' ? `the ${alert.ratio?.name} ratio of ${metric.name}` : alert.of === undefined ? metric.name : `the ${alert.of} of ${metric.name}`;
  switch (alert.kind) {
    case 'threshold': {
      const over = alert.of === 'value' ? '' : ` over ${alert.window}`;
      const limit = alert.above !== undefined ? `above ${threshold(alert.above, value)}` : `below ${threshold(alert.below ?? 0, value)}`;
      return `${who}: ${watched}${over} is ${shown}${alert.of === 'rate' ? '/s' : ''}, ${limit}.`;
    }
    case 'quantile':
      return `${who}: p${round(alert.quantile! * 100)} of ${metric.name} over ${alert.window} is ${shown}, above ${threshold(alert.above ?? 0, value)}.`;
    case 'degradation':
      return `${who}: ${watched} over ${alert.window} is ${shown}, more than ${alert.dropPercent}% below its value ${alert.offset} earlier.`;
    case 'anomaly':
      return `${who}: ${watched} over ${alert.window} is {{ $value | printf "%.1f" }} standard deviations above its ${alert.baseline} mean.`;
    case 'absence':
      return `No ${metric.name} series has been scraped for ${alert.window}: the exporter is down or no longer exposes it.`;
    case 'stall':
      return `${who}: ${metric.name} has not increased for ${alert.window}, though it did in the last ${alert.baseline}, while the exporter is still scraped.`;
    case 'slo':
      return `${who}: the error budget of the ${round((alert.objective ?? 0) * 100)}% objective on ${metric.name} is burning fast enough to run out; the error ratio over the short window is {{ $value | humanizePercentage }}.`;
  }
}

/** A threshold as the description shows its value: 0.05 as 5%, 180 seconds as 180s. */
function threshold(limit: number, value: ValueKind): string {
  if (value === 'percentage') return `${round(limit * 100)}%`;
  if (value === 'duration') return `${limit}s`;
  return String(limit);
}

function parenthesize(expr: string): string {
  return expr.includes('\n') ? `(\n${expr}\n)` : expr;
}

/** Decimal arithmetic without binary noise: 1 - 0.95 is 0.05, not 0.050000000000000044. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

