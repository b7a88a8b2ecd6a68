/**
 * Names the exposition derives from a metric's full name. The runtime and the generator's
 * conventions (which re-exports this module) both use these, so the generated specs, the rules and
 * the dashboards name every series the way the exposition writes it.
 */

/** `lazybird` + `agent_latency_seconds` → `lazybird_agent_latency_seconds` (no namespace: the key). */
export function metricFullName(namespace: string, key: string): string {
  return namespace === '' ? key : `${namespace}_${key}`;
}

/**
 * OpenMetrics family name: a counter's name without `_total`, an info metric's without `_info` (its
 * sample keeps the suffix), any other metric's name.
 */
export function familyName(fullName: string, type: string): string {
  if (type === 'counter') return fullName.replace(/_total$/, '');
  if (type === 'info') return fullName.replace(/_info$/, '');
  return fullName;
}

/** The sample a counter's family writes in OpenMetrics: `<family>_total`. */
export function counterSampleName(family: string): string {
  return `${family}_total`;
}

/** The three series of a histogram: `_bucket`, `_sum`, `_count`, in that order. */
export function histogramSampleNames(fullName: string): readonly [bucket: string, sum: string, count: string] {
  return [`${fullName}_bucket`, `${fullName}_sum`, `${fullName}_count`];
}

/**
 * Whether a histogram with these bucket bounds exposes `_sum` and `_count`. OpenMetrics 1.0: a
 * histogram with a negative threshold "MUST NOT contain a sum value as it would no longer be a
 * counter semantically", and `_count` appears "if and only if" `_sum` does. Its count stays readable
 * as the `le="+Inf"` bucket. The text formats follow this rule; protobuf carries both anyway, as
 * Prometheus's protobuf parser stores them for every classic histogram (runtime/protobuf.ts), so what
 * Prometheus stores for such a histogram depends on the format a scrape negotiated.
 */
export function histogramExposesSum(buckets: readonly number[]): boolean {
  return !buckets.some((bound) => bound < 0);
}

/**
 * Series names a metric produces in the exposition (histograms: _bucket, _sum, _count; only _bucket
 * with a negative bucket bound, see {@link histogramExposesSum}).
 */
export function sampleNames(fullName: string, type: string, buckets: readonly number[] = []): string[] {
  if (type !== 'histogram') return [fullName];
  const all = histogramSampleNames(fullName);
  return histogramExposesSum(buckets) ? [...all] : [all[0]];
}

/** Key (name without namespace) of the exporter's own counter of dropped recording calls. */
export const DROPPED_METRIC_KEY = 'metrics_dropped_total';
