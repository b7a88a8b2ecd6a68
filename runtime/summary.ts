/**
 * Figures of `metrics.summary()`, read from the storage. Not on the recording path: a summary walks
 * the series it needs. `null` means nothing has been recorded yet (0/0 is no figure).
 */

interface ValueReader {
  value(series: number): number;
}

interface HistogramReader {
  sum(series: number): number;
  count(series: number): number;
}

/** Sum of the values of `series` of a counter or gauge. */
export function sumOf(store: ValueReader, series: readonly number[]): number {
  let total = 0;
  for (const s of series) total += store.value(s);
  return total;
}

/** Mean of everything observed in `series` of a histogram. */
export function averageOf(store: HistogramReader, series: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (const s of series) {
    sum += store.sum(s);
    count += store.count(s);
  }
  return count === 0 ? null : sum / count;
}

export function ratioOf(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** 0, 1, ..., count - 1: every series of a metric. */
export function allSeries(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
