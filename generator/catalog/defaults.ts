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

/** Product of label value counts; histograms × (buckets + `+Inf` + `_sum` + `_count`). */
export function seriesCount(labelValueCounts: readonly number[], buckets: number | undefined): number {
  const combinations = labelValueCounts.reduce((product, count) => product * count, 1);
  return buckets === undefined ? combinations : combinations * (buckets + 3);
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
