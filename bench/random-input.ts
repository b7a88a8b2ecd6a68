/**
 * The recording benchmarks' input, as users record: label values in a random order and fractional
 * values spread over a histogram's buckets. Every client reads the same precomputed sequences, indexed
 * by the loop counter (`i & SEQUENCE_MASK`), so no client pays for generating them. 64 Ki entries are
 * far more than a branch predictor's history: the processor cannot learn the order, as it learns a
 * short repeating one (`i % 20`).
 */
import type { MetricSpec } from '../runtime/index.js';

export const SEQUENCE_LENGTH = 1 << 16;
export const SEQUENCE_MASK = SEQUENCE_LENGTH - 1;
export const SEED = 0x5eed_0014;

export { mulberry32 } from '../generator/simulate/random.js';

/** `SEQUENCE_LENGTH` values drawn uniformly from `values`. */
export function randomChoices<T>(random: () => number, values: readonly T[]): T[] {
  return Array.from({ length: SEQUENCE_LENGTH }, () => values[Math.floor(random() * values.length)]!);
}

/**
 * Fractional values spread over every bucket of `bounds`, the +Inf bucket and the one below the first
 * bound included: log-uniform for positive bounds (buckets usually grow geometrically), uniform
 * otherwise.
 */
export function valuesOverBuckets(random: () => number, bounds: readonly number[]): Float64Array {
  const first = bounds[0] ?? 0;
  const last = bounds.at(-1) ?? 1;
  const out = new Float64Array(SEQUENCE_LENGTH);
  if (first > 0) {
    const low = Math.log(first / 2);
    const high = Math.log(last * 1.5);
    for (let i = 0; i < out.length; i++) out[i] = Math.exp(low + random() * (high - low));
  } else {
    const margin = (last - first) / 10 || 1;
    for (let i = 0; i < out.length; i++) out[i] = first - margin + random() * (last - first + 2 * margin);
  }
  return out;
}

export function specNamed(specs: readonly MetricSpec[], name: string): MetricSpec {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`the bench needs metric ${name} in the catalogue`);
  return spec;
}

export function labelValues(spec: MetricSpec, label: string): readonly string[] {
  const values = spec.labels.find((l) => l.name === label)?.values;
  if (!values) throw new Error(`the bench needs label ${label} on ${spec.name}`);
  return values;
}
