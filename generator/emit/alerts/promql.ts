import { formatGoFloat, formatOpenMetricsFloat } from '../../../runtime/format.js';
import { stringLiteral } from '../promql.js';
import type { MetricModel } from '../../catalog/model.js';

/** `name{label="value",...}` with label ids resolved to exposed names (`extra`: exposed names already); no braces without matchers. */
export function selector(
  metric: MetricModel,
  matchers: Readonly<Record<string, string>>,
  suffix = '',
  extra: readonly (readonly [name: string, operator: '=' | '=~', value: string])[] = [],
): string {
  const pairs = metric.labels
    .filter((label) => matchers[label.id] !== undefined)
    .map((label) => `${label.name}=${stringLiteral(matchers[label.id] ?? '')}`)
    .concat(extra.map(([name, operator, value]) => `${name}${operator}${stringLiteral(value)}`));
  return `${metric.name}${suffix}${pairs.length ? `{${pairs.join(', ')}}` : ''}`;
}

/** Exposed names of label ids of a metric, in the order given. */
export function labelNames(metric: MetricModel, ids: readonly string[]): string[] {
  return ids.map((id) => metric.labels.find((label) => label.id === id)?.name ?? id);
}

/** A range with an optional offset: `[5m]` or `[5m] offset 1d`. */
export function range(window: string, offset: string | undefined): string {
  return offset === undefined ? `[${window}]` : `[${window}] offset ${offset}`;
}

/**
 * Matcher of one bucket boundary. The text format writes `le="120"`, OpenMetrics (which Prometheus
 * 2 asks for first) `le="120.0"`, and Prometheus 3 normalises to the latter; match either.
 */
export function bucketMatcher(bound: number): readonly [string, '=' | '=~', string] {
  const spellings = [...new Set([formatGoFloat(bound), formatOpenMetricsFloat(bound)])];
  if (spellings.length === 1) return ['le', '=', spellings[0] ?? ''];
  return ['le', '=~', spellings.map((s) => s.replace(/[.+]/g, (c) => `\\${c}`)).join('|')];
}
