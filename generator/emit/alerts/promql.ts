import type { MetricModel } from '../../catalog/model.js';

/** A PromQL string literal: Go-style double quotes with `\` and `"` escaped. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** `name{label="value",...}` with label ids resolved to exposed names (`extra`: exposed names already); no braces without matchers. */
export function selector(
  metric: MetricModel,
  matchers: Readonly<Record<string, string>>,
  suffix = '',
  extra: readonly (readonly [string, string])[] = [],
): string {
  const pairs = metric.labels
    .filter((label) => matchers[label.id] !== undefined)
    .map((label) => `${label.name}=${quote(matchers[label.id] ?? '')}`)
    .concat(extra.map(([name, value]) => `${name}=${quote(value)}`));
  return `${metric.name}${suffix}${pairs.length ? `{${pairs.join(', ')}}` : ''}`;
}

/** Exposed names of label ids of a metric, in the order given. */
export function labelNames(metric: MetricModel, ids: readonly string[]): string[] {
  return ids.map((id) => metric.labels.find((label) => label.id === id)?.name ?? id);
}

/** `sum by (job, cache_layer) (...)`. */
export function aggregate(operator: 'sum' | 'max', by: readonly string[], expression: string): string {
  return `${operator} by (${by.join(', ')}) (${expression})`;
}

/** A range with an optional offset: `[5m]` or `[5m] offset 1d`. */
export function range(window: string, offset: string | undefined): string {
  return offset === undefined ? `[${window}]` : `[${window}] offset ${offset}`;
}
