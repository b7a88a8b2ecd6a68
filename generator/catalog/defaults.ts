/**
 * What the catalogue leaves unsaid, and the small readings of the input that both the rules and
 * the model make. Kept apart from both so that neither imports the other.
 */
import type { AlertKind, RawEventRecord, RawLabel } from './raw.js';

export const DEFAULT_BUDGET = { seriesPerMetric: 500, totalSeries: 10_000 } as const;

export const DEFAULT_SCRAPE_INTERVAL = '1m';

/** Window of each alert kind when the alert names none. */
export const DEFAULT_WINDOW: Readonly<Record<AlertKind, string>> = {
  threshold: '5m',
  quantile: '5m',
  degradation: '1h',
  anomaly: '5m',
  absence: '10m',
  stall: '30m',
  slo: '5m',
};

/**
 * How long each kind's condition must hold before its alert fires, when the alert says nothing; an
 * SLO's fast-burn and slow-burn alerts each have their own.
 */
export const DEFAULT_FOR: Readonly<Record<AlertKind, readonly string[]>> = {
  threshold: ['5m'],
  quantile: ['5m'],
  degradation: ['30m'],
  anomaly: ['10m'],
  absence: ['10m'],
  stall: ['5m'],
  slo: ['2m', '15m'],
};

/** Quantiles a histogram's panel shows when its hint names none. */
export const DEFAULT_QUANTILES: readonly number[] = [0.5, 0.95, 0.99];

export function labelNameOf(id: string, label: RawLabel): string {
  return label.name ?? id;
}

/**
 * Product of label value counts; a histogram's label set costs what the TSDB stores for it: a
 * classic histogram buckets + `+Inf` + `_sum` + `_count`, a native one a single series (ingested
 * over protobuf), one with both shapes the two added up.
 *
 * A classic histogram with a negative bucket bound costs buckets + 3 as well, although the text
 * formats expose no `_sum` and `_count` for it (runtime/names.ts histogramExposesSum), so that a
 * Prometheus scraping them stores buckets + 1: a Prometheus that negotiates protobuf (any with
 * native histograms on, whatever this catalogue declares) stores `_sum` and `_count` for every
 * classic histogram, and the runtime writes them there (runtime/protobuf.ts). The budget is the
 * most any scrape may store.
 */
export function seriesCount(labelValueCounts: readonly number[], buckets: number | undefined, native = false): number {
  const combinations = labelValueCounts.reduce((product, count) => product * count, 1);
  return buckets === undefined ? combinations : combinations * histogramSeriesPerLabelSet(buckets, native);
}

/** Series one label set of a histogram costs: see {@link seriesCount}. */
export function histogramSeriesPerLabelSet(buckets: number, native: boolean): number {
  if (!native) return buckets + 3;
  return buckets === 0 ? NATIVE_SERIES_PER_LABEL_SET : buckets + 3 + NATIVE_SERIES_PER_LABEL_SET;
}

/** A native histogram is one series per label set in the TSDB, whatever its bucket count. */
export const NATIVE_SERIES_PER_LABEL_SET = 1;

/** Native histogram settings the catalogue leaves unsaid, as client_golang's defaults. */
export const NATIVE_DEFAULTS = {
  schema: 3,
  maxBuckets: 160,
  /** 2^-128, client_golang's DefNativeHistogramZeroThreshold. */
  zeroThreshold: 2 ** -128,
} as const;

/** The resolutions Prometheus's native histograms support. */
export const NATIVE_SCHEMA_RANGE = { min: -4, max: 8 } as const;

/**
 * The schema client_golang picks for a NativeHistogramBucketFactor: the coarsest whose bucket
 * factor (2^(2^-schema)) is at most `factor`, within the supported range.
 */
export function schemaOfBucketFactor(factor: number): number {
  const floor = Math.floor(Math.log2(Math.log2(factor)));
  // `+ 0`: a factor of 2 gives -0, which would print as 0 but compare oddly.
  return Math.min(NATIVE_SCHEMA_RANGE.max, Math.max(NATIVE_SCHEMA_RANGE.min, -floor)) + 0;
}

const OPERATIONS = ['inc', 'dec', 'set', 'observe'] as const;
export type Operation = (typeof OPERATIONS)[number];

export function operationOf(record: RawEventRecord): { operation: Operation; metric: string } {
  for (const operation of OPERATIONS) {
    const metric = record[operation];
    if (metric !== undefined) return { operation, metric };
  }
  throw new Error('record without an operation passed the schema');
}

/**
 * Amounts (counts, bytes, money, energy, mass) add up across instances and labels; ratios, scores,
 * durations, temperatures, lengths, voltages and currents do not.
 */
export function isAdditiveUnit(unit: string): boolean {
  return ['count', 'bytes', 'usd', 'joules', 'grams'].includes(unit);
}
