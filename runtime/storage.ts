/**
 * Metric storage: one Float64Array per metric, indexed by the series number the generated code
 * computes. These methods are the recording hot path, so each is written to stay monomorphic and
 * allocation-free: the happy path is a series test, a finiteness test and a typed-array write;
 * everything unusual goes through a separate cold method.
 *
 * They are also kept small in bytecode. V8 inlines a call only while the caller's inlining budget
 * (920 bytes of bytecode) lasts, and a call that is not inlined costs more than the call: a fractional
 * value passed to it is boxed into a new heap number, and an event object literal whose fields are
 * passed on can no longer be optimised away. A recorder method of five records inlines five of these
 * methods, so each test on the happy path is one condition and each refusal one call to a cold method.
 */
import type { DropCounter } from './drops.js';
import { NEGATIVE_INCREMENT, NON_FINITE_VALUE, NOT_A_NUMBER, OVERFLOW, SERIES_OUT_OF_RANGE } from './drops.js';
import type { ExemplarStore } from './exemplars.js';
import { acceptExemplar, exemplarKey } from './exemplars.js';

/**
 * Index of the first bound >= v (the number of bounds below v), or `bounds.length` (the +Inf bucket)
 * when there is none. A binary search without a branch on the comparison: the answer stays in
 * [base, base + length), and each step keeps the upper part or a range at least as long as the lower
 * one, so the only branch is the loop's, whose count depends on the number of bounds alone. A
 * search that branches on the comparison mispredicts about half its steps for random values. It is
 * one small loop because every byte of it counts against the caller's inlining budget (see top).
 */
function bucketOf(bounds: Float64Array, v: number): number {
  let base = 0;
  let length = bounds.length + 1;
  while (length > 1) {
    const half = length >>> 1;
    base += +(v > bounds[base + half - 1]!) * half;
    length -= half;
  }
  return base;
}

/**
 * Every recording method first tests its series with `typeof series !== 'number' || (series >>> 0)
 * !== series || series >= length`: `typeof` keeps a hostile non-number away from `>>>` (which throws
 * on a symbol), and `>>> 0` rejects fractions, NaN and negatives in one comparison.
 *
 * This is the cold path for a series that failed that test. A negative number is the -1 that
 * `unknownLabel` returned: that drop is already counted (or thrown), so it is ignored here.
 */
export function rejectSeries(drops: DropCounter, metricId: number, series: unknown): void {
  if (typeof series === 'number' && series < 0) return;
  drops.drop(metricId, SERIES_OUT_OF_RANGE, series);
}

/**
 * Classifies a value that failed the hot-path test. Kept out of the recording methods so they stay
 * small enough to inline.
 */
export function rejectValue(drops: DropCounter, metricId: number, value: unknown, isIncrement: boolean): void {
  if (typeof value !== 'number') drops.drop(metricId, NOT_A_NUMBER, value);
  else if (!Number.isFinite(value)) drops.drop(metricId, NON_FINITE_VALUE, value);
  else if (isIncrement && value < 0) drops.drop(metricId, NEGATIVE_INCREMENT, value);
}

/** An empty array that released storage points to, so every later recording fails the series test. */
const RELEASED = new Float64Array(0);

/**
 * A monotonically increasing value per series.
 */
export class Counter {
  /** @internal */
  constructor(
    private readonly metricId: number,
    /** @internal one slot per series; emptied by `release` */
    public data: Float64Array,
    private readonly drops: DropCounter,
  ) {}

  /** @internal Latest exemplar per series; created by the first one, dropped by `reset`. */
  exemplars: ExemplarStore | undefined = undefined;

  /**
   * Adds `by` (default 1) to a series. A negative `series` means the label value was already dropped
   * by `unknownLabel`; non-finite, non-number and negative increments are dropped and counted.
   */
  inc(series: number, by: number = 1): void {
    this.incBy(series, by);
  }

  /**
   * Adds `by` to a series, with no default: an event's missing `by` field (undefined) is dropped
   * and counted as not_a_number, never taken for a step of 1.
   */
  incBy(series: number, by: number): void {
    const data = this.data;
    if (typeof series === 'number' && (series >>> 0) === series && series < data.length && typeof by === 'number' && by >= 0) {
      const next = data[series]! + by;
      // Two finite numbers can still sum to Infinity; a counter at +Inf would never move again.
      if (next < Infinity) {
        data[series] = next;
        return;
      }
    }
    this.refuse(series, by);
  }

  /** Why incBy did not record: the series, the value, or a sum that would reach +Infinity. */
  private refuse(series: unknown, by: unknown): void {
    if (typeof series !== 'number' || (series >>> 0) !== series || series >= this.data.length) rejectSeries(this.drops, this.metricId, series);
    else if (typeof by === 'number' && by >= 0 && by < Infinity) this.drops.drop(this.metricId, OVERFLOW, by);
    else rejectValue(this.drops, this.metricId, by, true);
  }

  /**
   * {@link inc} with an exemplar (runtime/exemplars.ts), which the series keeps if the increment is
   * recorded. An invalid one is dropped and counted, and the increment still recorded. The typed
   * faces call it when given an exemplar, the events' out-of-line paths whether or not they carry
   * one: without, it costs one test more than {@link inc}.
   */
  incWithExemplar(series: number, by: number = 1, exemplar: unknown = undefined): void {
    if (exemplar === undefined) this.inc(series, by);
    else this.incKeepingExemplar(series, by, exemplar);
  }

  private incKeepingExemplar(series: number, by: number, exemplar: unknown): void {
    const labels = acceptExemplar(this.drops, this.metricId, exemplar);
    const recorded =
      labels !== undefined &&
      typeof series === 'number' && (series >>> 0) === series && series < this.data.length &&
      Number.isFinite(by) && by >= 0 && this.data[series]! + by !== Infinity;
    this.inc(series, by);
    if (recorded) (this.exemplars ??= new Map()).set(series, { labels, value: by, timestampMs: Date.now() });
  }

  /** {@link incBy} with an exemplar (see {@link incWithExemplar}). */
  incByWithExemplar(series: number, by: number, exemplar: unknown): void {
    if (exemplar === undefined || typeof by !== 'number') this.incBy(series, by);
    else this.incKeepingExemplar(series, by, exemplar);
  }

  /** Current value of a series; NaN for a series that does not exist. */
  value(series: number): number {
    return typeof series === 'number' ? (this.data[series] ?? NaN) : NaN;
  }

  /** Sets every series back to 0. */
  reset(): void {
    this.data.fill(0);
    this.exemplars = undefined;
  }

  /** @internal Frees the values; every later recording is ignored (see MetricsRuntime#close). */
  release(): void {
    this.data = RELEASED;
    this.exemplars = undefined;
  }
}

/**
 * A value per series that can go up and down.
 */
export class Gauge {
  /** @internal */
  constructor(
    private readonly metricId: number,
    /** @internal one slot per series; emptied by `release` */
    public data: Float64Array,
    private readonly drops: DropCounter,
  ) {}

  /** Sets a series to `v`; non-finite and non-number values are dropped and counted. */
  set(series: number, v: number): void {
    const data = this.data;
    if (typeof series === 'number' && (series >>> 0) === series && series < data.length && Number.isFinite(v)) {
      data[series] = v;
      return;
    }
    // A finite v never fails here when the series exists, so refuse never calls it an overflow.
    this.refuse(series, v);
  }

  /** Adds `by` (default 1) to a series; `by` may be negative. */
  inc(series: number, by: number = 1): void {
    this.incBy(series, by);
  }

  /** Subtracts `by` (default 1) from a series. */
  dec(series: number, by: number = 1): void {
    this.decBy(series, by);
  }

  /** Adds `by` to a series, with no default: an undefined `by` is dropped as not_a_number (see Counter#incBy). */
  incBy(series: number, by: number): void {
    const data = this.data;
    if (typeof series === 'number' && (series >>> 0) === series && series < data.length && Number.isFinite(by)) {
      const next = data[series]! + by;
      if (Number.isFinite(next)) {
        data[series] = next;
        return;
      }
    }
    this.refuse(series, by);
  }

  /** Subtracts `by` from a series, with no default: an undefined `by` is dropped as not_a_number. */
  decBy(series: number, by: number): void {
    const data = this.data;
    if (typeof series === 'number' && (series >>> 0) === series && series < data.length && Number.isFinite(by)) {
      const next = data[series]! - by;
      if (Number.isFinite(next)) {
        data[series] = next;
        return;
      }
    }
    this.refuse(series, by);
  }

  /** Why a step was not recorded: the series, the value, or a result that would reach ±Infinity. */
  private refuse(series: unknown, by: unknown): void {
    if (typeof series !== 'number' || (series >>> 0) !== series || series >= this.data.length) rejectSeries(this.drops, this.metricId, series);
    else if (Number.isFinite(by)) this.drops.drop(this.metricId, OVERFLOW, by);
    else rejectValue(this.drops, this.metricId, by, false);
  }

  /** Current value of a series; NaN for a series that does not exist. */
  value(series: number): number {
    return typeof series === 'number' ? (this.data[series] ?? NaN) : NaN;
  }

  /** Sets every series back to 0. */
  reset(): void {
    this.data.fill(0);
  }

  /** @internal Frees the values; every later recording is ignored (see MetricsRuntime#close). */
  release(): void {
    this.data = RELEASED;
  }
}

/**
 * Bucketed observations per series. Each series owns `buckets + 3` consecutive slots: one
 * non-cumulative count per bucket including +Inf, then the sum, then the count. Cumulating happens
 * at exposition time, so an observation writes three slots whatever the number of buckets.
 */
export class Histogram {
  /** @internal slots per series */
  readonly stride: number;
  private seriesTotal: number;

  /** @internal */
  constructor(
    private readonly metricId: number,
    /** @internal `stride` slots per series; emptied by `release` */
    public data: Float64Array,
    /** @internal upper bounds without +Inf */
    readonly bounds: Float64Array,
    private readonly drops: DropCounter,
    /** @internal more than `bounds.length + 3` when native buckets follow (see NativeHistogram) */
    stride: number = bounds.length + 3,
  ) {
    this.stride = stride;
    this.seriesTotal = data.length / this.stride;
  }

  /** @internal Latest exemplar per series and classic bucket (+Inf included); see runtime/exemplars.ts. */
  exemplars: ExemplarStore | undefined = undefined;

  /**
   * {@link observe} with an exemplar, which the bucket the value falls in keeps if the observation
   * is recorded. An invalid one is dropped and counted, and the observation still recorded. The
   * typed faces call it when given an exemplar, the events' out-of-line paths whether or not they
   * carry one: without, it costs one test more than {@link observe}.
   */
  observeWithExemplar(series: number, v: number, exemplar: unknown): void {
    if (exemplar === undefined) this.observe(series, v);
    else this.observeKeepingExemplar(series, v, exemplar);
  }

  private observeKeepingExemplar(series: number, v: number, exemplar: unknown): void {
    const labels = acceptExemplar(this.drops, this.metricId, exemplar);
    const keep = labels !== undefined && this.exists(series);
    const countSlot = keep ? series * this.stride + this.bounds.length + 2 : -1;
    const counted = keep ? this.data[countSlot]! : NaN;
    this.observe(series, v);
    // The count moved only if the observation was recorded (not dropped as invalid or overflowing).
    if (!keep || !(this.data[countSlot]! > counted)) return;
    const key = exemplarKey(series, bucketOf(this.bounds, v), this.bounds.length + 1);
    (this.exemplars ??= new Map()).set(key, { labels, value: v, timestampMs: Date.now() });
  }

  /** Records one observation; non-finite and non-number values are dropped and counted. */
  observe(series: number, v: number): void {
    // Only `typeof v`: a NaN or infinite v makes the sum below fail its finiteness test, and refuse
    // tells the cases apart. Every byte here counts against the caller's inlining budget (see top).
    if (typeof series === 'number' && (series >>> 0) === series && series < this.seriesTotal && typeof v === 'number') {
      const bounds = this.bounds;
      const data = this.data;
      const base = series * this.stride;
      const sumAt = base + bounds.length + 1; // the count follows the sum
      const sum = data[sumAt]! + v;
      // An observation that would take the sum to ±Infinity is dropped whole: count and buckets stay
      // consistent with the sum. (sum is a number: sum - sum is 0 unless it is infinite or NaN.)
      if (sum - sum === 0) {
        data[base + bucketOf(bounds, v)]! += 1;
        data[sumAt] = sum;
        data[sumAt + 1]! += 1;
        return;
      }
    }
    this.refuse(series, v);
  }

  /** Why observe did not record: the series, the value, or a sum that would reach ±Infinity. */
  private refuse(series: unknown, v: unknown): void {
    if (!this.exists(series as number)) rejectSeries(this.drops, this.metricId, series);
    else if (Number.isFinite(v)) this.drops.drop(this.metricId, OVERFLOW, v);
    else rejectValue(this.drops, this.metricId, v, false);
  }

  /**
   * Starts a timer; calling the returned function observes the elapsed seconds into `series` and
   * returns them. Only the first call records, so a timer stopped twice is not counted twice.
   */
  startTimer(series: number): () => number {
    const start = performance.now();
    let elapsed = -1;
    return () => {
      if (elapsed < 0) {
        elapsed = (performance.now() - start) / 1000;
        this.observe(series, elapsed);
      }
      return elapsed;
    };
  }

  /** Number of observations in a series; NaN for a series that does not exist. */
  count(series: number): number {
    if (!this.exists(series)) return NaN;
    return this.data[series * this.stride + this.bounds.length + 2]!;
  }

  /** Sum of observations in a series; NaN for a series that does not exist. */
  sum(series: number): number {
    if (!this.exists(series)) return NaN;
    return this.data[series * this.stride + this.bounds.length + 1]!;
  }

  /** Cumulative bucket counts of a series, the last being +Inf; empty for a series that does not exist. */
  bucketCounts(series: number): number[] {
    if (!this.exists(series)) return [];
    const out: number[] = [];
    let running = 0;
    const base = series * this.stride;
    for (let i = 0; i <= this.bounds.length; i++) {
      running += this.data[base + i]!;
      out.push(running);
    }
    return out;
  }

  /** Sets every series back to 0. */
  reset(): void {
    this.data.fill(0);
    this.exemplars = undefined;
  }

  /** @internal Frees the values; every later recording is ignored (see MetricsRuntime#close). */
  release(): void {
    this.data = RELEASED;
    this.seriesTotal = 0;
    this.exemplars = undefined;
  }

  private exists(series: number): boolean {
    return typeof series === 'number' && (series >>> 0) === series && series < this.seriesTotal;
  }
}
