/**
 * Native histograms in the runtime: bucket keys as client_golang computes them (checked against
 * client_golang's own bound table and against exact BigInt arithmetic), the zero bucket, resolution
 * reduction, drops, reset and release, exposition, and the cluster primary's merge.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Family } from '../../runtime/family.js';
import { nativeBucketKey } from '../../runtime/native-histogram.js';
import type { NativeHistogramSnapshot } from '../../runtime/native-histogram.js';
import { Histogram, MetricsRuntime, NativeHistogram, RUNTIME_API, NATIVE_HISTOGRAMS_RUNTIME_API, validateSpecs } from '../../runtime/index.js';
import type { MetricSpec, NativeHistogramSpec, PromMetricJSON } from '../../runtime/index.js';

/** client_golang's nativeHistogramBounds (prometheus/histogram.go), schemas 0..8, copied from its source. */
const GO_BOUNDS = JSON.parse(readFileSync(new URL('./fixtures/client-golang-native-bounds.json', import.meta.url), 'utf8')) as number[][];
const ALLOCATION_FIXTURE = fileURLToPath(new URL('./fixtures/native-allocation.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_ZERO_THRESHOLD = 2 ** -128;

function nativeSpec(native: Partial<NativeHistogramSpec> = {}, buckets: number[] = [], labels: MetricSpec['labels'] = []): MetricSpec {
  return {
    name: 'test_latency_seconds',
    type: 'histogram',
    help: 'Latency.',
    unit: 'seconds',
    labels,
    buckets,
    native: { schema: 3, maxBuckets: 160, zeroThreshold: DEFAULT_ZERO_THRESHOLD, ...native },
  };
}

function runtimeOf(spec: MetricSpec): { runtime: MetricsRuntime; histogram: NativeHistogram } {
  const runtime = new MetricsRuntime([spec], { defaultMetrics: false });
  const histogram = runtime.histogram(0);
  if (!(histogram instanceof NativeHistogram)) throw new Error('expected a NativeHistogram');
  return { runtime, histogram };
}

/** The next double above a positive finite double. */
function nextUp(v: number): number {
  const f = new Float64Array([v]);
  const b = new BigUint64Array(f.buffer);
  b[0] = b[0]! + 1n;
  return f[0]!;
}

/**
 * The exact key of v > 0 at schema s > 0: the least k with v <= 2^(k / 2^s), i.e. v^(2^s) <= 2^k.
 * With v = m * 2^e (m an integer) that is m^(2^s) <= 2^(k - e * 2^s), decided on BigInts.
 */
function exactKey(v: number, schema: number): number {
  const n = 2 ** schema;
  // v = m * 2^e with m < 2^53: scale by powers of two (exact) until v is an integer.
  let e = 0;
  let m = v;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  while (m >= 2 ** 53) {
    m /= 2;
    e++;
  }
  const mn = BigInt(m) ** BigInt(n);
  // bits(mn) - 1 <= log2(mn) < bits(mn): start from an estimate and walk to the least k.
  const bits = mn.toString(2).length;
  let k = bits - 1 + e * n;
  const fits = (key: number): boolean => {
    const shift = key - e * n;
    return shift >= 0 ? mn <= 1n << BigInt(shift) : false;
  };
  while (!fits(k)) k++;
  while (fits(k - 1)) k--;
  return k;
}

/** Every populated bucket of a snapshot as [key, count], decoded from its spans and deltas. */
function decode(spans: NativeHistogramSnapshot['positiveSpans'], deltas: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let key = 0;
  let count = 0;
  let d = 0;
  for (const span of spans) {
    key += span.offset;
    for (let j = 0; j < span.length; j++) {
      count += deltas[d++]!;
      if (count > 0) out.push([key, count]);
      key++;
    }
  }
  expect(d).toBe(deltas.length);
  return out;
}

function populated(snapshot: NativeHistogramSnapshot): { positive: [number, number][]; negative: [number, number][] } {
  return { positive: decode(snapshot.positiveSpans, snapshot.positiveDeltas), negative: decode(snapshot.negativeSpans, snapshot.negativeDeltas) };
}

describe('native bucket keys', () => {
  it('puts every client_golang bound, times any power of two, in the bucket client_golang does', () => {
    for (let schema = 1; schema <= 8; schema++) {
      const bounds = GO_BOUNDS[schema]!;
      expect(bounds).toHaveLength(2 ** schema);
      const n = bounds.length;
      for (let i = 0; i < n; i++) {
        for (const exp of [-100, -1, 0, 1, 7, 1000]) {
          // bound * 2^exp has frexp (bound, exp): key i + (exp - 1) * n, and the next double one more.
          const v = bounds[i]! * 2 ** exp;
          expect(nativeBucketKey(v, schema)).toBe(i + (exp - 1) * n);
          expect(nativeBucketKey(nextUp(v), schema)).toBe(i + 1 + (exp - 1) * n);
        }
      }
    }
  });

  it('ends a bucket at each power of two at every schema, subnormals and the largest double included', () => {
    for (let schema = -4; schema <= 8; schema++) {
      for (const e of [-1074, -1070, -1022, -128, -3, -1, 0, 1, 2, 5, 64, 1023]) {
        const v = 2 ** e;
        // (2^(e-1), 2^e] is bucket e at schema 0; 2^schema buckets per power of two above 0,
        // 2^-schema powers per bucket below, ending at multiples of 2^-schema.
        const expected = (schema >= 0 ? e * 2 ** schema : Math.ceil(e / 2 ** -schema)) + 0; // never -0
        expect(nativeBucketKey(v, schema), `2^${e} at schema ${schema}`).toBe(expected);
        if (e > -1074) expect(nativeBucketKey(v * 1.5, schema), `1.5 * 2^${e} at schema ${schema}`).toBe(schema >= 0 ? e * 2 ** schema + Math.ceil(Math.log2(1.5) * 2 ** schema) : Math.ceil((e + 1) / 2 ** -schema) + 0);
      }
      const top = schema >= 0 ? 1024 * 2 ** schema : Math.ceil(1024 / 2 ** -schema);
      expect(nativeBucketKey(Number.MAX_VALUE, schema)).toBe(top);
    }
  });

  it('agrees with exact arithmetic on random values at schemas 1..8 (fixed seed)', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -1070, max: 2 ** 1020, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 8 }), (v, schema) => {
        fc.pre(v > 0);
        expect(nativeBucketKey(v, schema)).toBe(exactKey(v, schema));
      }),
      { seed: 0x15_0001, numRuns: 400 },
    );
    // Subnormals that are not powers of two, which the random draw rarely reaches.
    for (const v of [3 * 2 ** -1074, 12345 * 2 ** -1074, 1.37 * 2 ** -1040, 0.9 * 2 ** -1022]) {
      for (const schema of [1, 3, 8]) expect(nativeBucketKey(v, schema), `${v} at schema ${schema}`).toBe(exactKey(v, schema));
    }
  });

  it('agrees with client_golang\'s own computation (frexp, binary search of its table) next to every bound (fixed seed)', () => {
    // client_golang: frac, exp := math.Frexp(v); key = sort.SearchFloat64s(bounds, frac) + (exp-1)*len(bounds).
    const frexp = (v: number): [number, number] => {
      let exp = Math.floor(Math.log2(v)) + 1;
      // Math.log2 may be off by one next to a power of two: fix exp so that frac is in [0.5, 1).
      while (v / 2 ** exp >= 1) exp++;
      while (v / 2 ** exp < 0.5) exp--;
      return [v / 2 ** exp, exp];
    };
    const search = (bounds: readonly number[], frac: number): number => {
      let i = 0;
      while (i < bounds.length && bounds[i]! < frac) i++;
      return i;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(), fc.integer({ min: -8, max: 8 }), fc.integer({ min: -60, max: 60 }), (schema, at, ulps, exp2) => {
        const bounds = GO_BOUNDS[schema]!;
        const bound = bounds[at % bounds.length]!;
        // A few ulps either side of a bound, scaled by a power of two (exact).
        const bits = new BigInt64Array(new Float64Array([bound]).buffer);
        bits[0] = bits[0]! + BigInt(ulps);
        const v = new Float64Array(bits.buffer)[0]! * 2 ** exp2;
        const [frac, exp] = frexp(v);
        expect(nativeBucketKey(v, schema)).toBe(search(bounds, frac) + (exp - 1) * bounds.length);
      }),
      { seed: 0x15_0004, numRuns: 2000 },
    );
  });

  it('agrees with Math.log2 away from bucket boundaries at schemas -4..0', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), fc.integer({ min: -4, max: 0 }), (v, schema) => {
        const log = Math.log2(v);
        fc.pre(Math.abs(log - Math.round(log)) > 1e-9);
        expect(nativeBucketKey(v, schema)).toBe(Math.ceil(Math.ceil(log) / 2 ** -schema));
      }),
      { seed: 0x15_0002, numRuns: 400 },
    );
  });
});

describe('native histogram recording', () => {
  it('records zero, positive and negative observations with count and sum shared with the classic buckets', () => {
    const { runtime, histogram } = runtimeOf(nativeSpec({ schema: 0 }, [1]));
    for (const v of [0, -0, DEFAULT_ZERO_THRESHOLD, -DEFAULT_ZERO_THRESHOLD, nextUp(DEFAULT_ZERO_THRESHOLD), 1, 2, 3, 4, -1, -3]) histogram.observe(0, v);
    const snapshot = histogram.nativeSnapshot(0)!;
    expect(snapshot).toMatchObject({ schema: 0, zeroThreshold: DEFAULT_ZERO_THRESHOLD, zeroCount: 4, count: 11, sum: 6 });
    // schema 0: 1 -> key 0, 2 -> 1, 3 and 4 -> 2; just above 2^-128 -> key -127 (bucket (2^-128, 2^-127]).
    expect(populated(snapshot)).toEqual({ positive: [[-127, 1], [0, 1], [1, 1], [2, 2]], negative: [[0, 1], [2, 1]] });
    expect(histogram.count(0)).toBe(11);
    expect(histogram.bucketCounts(0)).toEqual([8, 11]); // classic le=1 counts the 4 zeros, 1, -1, -3 and 2^-128+
    runtime.close();
  });

  it('joins gaps of up to two empty buckets into one span, as client_golang does, and delta-encodes counts', () => {
    const { histogram } = runtimeOf(nativeSpec({ schema: 0 }));
    // keys 1, 2 (x3), 4, 7, 8: gap of 1 after 2, gap of 2 after 4 (5, 6): one span; key 12 after a gap of 3: a new span.
    for (const v of [2, 4, 4, 4, 16, 128, 256, 4096]) histogram.observe(0, v);
    const snapshot = histogram.nativeSnapshot(0)!;
    expect(snapshot.positiveSpans).toEqual([{ offset: 1, length: 8 }, { offset: 3, length: 1 }]);
    expect(snapshot.positiveDeltas).toEqual([1, 2, -3, 1, -1, 0, 1, 0, 0]);
    expect(snapshot.negativeSpans).toEqual([]);
  });

  it('gives an empty series the no-op span that marks it native', () => {
    const { histogram } = runtimeOf(nativeSpec());
    expect(histogram.nativeSnapshot(0)).toEqual({
      schema: 3, zeroThreshold: DEFAULT_ZERO_THRESHOLD, zeroCount: 0, count: 0, sum: 0,
      positiveSpans: [{ offset: 0, length: 0 }], positiveDeltas: [], negativeSpans: [], negativeDeltas: [],
    });
  });

  it('drops and counts what the classic observe drops, recording nothing of it', () => {
    const { runtime, histogram } = runtimeOf(nativeSpec({}, [], [{ name: 'agent', values: ['a', 'b'] }]));
    histogram.observe(0, NaN);
    histogram.observe(0, Infinity);
    histogram.observe(0, -Infinity);
    histogram.observe(0, 'x' as unknown as number);
    histogram.observe(2, 1);
    histogram.observe(0.5, 1);
    histogram.observe(0, Number.MAX_VALUE);
    histogram.observe(0, Number.MAX_VALUE); // the sum would overflow: dropped whole
    expect(runtime.dropped(0, 'non_finite_value')).toBe(3);
    expect(runtime.dropped(0, 'not_a_number')).toBe(1);
    expect(runtime.dropped(0, 'series_out_of_range')).toBe(2);
    expect(runtime.dropped(0, 'overflow')).toBe(1);
    expect(populated(histogram.nativeSnapshot(0)!)).toEqual({ positive: [[nativeBucketKey(Number.MAX_VALUE, 3), 1]], negative: [] });
    expect(histogram.count(0)).toBe(1);
    expect(histogram.nativeSnapshot(1)).toMatchObject({ count: 0, positiveSpans: [{ offset: 0, length: 0 }] });
  });

  it('resets to the catalogue schema and empty buckets, and ignores recordings after close', () => {
    const { runtime, histogram } = runtimeOf(nativeSpec({ maxBuckets: 4 }));
    for (let i = 0; i < 50; i++) histogram.observe(0, 1.1 ** i);
    expect(histogram.nativeSnapshot(0)!.schema).toBeLessThan(3);
    runtime.reset();
    expect(histogram.nativeSnapshot(0)).toMatchObject({ schema: 3, count: 0, zeroCount: 0, positiveSpans: [{ offset: 0, length: 0 }] });
    histogram.observe(0, 1);
    expect(populated(histogram.nativeSnapshot(0)!).positive).toEqual([[0, 1]]);
    runtime.close();
    histogram.observe(0, 1);
    expect(histogram.nativeSnapshot(0)).toBeUndefined();
    expect(histogram.count(0)).toBeNaN();
  });

  it('exposes a native-only histogram in the text formats as +Inf bucket, sum and count', async () => {
    const { runtime, histogram } = runtimeOf(nativeSpec({}, [], [{ name: 'agent', values: ['a', 'b'] }]));
    histogram.observe(1, 0.25);
    histogram.observe(1, 4);
    const text = await runtime.expose('text');
    expect(text).toContain('test_latency_seconds_bucket{agent="b",le="+Inf"} 2\ntest_latency_seconds_sum{agent="b"} 4.25\ntest_latency_seconds_count{agent="b"} 2\n');
    expect(text).toContain('test_latency_seconds_bucket{agent="a",le="+Inf"} 0\n');
    expect(await runtime.expose('openmetrics')).toContain('test_latency_seconds_bucket{agent="b",le="+Inf"} 2\n');
    const family = new Family(runtime.specs[0]!);
    expect(family.nativeSnapshot(histogram.data, 1)).toEqual(histogram.nativeSnapshot(1));
    expect(family.nativeSnapshot(histogram.data, 2)).toBeUndefined();
    runtime.close();
  });

  it('returns a classic Histogram, without native snapshots, for a spec without native', () => {
    const { native: _native, ...spec } = nativeSpec({}, [1, 2]);
    const runtime = new MetricsRuntime([spec], { defaultMetrics: false });
    expect(runtime.histogram(0)).toBeInstanceOf(Histogram);
    expect(runtime.histogram(0)).not.toBeInstanceOf(NativeHistogram);
    expect(new Family(spec).nativeSnapshot(new Float64Array(5), 0)).toBeUndefined();
  });
});

describe('resolution reduction', () => {
  const values = fc.array(
    fc.oneof(
      fc.double({ min: 1e-12, max: 1e12, noNaN: true }),
      fc.double({ min: -1e6, max: -1e-6, noNaN: true }),
      fc.constantFrom(0, 1, 2, 0.5, 1024),
    ),
    { minLength: 1, maxLength: 200 },
  );

  it('ends at the highest schema where every observation fits, equal to recording at that schema from the start (fixed seed)', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: -3, max: 8 }), fc.integer({ min: 1, max: 40 }), (observations, schema, maxBuckets) => {
        const reduced = runtimeOf(nativeSpec({ schema, maxBuckets }, [0.1, 1])).histogram;
        for (const v of observations) reduced.observe(0, v);
        const snapshot = reduced.nativeSnapshot(0)!;
        const direct = runtimeOf(nativeSpec({ schema: snapshot.schema, maxBuckets }, [0.1, 1])).histogram;
        for (const v of observations) direct.observe(0, v);
        expect(direct.nativeSnapshot(0)).toEqual(snapshot);
        // Independently of the storage: count by key at that schema.
        const expected = { positive: new Map<number, number>(), negative: new Map<number, number>() };
        for (const v of observations) {
          if (Math.abs(v) <= DEFAULT_ZERO_THRESHOLD) continue;
          const side = v > 0 ? expected.positive : expected.negative;
          const key = nativeBucketKey(Math.abs(v), snapshot.schema);
          side.set(key, (side.get(key) ?? 0) + 1);
        }
        const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
        const got = populated(snapshot);
        expect(got).toEqual({ positive: sorted(expected.positive), negative: sorted(expected.negative) });
        const buckets = got.positive.length + got.negative.length;
        if (snapshot.schema > -4) expect(buckets).toBeLessThanOrEqual(maxBuckets);
        // Not reduced further than needed: one schema finer, something did not fit.
        if (snapshot.schema < schema) {
          const finer = runtimeOf(nativeSpec({ schema: snapshot.schema + 1, maxBuckets }, [])).histogram;
          for (const v of observations) finer.observe(0, v);
          expect(finer.nativeSnapshot(0)!.schema).toBe(snapshot.schema);
        }
      }),
      { seed: 0x15_0003, numRuns: 150 },
    );
  });

  it('halves one schema at a time, key k into ceil(k / 2), down to -4 and no further', () => {
    const { histogram } = runtimeOf(nativeSpec({ schema: 1, maxBuckets: 2 }));
    histogram.observe(0, 1); // schema 1 key 0
    histogram.observe(0, 1.2); // key 1
    expect(histogram.nativeSnapshot(0)!.schema).toBe(1);
    histogram.observe(0, 2); // key 2: three buckets; at schema 0 keys 0, 1, 1
    expect(histogram.nativeSnapshot(0)!).toMatchObject({ schema: 0, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [1, 1] });
    for (let e = -60; e <= 60; e += 5) histogram.observe(0, 2 ** e);
    const snapshot = histogram.nativeSnapshot(0)!;
    expect(snapshot.schema).toBe(-4);
    // At -4 the limit may be exceeded, as in client_golang: keys ceil(e / 16) for e = -60..60.
    expect(populated(snapshot).positive.map(([k]) => k)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    expect(histogram.count(0)).toBe(3 + 25);
  });
});

describe('cluster merge', () => {
  function workerJSON(runtime: MetricsRuntime): Promise<PromMetricJSON[]> {
    return runtime.getMetricsAsJSON({ native: true });
  }

  it('sums workers at different schemas at the lower one, as one histogram recording everything would', async () => {
    const labels = [{ name: 'agent', values: ['a', 'b'] }];
    const spec = nativeSpec({ schema: 4, maxBuckets: 12 }, [1], labels);
    const fine = runtimeOf(spec);
    const coarse = runtimeOf(spec);
    const all = runtimeOf(spec);
    const fineValues = [1, 1.01, 1.02, 1.04, 0, -2];
    const coarseValues = Array.from({ length: 40 }, (_, i) => 1.3 ** i * 1e-3);
    for (const v of fineValues) for (const h of [fine.histogram, all.histogram]) h.observe(1, v);
    for (const v of coarseValues) for (const h of [coarse.histogram, all.histogram]) h.observe(1, v);
    coarse.histogram.observe(0, 5);
    all.histogram.observe(0, 5);
    expect(fine.histogram.nativeSnapshot(1)!.schema).toBe(4);
    expect(coarse.histogram.nativeSnapshot(1)!.schema).toBeLessThan(4);

    const aggregated = AggregatorRegistry.aggregate([await workerJSON(fine.runtime), await workerJSON(coarse.runtime)]);
    const metric = ((await aggregated.getMetricsAsJSON()) as unknown as PromMetricJSON[]).find((m) => m.name === spec.name)!;
    const primary = new Family(spec);
    const data = new Float64Array(primary.slots);
    primary.absorbJSON(metric, data);
    for (const series of [0, 1]) {
      // Sums added in another order may differ in the last bit.
      const { sum: mergedSum, ...merged } = primary.nativeSnapshot(data, series)!;
      const { sum: expectedSum, ...expected } = all.histogram.nativeSnapshot(series)!;
      expect(merged).toEqual(expected);
      expect(mergedSum).toBeCloseTo(expectedSum, 9);
    }
    // The classic part is summed as before.
    const merged = new MetricsRuntime([spec], { defaultMetrics: false });
    const text = merged.renderAggregate([metric], 'text', performance.now());
    expect(text).toContain(`test_latency_seconds_count{agent="b"} ${fineValues.length + coarseValues.length}\n`);
    expect(text).not.toContain('native');
  });

  it('ignores malformed native samples and leaves prom-client primaries only the classic samples', async () => {
    const spec = nativeSpec({ schema: 3 });
    const { runtime, histogram } = runtimeOf(spec);
    histogram.observe(0, 3);
    const classic = (await runtime.getMetricsAsJSON()).find((m) => m.name === spec.name)!;
    expect(JSON.stringify(classic)).not.toContain('__native_bucket');
    const withNative = (await workerJSON(runtime)).find((m) => m.name === spec.name)!;
    const bad = ['p/9/1', 'p/3/99999999', 'x/3/1', 'p/3/1.5', 'p/-5/0', 'n/3/-5000'].map((label) => ({
      value: 1, labels: { __native_bucket: label }, metricName: `${spec.name}:native`,
    }));
    const family = new Family(spec);
    const data = new Float64Array(family.slots);
    family.absorbJSON({ ...withNative, values: [...withNative.values, ...bad, { value: -1, labels: { __native_bucket: 'zero' }, metricName: `${spec.name}:native` }] }, data);
    expect(family.nativeSnapshot(data, 0)).toEqual(histogram.nativeSnapshot(0));
  });
});

describe('native spec validation and API', () => {
  const invalid: [string, Partial<MetricSpec>, RegExp][] = [
    ['schema 9', { native: { schema: 9, maxBuckets: 10, zeroThreshold: 0 } }, /native schema must be an integer from -4 to 8, got 9/],
    ['schema 1.5', { native: { schema: 1.5, maxBuckets: 10, zeroThreshold: 0 } }, /native schema/],
    ['schema -5', { native: { schema: -5, maxBuckets: 10, zeroThreshold: 0 } }, /native schema/],
    ['maxBuckets 0', { native: { schema: 3, maxBuckets: 0, zeroThreshold: 0 } }, /maxBuckets must be an integer >= 1, got 0/],
    ['maxBuckets 2.5', { native: { schema: 3, maxBuckets: 2.5, zeroThreshold: 0 } }, /maxBuckets/],
    ['negative zeroThreshold', { native: { schema: 3, maxBuckets: 10, zeroThreshold: -1 } }, /zeroThreshold must be a finite number >= 0, got -1/],
    ['infinite zeroThreshold', { native: { schema: 3, maxBuckets: 10, zeroThreshold: Infinity } }, /zeroThreshold/],
  ];
  it.each(invalid)('refuses %s', (_, change, message) => {
    expect(() => validateSpecs([{ ...nativeSpec(), ...change }])).toThrow(message);
  });

  it('refuses a histogram with neither classic nor native buckets', () => {
    const { native: _native, ...spec } = nativeSpec({}, []);
    expect(() => validateSpecs([spec])).toThrow(/needs buckets, native buckets, or both/);
  });

  it('refuses native buckets on other types and states runtime API 3', () => {
    expect(() => validateSpecs([{ name: 'x_total', type: 'counter', help: '', unit: '', labels: [], native: { schema: 3, maxBuckets: 1, zeroThreshold: 0 } }])).toThrow(/only histograms have native buckets/);
    expect(() => validateSpecs([nativeSpec({ schema: -4, maxBuckets: 1, zeroThreshold: 0 })])).not.toThrow();
    expect(NATIVE_HISTOGRAMS_RUNTIME_API).toBe(3);
    expect(RUNTIME_API).toBe(3);
  });
});

describe('allocation', () => {
  it('observes without allocating, new buckets and reductions included (heap, by call count)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--conditions=lazybird-metrics:source', '--import', 'tsx', ALLOCATION_FIXTURE], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const result = JSON.parse(stdout) as { calls: number; bytes: number; reductions: number };
    // The least of five runs of 100 000 calls: one heap number per call would be 1.6 MB.
    expect(result.reductions).toBeGreaterThan(0);
    expect(result.bytes).toBeLessThan(64 * 1024);
  });
});
