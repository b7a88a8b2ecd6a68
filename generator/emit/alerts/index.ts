import { stringify } from 'yaml';
import { generatedHeader, ratioRecordName, RATIO_WINDOWS, RECORDING_KEEP_LABELS, ruleGroupName, rulesFile, runbookUrl, signalRecordName, sloErrorRecordName } from '../../conventions.js';
import type { AlertModel, Catalog, MetricModel, RatioModel, Severity } from '../../catalog/model.js';
import { formatDuration, parseDuration } from '../../catalog/duration.js';
import { aggregate } from '../promql.js';
import { bucketMatcher, labelNames, range, selector } from './promql.js';

/** A rule as Prometheus reads it; serialized as-is, keys in this order. */
export type Rule =
  | { readonly record: string; readonly expr: string }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for: string;
      readonly labels: { readonly severity: Severity };
      readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url?: string };
    };

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** Prometheus evaluates a group's rules in order; small groups keep evaluation cheap and parallel. */
export const MAX_RULES_PER_GROUP = 20;

/** The multi-window multi-burn-rate pairs of a 30-day SLO (Google SRE workbook; Sloth). */
const BURN_RATES = {
  fast: [
    { factor: 14.4, short: '5m', long: '1h' },
    { factor: 6, short: '30m', long: '6h' },
  ],
  slow: [
    { factor: 3, short: '2h', long: '1d' },
    { factor: 1, short: '6h', long: '3d' },
  ],
} as const;
const SLO_REFERENCE_WINDOW = parseDuration('30d');

/** alerts/<namespace>.rules.yaml: recording and alerting rules, a group (or more) per catalogue group. */
export function emitAlerts(catalog: Catalog): Map<string, string> {
  const groups = ruleGroups(catalog);
  const body = stringify({ groups }, { lineWidth: 0, indent: 2 });
  return new Map([[rulesFile(catalog.namespace), `${generatedHeader(catalog.sourceFile, '#')}\n${body}`]]);
}

export function ruleGroups(catalog: Catalog): RuleGroup[] {
  const metrics = new Map(catalog.metrics.map((m) => [m.key, m]));
  const lookup = (key: string): MetricModel => {
    const metric = metrics.get(key);
    if (!metric) throw new Error(`unknown metric ${key}`);
    return metric;
  };
  const groups: RuleGroup[] = [];
  for (const group of catalog.groups) {
    const records: Rule[] = [];
    const alerts: Rule[] = [];
    for (const metric of group.metrics) {
      for (const ratio of metric.ratios) records.push(...ratioRecords(catalog, ratio, lookup));
      for (const alert of metric.alerts) {
        const rules = alertRules(catalog, metric, alert, lookup);
        records.push(...rules.records);
        alerts.push(...rules.alerts);
      }
    }
    const rules = dedupeRecords([...records, ...alerts]);
    for (let part = 0; part * MAX_RULES_PER_GROUP < rules.length; part++) {
      groups.push({
        name: ruleGroupName(catalog.namespace, group.id, part + 1),
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

/** sum(rate(numerator)) / sum(rate(denominator)), summed by job, instance and the ratio's labels before dividing. */
function ratioRecords(catalog: Catalog, ratio: RatioModel, lookup: (key: string) => MetricModel): Rule[] {
  const numerator = lookup(ratio.numerator);
  const by = labelNames(numerator, ratio.by);
  return RATIO_WINDOWS.map((window) => ({
    record: ratioRecordName(catalog.namespace, ratio.name, by, window),
    expr: ratioExpression(numerator, ratio, lookup, [...RECORDING_KEEP_LABELS, ...by], window, undefined),
  }));
}

function ratioExpression(
  numerator: MetricModel,
  ratio: RatioModel,
  lookup: (key: string) => MetricModel,
  by: readonly string[],
  window: string,
  offset: string | undefined,
): string {
  const denominator = lookup(ratio.denominator);
  return (
    `${aggregate('sum', by, `rate(${selector(numerator, ratio.match)}${range(window, offset)})`)}\n` +
    `/\n${aggregate('sum', by, `rate(${selector(denominator, ratio.denominatorMatch)}${range(window, offset)})`)}`
  );
}

interface Signal {
  /** The value watched, aggregated by job and the alert's labels. */
  readonly expr: string;
  /** Events per second behind it, for a traffic floor; undefined for gauges. */
  readonly traffic: string | undefined;
  /** Short name of the operation for a recorded signal: rate5m, avg_rate5m, ratio_rate5m, max. */
  readonly operation: string;
  readonly subject: string;
}

/** What threshold, degradation and anomaly alerts look at, optionally `offset` in the past. */
function signal(catalog: Catalog, metric: MetricModel, alert: AlertModel, lookup: (key: string) => MetricModel, offset?: string): Signal {
  const by = ['job', ...labelNames(metric, alert.by)];
  const r = range(alert.window, offset);
  const stem = metric.name.replace(new RegExp(`^${catalog.namespace}_`), '');
  switch (alert.of) {
    case 'value':
      return { expr: aggregate('max', by, selector(metric, alert.match) + (offset ? ` offset ${offset}` : '')), traffic: undefined, operation: 'max', subject: stem };
    case 'delta':
      return { expr: aggregate('max', by, `delta(${selector(metric, alert.match)}${r})`), traffic: undefined, operation: `max_delta${alert.window}`, subject: stem };
    case 'rate': {
      const expr = aggregate('sum', by, `rate(${selector(metric, alert.match)}${r})`);
      return { expr, traffic: expr, operation: `rate${alert.window}`, subject: stem.replace(/_total$/, '') };
    }
    case 'ratio': {
      const ratio = metric.ratios.find((candidate) => candidate.name === alert.ratio);
      if (!ratio) throw new Error(`unknown ratio ${alert.ratio}`);
      const denominator = lookup(ratio.denominator);
      return {
        expr: ratioExpression(metric, ratio, lookup, by, alert.window, offset),
        traffic: aggregate('sum', by, `rate(${selector(denominator, ratio.denominatorMatch)}${r})`),
        operation: `ratio_rate${alert.window}`,
        subject: ratio.name,
      };
    }
    case 'average': {
      const count = aggregate('sum', by, `rate(${selector(metric, alert.match, '_count')}${r})`);
      return {
        expr: `${aggregate('sum', by, `rate(${selector(metric, alert.match, '_sum')}${r})`)}\n/\n${count}`,
        traffic: count,
        operation: `avg_rate${alert.window}`,
        subject: stem,
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

function alertRules(catalog: Catalog, metric: MetricModel, alert: AlertModel, lookup: (key: string) => MetricModel): AlertRules {
  const by = labelNames(metric, alert.by);
  const floor = (traffic: string | undefined): string =>
    alert.minRate === undefined || traffic === undefined ? '' : `\nand\n${traffic} >= ${alert.minRate}`;
  const one = (expr: string, forDefault: string, value: ValueKind): AlertRules => ({
    records: [],
    alerts: [alertRule(catalog, metric, alert, alert.name, alert.severity, expr, alert.for ?? forDefault, value)],
  });

  switch (alert.kind) {
    case 'threshold': {
      const watched = signal(catalog, metric, alert, lookup);
      const comparison = alert.above !== undefined ? `> ${alert.above}` : `< ${alert.below}`;
      return one(`${parenthesize(watched.expr)} ${comparison}${floor(watched.traffic)}`, '5m', valueKindOf(metric, alert));
    }
    case 'quantile': {
      const r = range(alert.window, undefined);
      const expr =
        `histogram_quantile(${alert.quantile}, ${aggregate('sum', ['job', ...by, 'le'], `rate(${selector(metric, alert.match, '_bucket')}${r})`)}) > ${alert.above}` +
        floor(aggregate('sum', ['job', ...by], `rate(${selector(metric, alert.match, '_count')}${r})`));
      return one(expr, '5m', metric.unit === 'seconds' ? 'duration' : 'number');
    }
    case 'degradation': {
      const now = signal(catalog, metric, alert, lookup);
      const then = signal(catalog, metric, alert, lookup, alert.offset);
      const keep = 1 - (alert.dropPercent ?? 0) / 100;
      const expr = `${parenthesize(now.expr)}\n< ${round(keep)} * ${parenthesize(then.expr)}${floor(now.traffic)}`;
      return one(expr, '30m', valueKindOf(metric, alert));
    }
    case 'anomaly': {
      const watched = signal(catalog, metric, alert, lookup);
      const record = signalRecordName(catalog.namespace, watched.subject, watched.operation, by);
      const expr =
        `(\n  ${record}\n  - avg_over_time(${record}[${alert.baseline}])\n)\n/ stddev_over_time(${record}[${alert.baseline}])\n> ${alert.z}` +
        floor(watched.traffic);
      return {
        records: [{ record, expr: watched.expr }],
        alerts: [alertRule(catalog, metric, alert, alert.name, alert.severity, expr, alert.for ?? '10m', 'z')],
      };
    }
    case 'absence':
      return one(`absent_over_time(${selector(metric, alert.match, metric.type === 'histogram' ? '_count' : '')}[${alert.window}])`, '10m', 'none');
    case 'stall': {
      const s = selector(metric, alert.match);
      const keep = ['job', ...by];
      const expr = `${aggregate('sum', keep, `increase(${s}[${alert.window}])`)} == 0\nand\n${aggregate('sum', keep, `increase(${s}[${alert.baseline}])`)} > 0`;
      return one(expr, '5m', 'none');
    }
    case 'slo':
      return sloRules(catalog, metric, alert, by);
  }
}

/** Error-ratio records per burn-rate window, then a fast-burn (page) and a slow-burn (ticket) alert. */
function sloRules(catalog: Catalog, metric: MetricModel, alert: AlertModel, by: readonly string[]): AlertRules {
  const scale = parseDuration(alert.sloWindow) / SLO_REFERENCE_WINDOW;
  const scaled = (window: string): string => formatDuration(parseDuration(window) * scale);
  const keep = ['job', ...by];
  const windows = [...new Set([...BURN_RATES.fast, ...BURN_RATES.slow].flatMap((b) => [b.short, b.long]))]
    .map(scaled)
    .sort((a, b) => parseDuration(a) - parseDuration(b));
  const recordOf = (window: string) => sloErrorRecordName(catalog.namespace, alert.name, by, window);
  const total = (window: string) =>
    metric.type === 'histogram'
      ? aggregate('sum', keep, `rate(${selector(metric, alert.match, '_count')}[${window}])`)
      : aggregate('sum', keep, `rate(${selector(metric, alert.match)}[${window}])`);
  const errors = (window: string): string => {
    if (alert.latencyBelow !== undefined) {
      const good = selector(metric, alert.match, '_bucket', [bucketMatcher(alert.latencyBelow)]);
      return `1 - (\n  ${aggregate('sum', keep, `rate(${good}[${window}])`)}\n  /\n  ${total(window)}\n)`;
    }
    if (alert.bad !== undefined) return `${aggregate('sum', keep, `rate(${selector(metric, { ...alert.match, ...alert.bad })}[${window}])`)}\n/\n${total(window)}`;
    return `1 - (\n  ${aggregate('sum', keep, `rate(${selector(metric, { ...alert.match, ...alert.good })}[${window}])`)}\n  /\n  ${total(window)}\n)`;
  };
  const records: Rule[] = windows.map((window) => ({ record: recordOf(window), expr: errors(window) }));
  const budget = round(1 - (alert.objective ?? 1));
  const burn = (pairs: readonly { factor: number; short: string; long: string }[], floorWindow: string): string => {
    const conditions = pairs.map(
      (p) => `(\n  ${recordOf(scaled(p.short))} > (${p.factor} * ${budget})\n  and\n  ${recordOf(scaled(p.long))} > (${p.factor} * ${budget})\n)`,
    );
    const floor = alert.minRate === undefined ? '' : `\nand\n${total(scaled(floorWindow))} >= ${alert.minRate}`;
    return `(\n${conditions.join('\nor\n')}\n)${floor}`;
  };
  return {
    records,
    alerts: [
      alertRule(catalog, metric, alert, `${alert.name}FastBurn`, alert.severity, burn(BURN_RATES.fast, '1h'), alert.for ?? '2m', 'burn'),
      alertRule(catalog, metric, alert, `${alert.name}SlowBurn`, lowerSeverity(alert.severity), burn(BURN_RATES.slow, '6h'), alert.for ?? '15m', 'burn'),
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
  name: string,
  severity: Severity,
  expr: string,
  forDuration: string,
  value: ValueKind,
): Rule {
  const annotations = {
    summary: alert.summary,
    description: alert.description ?? defaultDescription(metric, alert, value),
    ...(catalog.runbookUrl === undefined ? {} : { runbook_url: runbookUrl(catalog.runbookUrl, name) }),
  };
  return { alert: name, expr, for: forDuration, labels: { severity }, annotations };
}

/** A description templated with the alert's labels and value, worded for its kind. */
function defaultDescription(metric: MetricModel, alert: AlertModel, value: ValueKind): string {
  const who = ['{{ $labels.job }}', ...labelNames(metric, alert.by).map((name) => `${name}={{ $labels.${name} }}`)].join(' ');
  const shown =
    value === 'duration'
      ? '{{ $value | humanizeDuration }}'
      : value === 'percentage'
        ? '{{ $value | humanizePercentage }}'
        : '{{ $value | printf "%.3g" }}';
  const watched = alert.of === 'ratio' ? `the ${alert.ratio} ratio of ${metric.name}` : alert.of === undefined ? metric.name : `the ${alert.of} of ${metric.name}`;
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

function lowerSeverity(severity: Severity): Severity {
  return severity === 'critical' ? 'warning' : 'info';
}

function parenthesize(expr: string): string {
  return expr.includes('\n') ? `(\n${expr}\n)` : expr;
}

/** Decimal arithmetic without binary noise: 1 - 0.95 is 0.05, not 0.050000000000000044. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

