import { NATIVE_SCHEMA_RANGE } from '../defaults.js';
import type { RuleContext } from './context.js';

/**
 * A histogram's `native:` settings are ones Prometheus and its clients can hold: a schema in the
 * supported range, or a bucket factor above 1 (not both: each sets the resolution), a positive
 * bucket limit and a zero threshold that is a finite non-negative number.
 */
export function nativeHistogramRules(context: RuleContext): void {
  for (const [key, metric] of context.metrics()) {
    const native = metric.native;
    if (native === undefined) continue;
    const at = ['metrics', key, 'native'];
    const name = context.fullName(key);
    if (metric.type !== 'histogram') {
      context.error('native-unexpected', `${name}: only histograms have native buckets (this is a ${metric.type})`, at, { key: true });
      continue;
    }
    const { min, max } = NATIVE_SCHEMA_RANGE;
    if (native.schema !== undefined && (native.schema < min || native.schema > max)) {
      context.error('native-schema-range', `${name}: native schema ${native.schema} is outside ${min}..${max}, the resolutions Prometheus supports (2^schema buckets per power of two)`, [...at, 'schema']);
    }
    if (native.schema !== undefined && native.bucket_factor !== undefined) {
      context.error('native-schema-factor', `${name}: native schema and bucket_factor both set the resolution; keep one`, [...at, 'bucket_factor'], { key: true });
    }
    if (native.bucket_factor !== undefined && !(native.bucket_factor > 1 && Number.isFinite(native.bucket_factor))) {
      context.error('native-bucket-factor', `${name}: native bucket_factor ${native.bucket_factor} must be a finite number above 1 (the largest ratio between a bucket's bounds)`, [...at, 'bucket_factor']);
    }
    if (native.max_buckets !== undefined && native.max_buckets < 1) {
      context.error('native-max-buckets', `${name}: native max_buckets ${native.max_buckets} must be at least 1`, [...at, 'max_buckets']);
    }
    if (native.zero_threshold !== undefined && !(native.zero_threshold >= 0 && Number.isFinite(native.zero_threshold))) {
      context.error('native-zero-threshold', `${name}: native zero_threshold ${native.zero_threshold} must be a finite number, 0 or more`, [...at, 'zero_threshold']);
    }
  }
}
