import { describe, expect, it } from 'vitest';
import { DROP_REASONS, MetricsInputError, MetricsRuntime, seriesIndexOf } from '../../runtime/index.js';
import type { MetricSpec } from '../../runtime/index.js';
import { parseExposition, samplesOf } from './helpers/parse.js';
import { CALLS, COST, LATENCY, QUEUE, SPECS } from './helpers/specs.js';

const calls = SPECS[CALLS]!;
const latency = SPECS[LATENCY]!;

function runtime(strict = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics: false, strict });
}

/** Sum of every stored value of our metrics, read through the public API and the exposition. */
async function allSampleValues(rt: MetricsRuntime): Promise<number[]> {
  const parsed = parseExposition(await rt.expose('text'), 'text');
  return parsed.samples.filter((s) => !s.name.startsWith('test_metrics_dropped')).map((s) => s.value);
}

describe('recording', () => {
  it('indexes series by the mixed-radix rule, first label most significant', () => {
    expect(seriesIndexOf(calls, ['claude', 'plan'])).toBe(0);
    expect(seriesIndexOf(calls, ['claude', 'code'])).toBe(1);
    expect(seriesIndexOf(calls, ['gemini', 'code'])).toBe(3);
    expect(seriesIndexOf(calls, ['other', 'code'])).toBe(5);
    expect(seriesIndexOf(calls, ['nope', 'code'])).toBe(-1);
    expect(seriesIndexOf(calls, ['claude'])).toBe(-1);
  });

  it('increments counters by 1 or by an amount, and reads them back', async () => {
    const rt = runtime();
    const c = rt.counter(CALLS);
    const series = seriesIndexOf(calls, ['gemini', 'code']);
    c.inc(series);
    c.inc(series, 2.5);
    c.inc(series, 0);
    expect(c.value(series)).toBe(3.5);
    expect(c.value(0)).toBe(0);
    const parsed = parseExposition(await rt.expose('text'), 'text');
    expect(samplesOf(parsed, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })[0]?.value).toBe(3.5);
  });

  it('sets, increments and decrements gauges, negative amounts included', () => {
    const g = runtime().gauge(QUEUE);
    g.set(1, 10);
    g.inc(1);
    g.inc(1, -3);
    g.dec(1, 0.5);
    g.dec(1);
    expect(g.value(1)).toBe(6.5);
    g.set(0, -4);
    expect(g.value(0)).toBe(-4);
  });

  it('counts an observation equal to a bound in that bucket, and past the last bound in +Inf', () => {
    const h = runtime().histogram(LATENCY);
    for (const v of [0.005, 0.006, 1, 9.99, 10, 10.01, -2]) h.observe(1, v);
    // bounds 0.005, 0.5, 1, 2.5, 10, +Inf; cumulative
    expect(h.bucketCounts(1)).toEqual([2, 3, 4, 4, 6, 7]);
    expect(h.count(1)).toBe(7);
    expect(h.sum(1)).toBeCloseTo(0.005 + 0.006 + 1 + 9.99 + 10 + 10.01 - 2, 10);
    expect(h.bucketCounts(0)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('finds the same bucket by binary search as a linear scan when there are many buckets', () => {
    const bounds = Array.from({ length: 40 }, (_, i) => 0.25 * (i + 1) ** 1.5);
    const spec: MetricSpec = { name: 'wide_seconds', type: 'histogram', help: 'h', unit: 'seconds', labels: [], buckets: bounds };
    const h = new MetricsRuntime([spec], { defaultMetrics: false }).histogram(0);
    const expected = new Array<number>(bounds.length + 1).fill(0);
    const values = [0, ...bounds, ...bounds.map((b) => b + 1e-9), ...bounds.map((b) => b - 1e-9), 1e9, -1];
    for (let i = 0; i < 500; i++) values.push(Math.random() * 70);
    for (const v of values) {
      h.observe(0, v);
      const bucket = bounds.findIndex((b) => v <= b);
      expected[bucket < 0 ? bounds.length : bucket]! += 1;
    }
    let running = 0;
    expect(h.bucketCounts(0)).toEqual(expected.map((n) => (running += n)));
  });

  it('startTimer observes elapsed seconds, once', async () => {
    const h = runtime().histogram(LATENCY);
    const stop = h.startTimer(0);
    await new Promise((r) => setTimeout(r, 20));
    const elapsed = stop();
    expect(elapsed).toBeGreaterThan(0.015);
    expect(elapsed).toBeLessThan(5);
    expect(stop()).toBe(elapsed);
    expect(h.count(0)).toBe(1);
    expect(h.sum(0)).toBe(elapsed);
  });

  it('reset() zeroes every metric and the drop counter', async () => {
    const rt = runtime();
    rt.counter(CALLS).inc(0, 5);
    rt.histogram(LATENCY).observe(0, 1);
    rt.gauge(QUEUE).set(0, 3);
    rt.counter(COST).inc(0, -1);
    expect(rt.dropped(COST, 'negative_increment')).toBe(1);
    rt.reset();
    expect(await allSampleValues(rt)).toSatisfy((vs: number[]) => vs.every((v) => v === 0));
    expect(rt.dropped(COST, 'negative_increment')).toBe(0);
  });

  it('refuses storage of the wrong type: a generator bug surfaces at start-up', () => {
    const rt = runtime();
    expect(() => rt.gauge(CALLS)).toThrow(/not a gauge/);
    expect(() => rt.counter(LATENCY)).toThrow(/not a counter/);
    expect(() => rt.histogram(99)).toThrow(/no such metric/);
  });
});

describe('guards (default mode)', () => {
  it('maps an unknown value of a label with an overflow value to it, without counting a drop', () => {
    const rt = runtime();
    const position = rt.unknownLabel(CALLS, 0, 'mistral');
    expect(position).toBe(calls.labels[0]!.values.indexOf('other'));
    expect(rt.dropped(CALLS, 'unknown_label_value')).toBe(0);
  });

  it('drops and counts an unknown value of a label without overflow, and -1 records nothing', async () => {
    const rt = runtime();
    const position = rt.unknownLabel(CALLS, 1, 'deploy');
    expect(position).toBe(-1);
    expect(rt.dropped(CALLS, 'unknown_label_value')).toBe(1);
    // What generated code does next: compute a negative series and record with it.
    const before = await allSampleValues(rt);
    rt.counter(CALLS).inc(position);
    rt.counter(CALLS).inc(-1 * 2 + position);
    rt.gauge(QUEUE).set(-1, 5);
    rt.histogram(LATENCY).observe(-1, 5);
    expect(await allSampleValues(rt)).toEqual(before);
    expect(DROP_REASONS.map((r) => rt.dropped(CALLS, r))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['NaN', NaN, 'non_finite_value'],
    ['+Infinity', Infinity, 'non_finite_value'],
    ['-Infinity', -Infinity, 'non_finite_value'],
    ['a numeric string', '3', 'not_a_number'],
    ['null', null, 'not_a_number'],
    ['a bigint', 3n, 'not_a_number'],
    ['an object', { valueOf: (): number => 3 }, 'not_a_number'],
  ] as const)('drops %s with reason %s for every metric type', async (_label, bad, reason) => {
    const rt = runtime();
    const v = bad as unknown as number;
    rt.counter(CALLS).inc(0, v);
    rt.gauge(QUEUE).set(0, v);
    rt.gauge(QUEUE).inc(0, v);
    rt.gauge(QUEUE).dec(0, v);
    rt.histogram(LATENCY).observe(0, v);
    expect(rt.dropped(CALLS, reason)).toBe(1);
    expect(rt.dropped(QUEUE, reason)).toBe(3);
    expect(rt.dropped(LATENCY, reason)).toBe(1);
    expect(await allSampleValues(rt)).toSatisfy((vs: number[]) => vs.every((x) => x === 0));
  });

  it('drops a negative counter increment, but not a negative gauge or histogram value', () => {
    const rt = runtime();
    rt.counter(CALLS).inc(0, -1);
    rt.counter(CALLS).inc(0, -0.0001);
    rt.gauge(QUEUE).inc(0, -1);
    rt.histogram(LATENCY).observe(0, -1);
    expect(rt.counter(CALLS).value(0)).toBe(0);
    expect(rt.dropped(CALLS, 'negative_increment')).toBe(2);
    expect(rt.gauge(QUEUE).value(0)).toBe(-1);
    expect(rt.histogram(LATENCY).count(0)).toBe(1);
    expect(rt.dropped(QUEUE, 'negative_increment') + rt.dropped(LATENCY, 'negative_increment')).toBe(0);
  });

  it('drops series indexes that are out of range or not integers, without writing anywhere', async () => {
    const rt = runtime();
    const seriesCount = 6;
    const bad = [seriesCount, 7, 1e9, 2 ** 32, 2 ** 32 + 1, 0.5, NaN, Infinity, '0', undefined, null, Symbol('s'), {}];
    for (const s of bad) {
      rt.counter(CALLS).inc(s as number, 1);
      rt.gauge(QUEUE).set(s as number, 1);
      rt.histogram(LATENCY).observe(s as number, 1);
    }
    expect(rt.dropped(CALLS, 'series_out_of_range')).toBe(bad.length);
    expect(rt.dropped(QUEUE, 'series_out_of_range')).toBe(bad.length);
    expect(rt.dropped(LATENCY, 'series_out_of_range')).toBe(bad.length);
    expect(await allSampleValues(rt)).toSatisfy((vs: number[]) => vs.every((x) => x === 0));
    expect(rt.counter(CALLS).value(seriesCount)).toBeNaN();
    expect(rt.histogram(LATENCY).bucketCounts(2)).toEqual([]);
  });

  it('never throws, whatever it is fed, and never creates a series', async () => {
    const rt = runtime();
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const garbage: unknown[] = [
      undefined, null, NaN, Infinity, -Infinity, -0, -1, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, '1', '',
      'a\nb"c\\', 1n, true, {}, [], [1], Symbol('x'), () => 1, Object.create(null),
      { toString() { throw new Error('hostile'); }, valueOf() { throw new Error('hostile'); } },
      new Proxy({}, { get() { throw new Error('hostile'); } }), revoked.proxy, new Date(), /re/,
    ];
    const before = parseExposition(await rt.expose('text'), 'text').samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    const run = (): void => {
      for (const a of garbage) {
        for (const b of garbage) {
          const x = a as number;
          const y = b as number;
          rt.counter(CALLS).inc(x, y);
          rt.counter(COST).inc(x, y);
          rt.counter(COST).inc(0, y);
          rt.gauge(QUEUE).set(x, y);
          rt.gauge(QUEUE).inc(x, y);
          rt.gauge(QUEUE).dec(1, y);
          rt.histogram(LATENCY).observe(x, y);
          rt.histogram(LATENCY).observe(0, y);
          rt.histogram(LATENCY).startTimer(x)();
          rt.unknownLabel(CALLS, 0, a);
          rt.unknownLabel(CALLS, 1, a);
          rt.unknownLabel(x, y, a);
          rt.counter(CALLS).value(x);
          rt.histogram(LATENCY).bucketCounts(x);
        }
      }
    };
    expect(run).not.toThrow();
    for (const format of ['text', 'openmetrics'] as const) {
      const parsed = parseExposition(await rt.expose(format), format);
      if (format === 'text') {
        expect(parsed.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`)).toEqual(before);
      }
    }
    // At least the unknownLabel(CALLS, 1, ...) calls; garbage ids that happen to hit CALLS add more.
    expect(rt.dropped(CALLS, 'unknown_label_value')).toBeGreaterThanOrEqual(garbage.length * garbage.length);
  });
});

describe('strict mode', () => {
  it('throws MetricsInputError naming metric, label and value for an unknown label value', () => {
    const rt = runtime(true);
    for (const position of [0, 1]) {
      let error: unknown;
      try {
        rt.unknownLabel(CALLS, position, 'we"ird\nvalue');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MetricsInputError);
      const err = error as MetricsInputError;
      expect(err.reason).toBe('unknown_label_value');
      expect(err.metric).toBe('test_agent_calls_total');
      expect(err.message).toContain('test_agent_calls_total');
      expect(err.message).toContain(position === 0 ? 'agent' : 'operation');
      expect(err.message).toContain(JSON.stringify('we"ird\nvalue'));
    }
  });

  it.each([
    ['a NaN gauge value', (rt: MetricsRuntime) => rt.gauge(QUEUE).set(0, NaN), 'non_finite_value'],
    ['an infinite observation', (rt: MetricsRuntime) => rt.histogram(LATENCY).observe(0, Infinity), 'non_finite_value'],
    ['a string increment', (rt: MetricsRuntime) => rt.counter(CALLS).inc(0, '1' as unknown as number), 'not_a_number'],
    ['a symbol value', (rt: MetricsRuntime) => rt.gauge(QUEUE).set(0, Symbol('s') as unknown as number), 'not_a_number'],
    ['a negative increment', (rt: MetricsRuntime) => rt.counter(COST).inc(0, -2), 'negative_increment'],
    ['an out-of-range series', (rt: MetricsRuntime) => rt.counter(CALLS).inc(6), 'series_out_of_range'],
    ['a hostile series', (rt: MetricsRuntime) => rt.counter(CALLS).inc(new Proxy({}, { get() { throw new Error('x'); } }) as unknown as number), 'series_out_of_range'],
  ] as const)('throws on %s', (_what, record, reason) => {
    const rt = runtime(true);
    expect(() => record(rt)).toThrow(MetricsInputError);
    try {
      record(rt);
    } catch (e) {
      expect((e as MetricsInputError).reason).toBe(reason);
      expect((e as MetricsInputError).message).toContain(reason);
    }
  });

  it('still records valid input', () => {
    const rt = runtime(true);
    rt.counter(CALLS).inc(2, 2);
    rt.histogram(LATENCY).observe(0, 0.1);
    expect(rt.counter(CALLS).value(2)).toBe(2);
    expect(rt.histogram(LATENCY).count(0)).toBe(1);
  });
});
