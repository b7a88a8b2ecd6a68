/**
 * PromQL the dashboards run. Every selector carries the `job` and `instance` variables (and the
 * dashboard's label variables where the series has the label); every range is `$__rate_interval`,
 * so Grafana sizes it to the scrape interval and the zoom level.
 */
import { aggregate, labelMatcher, stringLiteral } from '../promql.js';

export { aggregate };

export const RATE_INTERVAL = '$__rate_interval';

/** A label matched against a dashboard variable: `agent=~"$agent"`. */
export interface VariableFilter {
  /** Exposed label name. */
  readonly label: string;
  /** Variable name, without `$`. */
  readonly variable: string;
}

/** A label matched against fixed values: `result="hit"`, `status_class=~"4xx|5xx"`, `status_class!="2xx"`. */
export interface FixedMatcher {
  readonly label: string;
  readonly values: readonly string[];
  readonly negated: boolean;
}

/** `name{job=~"$job", instance=~"$instance", agent=~"$agent", result="hit"}`. */
export function selector(series: string, filters: readonly VariableFilter[], fixed: readonly FixedMatcher[] = []): string {
  const matchers = [
    'job=~"$job"',
    'instance=~"$instance"',
    ...filters.map((f) => `${f.label}=~"$${f.variable}"`),
    ...fixed.map((m) => labelMatcher(m.label, m.values, m.negated, grafanaInertLiteral)),
  ];
  return `${series}{${matchers.join(', ')}}`;
}

/**
 * A PromQL string Grafana leaves alone: Grafana expands `$name`, `${name}` and `[[name]]` anywhere
 * in a query, so `$` and `[` are written as the Go escapes `\u0024` and `\u005b`, which PromQL reads
 * back as the same characters. JSON.stringify never writes a backslash that would pair with them.
 */
export function grafanaInertLiteral(value: string): string {
  return stringLiteral(value).replace(/\$/g, '\\u0024').replace(/\[/g, '\\u005b');
}

export function rate(vectorSelector: string): string {
  return `rate(${vectorSelector}[${RATE_INTERVAL}])`;
}

export function increase(vectorSelector: string): string {
  return `increase(${vectorSelector}[${RATE_INTERVAL}])`;
}

/** Quantile estimated from a histogram's buckets: rate first, then sum keeping `le`. */
export function histogramQuantile(quantile: number, by: readonly string[], bucketSelector: string): string {
  return `histogram_quantile(${quantile}, ${aggregate('sum', ['le', ...by], rate(bucketSelector))})`;
}

/** Mean observation over the rate interval: rate of `_sum` over rate of `_count`. */
export function histogramMean(by: readonly string[], sumSelector: string, countSelector: string): string {
  return `${aggregate('sum', by, rate(sumSelector))} / ${aggregate('sum', by, rate(countSelector))}`;
}

