import { formatGoFloat, formatOpenMetricsFloat } from '../../../runtime/format.js';
import { labelMatcher, stringLiteral } from '../promql.js';
import type { Matchers, MetricModel } from '../../catalog/model.js';

/**
 * `series{label="value",...}` with label ids resolved to exposed names (`extra`: exposed names
 * already); no braces without matchers. `series`: one of the metric's sample names, its name by default.
 */
export function selector(
  metric: MetricModel,
  matchers: Matchers,
  series = metric.name,
  extra: readonly (readonly [name: string, operator: '=' | '=~', value: string])[] = [],
): string {
  // In the metric's label order, whatever order the catalogue listed them in.
  const pairs = metric.labels
    .flatMap((label) => matchers.filter((m) => m.label === label).slice(-1))
    .map((m) => labelMatcher(m.label.name, m.values, m.negated))
    .concat(extra.map(([name, operator, value]) => `${name}${operator}${stringLiteral(value)}`));
  return `${series}${pairs.length ? `{${pairs.join(', ')}}` : ''}`;
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
