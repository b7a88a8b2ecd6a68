/**
 * prom-client's JSON representation of metrics (`Registry#getMetricsAsJSON`), typed for our use.
 * prom-client's own typings declare `type` as a numeric enum although the runtime values are
 * strings, so the runtime keeps this faithful copy and casts at the boundary.
 */

/** One sample of a metric in prom-client's JSON. */
export interface PromValueJSON {
  value: number;
  labels: Record<string, string | number>;
  /** Set for histogram and summary samples: `<name>_bucket`, `_sum`, `_count`. */
  metricName?: string;
}

/** One metric family in prom-client's JSON. */
export interface PromMetricJSON {
  name: string;
  help: string;
  /** 'counter' | 'gauge' | 'histogram' | 'summary' in practice. */
  type: string;
  values: PromValueJSON[];
  /** How AggregatorRegistry combines workers: 'sum', 'first', 'min', 'max', 'average' or 'omit'. */
  aggregator: string;
}
