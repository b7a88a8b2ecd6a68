/**
 * Native (sparse, exponential) histogram buckets, as Prometheus and client_golang define them, kept
 * in the metric's Float64Array next to the classic buckets so that reset, close and the cluster
 * primary treat them like every other slot.
 *
 * Bucket index (key) of an observation v at schema s, exactly as client_golang computes it:
 * `frac, exp = frexp(|v|)`; for s > 0 the key is `(exp - 1) * 2^s + i` with i the first of
 * client_golang's bounds >= frac, so bucket k covers (base^(k-1), base^k] with base = 2^(2^-s);
 * for s <= 0 it is `exp` (less one when frac is exactly 0.5), shifted right by -s rounding up.
 * Halving the resolution maps key k to ceil(k / 2), which is `(k + 1) >> 1`.
 *
 * Layout of one series' native slots (after its classic `bounds + 3`), at offset `at`:
 *   at + REDUCTION   how many times the resolution was halved: the schema is spec.schema minus this,
 *                    so a zero-filled (reset) series is at the catalogue's schema
 *   at + ZERO        zero bucket count (|v| <= zeroThreshold)
 *   at + 2..5        positive buckets: lowest populated key, highest populated key, populated count,
 *                    and the multiple of `window` at or below the lowest key (the ring's origin)
 *   at + 6..9        negative buckets: the same, keyed by |v|
 *   at + 10          positive window: `window` counts, key k in slot k mod window
 *   at + 10 + window negative window
 * Populated keys of one sign always lie within `window` consecutive keys, so the ring never wraps
 * onto itself, and k mod window is k - origin, less `window` once: recording an observation in an
 * existing bucket is a key computation, a range test and a write.
 *
 * When a series would hold more than `maxBuckets` populated buckets (client_golang's count, both
 * signs together), or one sign's populated keys would span more than `window` keys, the resolution is
 * halved until the new observation fits, down to schema -4 (where, as in client_golang, the bucket
 * limit may be exceeded; the window is sized so that every key at schema -4 fits). With the window at
 * least `maxBuckets` wide this is client_golang's rule whenever each sign's buckets lie within
 * `maxBuckets` consecutive keys, as unimodal data does; only scattered data (say a few values near
 * 1e-6 and a few near 1e6 at schema 3) is reduced earlier than client_golang would, because storage is
 * dense. Unlike client_golang, which halves once per observation over the limit, this halves until the
 * limit holds, so a series' state never depends on the order of its observations: it is the highest
 * schema (at most the catalogue's) at which all of them fit.
 */
import { SCHEMA_8_BOUNDS } from './native-bounds.js';
import type { NativeHistogramSpec } from './spec.js';
import { NATIVE_SCHEMA_MAX, NATIVE_SCHEMA_MIN } from './spec.js';
import type { DropCounter } from './drops.js';
import { Histogram, rejectSeries, rejectValue } from './storage.js';
import { OVERFLOW } from './drops.js';

export interface BucketSpan {
  readonly offset: number;
  readonly length: number;
}

/** One native series, as metrics.proto wants it. */
export interface NativeHistogramSnapshot {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly BucketSpan[];
  /** Delta-encoded counts, as metrics.proto: the first is the absolute count, each next the difference. */
  readonly positiveDeltas: readonly number[];
  readonly negativeSpans: readonly BucketSpan[];
  readonly negativeDeltas: readonly number[];
}

const REDUCTION = 0;
const ZERO = 1;
const POSITIVE = 2;
const NEGATIVE = 6;
/** Offsets within a sign's four header slots. */
const LOWEST = 0;
const HIGHEST = 1;
const POPULATED = 2;
/** The multiple of `window` at or below LOWEST: key k is in slot k - ORIGIN, or that less `window`. */
const ORIGIN = 3;
const HEADER = 10;

/**
 * client_golang's bounds per schema 1..8 (index = schema; 0 unused), each a stride of schema 8's,
 * followed by 1 (above every frac), so that "the bound after" always exists.
 */
const BOUNDS: readonly Float64Array[] = Array.from({ length: 9 }, (_, schema) =>
  Float64Array.from({ length: (1 << schema) + 1 }, (_, i) => (i < 1 << schema ? SCHEMA_8_BOUNDS[i << (8 - schema)]! : 1)),
);

/** Cells per bucket of FIRST_BOUND: 2^CELL_BITS. */
const CELL_BITS = 5;

/**
 * Instead of client_golang's binary search: per schema s, for each value of the top s + CELL_BITS
 * mantissa bits (a cell of frac values 2^-(s + CELL_BITS + 1) wide), the first bound >= the cell's
 * lowest frac, bitwise negated when a bound lies inside the cell. Buckets are at least
 * 0.5 * (2^(2^-s) - 1) > 0.34 * 2^-s wide in frac, wider than a cell, so a cell holds at most one
 * bound: in the few cells that hold one (one in 2^CELL_BITS / 0.69 at most) the answer is that bound
 * or the next, one comparison away; in the others it is the table entry, with no comparison to
 * mispredict. Equal to the binary search for every frac (the tests check it against client_golang's
 * table at and next to every bound).
 */
const FIRST_BOUND: readonly Int16Array[] = BOUNDS.map((bounds, schema) => {
  if (schema === 0) return new Int16Array(0);
  const bits = schema + CELL_BITS;
  let i = 0; // cells ascend, so the first bound >= their lowest frac does too
  return Int16Array.from({ length: 1 << bits }, (_, cell) => {
    const lowest = 0.5 + cell / 2 ** (bits + 1);
    const highest = 0.5 + (cell + 1) / 2 ** (bits + 1);
    while (bounds[i]! < lowest) i++;
    return bounds[i]! < highest ? ~i : i;
  });
});

// frexp without allocation: the bits of |v| through a shared scratch double.
const SCRATCH = new Float64Array(1);
const WORDS = new Uint32Array(SCRATCH.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;
const TWO_POW_64 = 18446744073709551616;
/** Per biased exponent e of a normal double: 2^(1022 - e), which brings it into [0.5, 1). */
const FRAC_SCALE = Float64Array.from({ length: 2047 }, (_, e) => 2 ** (1022 - e));

/**
 * The bucket key of `a` (> 0, finite) at `schema`, as client_golang's histogramCounts.observe
 * computes it from math.Frexp.
 */
export function nativeBucketKey(a: number, schema: number): number {
  SCRATCH[0] = a;
  return scratchKey(schema);
}

/**
 * {@link nativeBucketKey} of the value in SCRATCH. The hot path passes the value through SCRATCH
 * rather than as an argument: a fractional double passed to a call V8 did not inline is boxed, an
 * allocation per observation.
 */
function scratchKey(schema: number): number {
  let a = SCRATCH[0]!;
  let hi = WORDS[HI]!;
  // frexp's exponent: a = frac * 2^exp with frac in [0.5, 1).
  let exp = (hi >>> 20) - 1022;
  if (exp === -1022) {
    // Subnormal: scale into the normal range first (exact), then undo the scale in the exponent.
    a *= TWO_POW_64;
    SCRATCH[0] = a;
    hi = WORDS[HI]!;
    exp = (hi >>> 20) - 1022 - 64;
  }
  if (schema > 0) {
    // First bound >= frac, as Go's sort.SearchFloat64s: see FIRST_BOUND.
    let index = FIRST_BOUND[schema]![(hi & 0x000fffff) >>> (20 - CELL_BITS - schema)]!;
    if (index < 0) {
      index = ~index;
      // frac in [0.5, 1), exactly: scaling by a power of two only changes the exponent.
      if (BOUNDS[schema]![index]! < a * FRAC_SCALE[hi >>> 20]!) index++;
    }
    return index + ((exp - 1) << schema);
  }
  // frac is exactly 0.5 when every mantissa bit is 0: a power of two ends its bucket.
  const key = (hi & 0x000fffff) === 0 && WORDS[LO] === 0 ? exp - 1 : exp;
  return (key + (1 << -schema) - 1) >> -schema;
}

/**
 * The native part of one histogram's series layout: where the slots are and how they change.
 * Shared by the recording storage, the exposition (snapshots) and the cluster merge.
 */
export class NativeLayout {
  readonly schema: number;
  readonly maxBuckets: number;
  readonly zeroThreshold: number;
  /** Keys one sign's window holds: at least maxBuckets, and every key at schema -4. */
  readonly window: number;
  /** Native slots per series. */
  readonly slots: number;
  /** Counts in key order while the resolution is halved. */
  private readonly scratch: Float64Array;

  constructor(spec: NativeHistogramSpec) {
    this.schema = spec.schema;
    this.maxBuckets = spec.maxBuckets;
    this.zeroThreshold = spec.zeroThreshold;
    const lowest = nativeBucketKey(spec.zeroThreshold > 0 ? spec.zeroThreshold : Number.MIN_VALUE, NATIVE_SCHEMA_MIN);
    const highest = nativeBucketKey(Number.MAX_VALUE, NATIVE_SCHEMA_MIN);
    this.window = Math.max(spec.maxBuckets, highest - lowest + 1);
    this.slots = HEADER + 2 * this.window;
    this.scratch = new Float64Array(this.window);
  }

  /** @internal Counts the observation whose |v| (above the zero threshold) is in SCRATCH. */
  addScratch(data: Float64Array, at: number, positive: boolean): void {
    const key = scratchKey((this.schema - data[at + REDUCTION]!) | 0);
    const sign = at + (positive ? POSITIVE : NEGATIVE);
    // Without a populated bucket the range and origin may be stale, but every count there is 0.
    if (key >= data[sign + LOWEST]! && key <= data[sign + HIGHEST]!) {
      const window = this.window;
      let slot = (key - data[sign + ORIGIN]!) | 0;
      if (slot >= window) slot -= window;
      const i = at + HEADER + (positive ? 0 : window) + slot;
      const count = data[i]!;
      if (count > 0) {
        data[i] = count + 1;
        return;
      }
    }
    this.addNewBucket(data, at, positive, key, 1);
  }

  /** Current schema of the series at `at`. */
  schemaAt(data: Float64Array, at: number): number {
    return this.schema - data[at + REDUCTION]!;
  }

  /**
   * Adds `count` to the bucket `key` of one sign, given at `schema`: the series is first brought down
   * to that schema if it is finer, the key up to the series' schema if it is coarser. For the cluster
   * primary's merge of its workers.
   */
  addBucket(data: Float64Array, at: number, positive: boolean, schema: number, key: number, count: number): void {
    if (!(count > 0)) return;
    const coarsest = Math.max(schema, NATIVE_SCHEMA_MIN);
    while (this.schemaAt(data, at) > coarsest) this.halve(data, at);
    let k = key;
    for (let s = schema; s > this.schemaAt(data, at); s--) k = (k + 1) >> 1;
    this.addNewBucket(data, at, positive, k, count);
  }

  /** Whether `key` at `schema` can hold a value above the zero threshold (cluster input check). */
  isValidKey(schema: number, key: number): boolean {
    if (!Number.isInteger(schema) || schema < NATIVE_SCHEMA_MIN || schema > NATIVE_SCHEMA_MAX || !Number.isInteger(key)) return false;
    const lowest = nativeBucketKey(this.zeroThreshold > 0 ? this.zeroThreshold : Number.MIN_VALUE, schema);
    return key >= lowest && key <= nativeBucketKey(Number.MAX_VALUE, schema);
  }

  /** Adds to the zero bucket (cluster merge). */
  addZero(data: Float64Array, at: number, count: number): void {
    if (count > 0) data[at + ZERO]! += count;
  }

  /**
   * @internal Adds `count` to `key` (at the series' current schema), halving the resolution while
   * the bucket limit or the window does not allow it.
   */
  addNewBucket(data: Float64Array, at: number, positive: boolean, key: number, count: number): void {
    const window = this.window;
    const sign = at + (positive ? POSITIVE : NEGATIVE);
    const start = at + HEADER + (positive ? 0 : window);
    for (let k = key; ; k = (k + 1) >> 1) {
      let slot = k % window;
      if (slot < 0) slot += window;
      const populated = data[sign + POPULATED]!;
      const lowest = populated > 0 ? Math.min(data[sign + LOWEST]!, k) : k;
      const highest = populated > 0 ? Math.max(data[sign + HIGHEST]!, k) : k;
      const exists = populated > 0 && k >= data[sign + LOWEST]! && k <= data[sign + HIGHEST]! && data[start + slot]! > 0;
      const buckets = data[at + POSITIVE + POPULATED]! + data[at + NEGATIVE + POPULATED]! + (exists ? 0 : 1);
      const atMinimum = this.schemaAt(data, at) <= NATIVE_SCHEMA_MIN;
      if (highest - lowest < window && (buckets <= this.maxBuckets || atMinimum)) {
        if (!exists) data[sign + POPULATED] = populated + 1;
        data[sign + LOWEST] = lowest;
        data[sign + HIGHEST] = highest;
        data[sign + ORIGIN] = Math.floor(lowest / window) * window;
        data[start + slot]! += count;
        return;
      }
      // The window covers every key at the lowest schema, so this is never reached there.
      if (atMinimum) throw new Error('native histogram: key outside the window at schema -4');
      this.halve(data, at);
    }
  }

  /** Halves the resolution of the series at `at`: schema - 1, key k merged into ceil(k / 2). */
  private halve(data: Float64Array, at: number): void {
    this.halveSign(data, at + POSITIVE, at + HEADER);
    this.halveSign(data, at + NEGATIVE, at + HEADER + this.window);
    data[at + REDUCTION]! += 1;
  }

  private halveSign(data: Float64Array, sign: number, start: number): void {
    if (data[sign + POPULATED]! === 0) return;
    const window = this.window;
    const lowest = data[sign + LOWEST]!;
    const highest = data[sign + HIGHEST]!;
    const scratch = this.scratch;
    for (let k = lowest; k <= highest; k++) {
      let slot = k % window;
      if (slot < 0) slot += window;
      scratch[k - lowest] = data[start + slot]!;
    }
    data.fill(0, start, start + window);
    let populated = 0;
    for (let k = lowest; k <= highest; k++) {
      const count = scratch[k - lowest]!;
      if (count === 0) continue;
      const merged = (k + 1) >> 1;
      let slot = merged % window;
      if (slot < 0) slot += window;
      if (data[start + slot] === 0) populated++;
      data[start + slot]! += count;
    }
    data[sign + POPULATED] = populated;
    data[sign + LOWEST] = (lowest + 1) >> 1;
    data[sign + HIGHEST] = (highest + 1) >> 1;
    data[sign + ORIGIN] = Math.floor(((lowest + 1) >> 1) / window) * window;
  }

  /**
   * The populated buckets of one sign in key order, as [key, count] pairs (cluster messages, tests).
   */
  buckets(data: Float64Array, at: number, positive: boolean): [key: number, count: number][] {
    const out: [number, number][] = [];
    const sign = at + (positive ? POSITIVE : NEGATIVE);
    if (data[sign + POPULATED]! === 0) return out;
    const window = this.window;
    const start = at + HEADER + (positive ? 0 : window);
    for (let k = data[sign + LOWEST]!; k <= data[sign + HIGHEST]!; k++) {
      let slot = k % window;
      if (slot < 0) slot += window;
      const count = data[start + slot]!;
      if (count > 0) out.push([k, count]);
    }
    return out;
  }

  zeroCount(data: Float64Array, at: number): number {
    return data[at + ZERO]!;
  }

  /**
   * The series at `at` as metrics.proto encodes it. Gaps of one or two empty buckets stay inside a
   * span (as zero deltas) rather than starting a new one, as client_golang's makeBuckets does. A
   * series without any observation gets the no-op span {offset 0, length 0}, which client_golang adds
   * so that a scraper still sees a native histogram (it does so only for a zero threshold of 0; here
   * always, which no reader tells apart).
   */
  snapshot(data: Float64Array, at: number, count: number, sum: number): NativeHistogramSnapshot {
    const positive = spansOf(this.buckets(data, at, true));
    const negative = spansOf(this.buckets(data, at, false));
    const zeroCount = data[at + ZERO]!;
    const empty = zeroCount === 0 && positive.spans.length === 0 && negative.spans.length === 0;
    return {
      schema: this.schemaAt(data, at),
      zeroThreshold: this.zeroThreshold,
      zeroCount,
      count,
      sum,
      positiveSpans: empty ? [{ offset: 0, length: 0 }] : positive.spans,
      positiveDeltas: positive.deltas,
      negativeSpans: negative.spans,
      negativeDeltas: negative.deltas,
    };
  }
}

/** client_golang's makeBuckets: spans with gaps of up to two empty buckets joined, counts as deltas. */
function spansOf(buckets: readonly (readonly [number, number])[]): { spans: BucketSpan[]; deltas: number[] } {
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousCount = 0;
  let nextKey = 0;
  buckets.forEach(([key, count], n) => {
    const gap = key - nextKey;
    if (n === 0 || gap > 2) {
      spans.push({ offset: gap, length: 0 });
    } else {
      for (let j = 0; j < gap; j++) {
        spans[spans.length - 1]!.length++;
        deltas.push(0 - previousCount);
        previousCount = 0;
      }
    }
    spans[spans.length - 1]!.length++;
    deltas.push(count - previousCount);
    previousCount = count;
    nextKey = key + 1;
  });
  return { spans, deltas };
}

/**
 * A histogram with native buckets (and classic ones, possibly none but +Inf): one observe records
 * both. Everything is preallocated in the metric's Float64Array, so observing allocates nothing.
 */
export class NativeHistogram extends Histogram {
  /** @internal classic slots per series: buckets + 3 */
  private readonly classicStride: number;
  private readonly zeroThreshold: number;
  private seriesCount: number;

  /** @internal */
  constructor(
    private readonly nativeMetricId: number,
    data: Float64Array,
    bounds: Float64Array,
    private readonly nativeDrops: DropCounter,
    /** @internal */
    readonly layout: NativeLayout,
  ) {
    super(nativeMetricId, data, bounds, nativeDrops, bounds.length + 3 + layout.slots);
    this.classicStride = bounds.length + 3;
    this.zeroThreshold = layout.zeroThreshold;
    this.seriesCount = data.length / this.stride;
  }

  /** Records one observation into the classic and the native buckets; non-finite values are dropped and counted. */
  override observe(series: number, v: number): void {
    if (typeof series !== 'number' || (series >>> 0) !== series || series >= this.seriesCount) {
      rejectSeries(this.nativeDrops, this.nativeMetricId, series);
      return;
    }
    if (!Number.isFinite(v)) {
      rejectValue(this.nativeDrops, this.nativeMetricId, v, false);
      return;
    }
    const bounds = this.bounds;
    const n = bounds.length;
    // First bound >= v, or n (the +Inf bucket), as Histogram#observe finds it.
    let lo = 0;
    if (n <= 16) {
      while (lo < n && v > bounds[lo]!) lo++;
    } else {
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v > bounds[mid]!) lo = mid + 1;
        else hi = mid;
      }
    }
    const data = this.data;
    const base = series * this.stride;
    const sum = data[base + n + 1]! + v;
    if (!Number.isFinite(sum)) {
      this.nativeDrops.drop(this.nativeMetricId, OVERFLOW, v);
      return;
    }
    data[base + lo]! += 1;
    data[base + n + 1] = sum;
    data[base + n + 2]! += 1;
    const a = Math.abs(v);
    const at = base + this.classicStride;
    if (a <= this.zeroThreshold) data[at + ZERO]! += 1;
    else {
      // |v| goes through SCRATCH, not as an argument: see scratchKey.
      SCRATCH[0] = a;
      this.layout.addScratch(data, at, v > 0);
    }
  }

  /** The native buckets of a series as metrics.proto encodes them; undefined for a series that does not exist. */
  nativeSnapshot(series: number): NativeHistogramSnapshot | undefined {
    if (typeof series !== 'number' || (series >>> 0) !== series || series >= this.seriesCount) return undefined;
    const base = series * this.stride;
    const n = this.bounds.length;
    return this.layout.snapshot(this.data, base + this.classicStride, this.data[base + n + 2]!, this.data[base + n + 1]!);
  }

  /** @internal Frees the values; every later recording is ignored (see MetricsRuntime#close). */
  override release(): void {
    super.release();
    this.seriesCount = 0;
  }
}
