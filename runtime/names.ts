/**
 * Names the exposition derives from a metric's full name. The runtime and the generator's
 * conventions (which re-exports this module) both use these, so the generated specs, the rules and
 * the dashboards name every series the way the exposition writes it.
 */

/** `lazybird` + `agent_latency_seconds` → `lazybird_agent_latency_seconds` (no namespace: the key). */
export function metricFullName(namespace: string, key: string): string {
  return namespace === '' ? key : `${namespace}_${key}`;
}

/** OpenMetrics family name: a counter's name without `_total`, any other metric's name. */
export function familyName(fullName: string, type: string): string {
  return type === 'counter' ? fullName.replace(/_total$/, '') : fullName;
}

/** The sample a counter's family writes in OpenMetrics: `<family>_total`. */
export function counterSampleName(family: string): string {
  return `${family}_total`;
}

/** The three series of a histogram: `_bucket`, `_sum`, `_count`, in that order. */
export function histogramSampleNames(fullName: string): readonly [bucket: string, sum: string, count: string] {
  return [`${fullName}_bucket`, `${fullName}_sum`, `${fullName}_count`];
}

/** Series names a metric produces in the exposition (histograms: _bucket, _sum, _count). */
export function sampleNames(fullName: string, type: string): string[] {
  return type === 'histogram' ? [...histogramSampleNames(fullName)] : [fullName];
}

/** Key (name without namespace) of the exporter's own counter of dropped recording calls. */
export const DROPPED_METRIC_KEY = 'metrics_dropped_total';
