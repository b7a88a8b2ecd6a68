/**
 * The review's runtime findings: counters and histogram sums reaching ±Inf, and no way to release a
 * runtime. (Throwing getters go through generated code: test/generated/hardening.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MetricsInputError, MetricsRuntime, seriesIndexOf } from '../../runtime/index.js';
import { parseExposition, valueOf } from './helpers/parse.js';
import { CALLS, LATENCY, QUEUE, SPECS } from './helpers/specs.js';

const MAX = Number.MAX_VALUE;

function runtime(strict = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics: false, strict });
}

describe('overflow at Number.MAX_VALUE', () => {
  it('drops a counter increment that would reach +Inf, counts it, and keeps the value', async () => {
    const rt = runtime();
    const series = seriesIndexOf(SPECS[CALLS]!, ['gemini', 'code']);
    rt.counter(CALLS).inc(series, MAX);
    rt.counter(CALLS).inc(series, MAX);
    expect(rt.counter(CALLS).value(series)).toBe(MAX);
    expect(rt.dropped(CALLS, 'overflow')).toBe(1);
    const parsed = parseExposition(await rt.expose('text'), 'text');
    expect(valueOf(parsed, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(MAX);
    expect(valueOf(parsed, 'test_metrics_dropped_total', { metric: 'test_agent_calls_total', reason: 'overflow' })).toBe(1);
  });

  it('drops an observation that would take a histogram sum to +Inf or -Inf, with its bucket and count', async () => {
    const rt = runtime();
    const h = rt.histogram(LATENCY);
    h.observe(0, MAX);
    h.observe(0, MAX);
    expect(h.sum(0)).toBe(MAX);
    expect(h.count(0)).toBe(1);
    expect(h.bucketCounts(0).at(-1)).toBe(1);
    h.observe(1, -MAX);
    h.observe(1, -MAX);
    expect(h.sum(1)).toBe(-MAX);
    expect(h.count(1)).toBe(1);
    expect(rt.dropped(LATENCY, 'overflow')).toBe(2);
    const text = await rt.expose('openmetrics');
    // A value (the end of a sample line) is never infinite; `le="+Inf"` is a label, not a value.
    expect(text).toMatch(/le="\+Inf"/);
    expect(text).not.toMatch(/ [+-]?Inf$/m);
  });

  it('drops a gauge change that would reach ±Inf', () => {
    const rt = runtime();
    const g = rt.gauge(QUEUE);
    g.set(0, MAX);
    g.inc(0, MAX);
    g.set(1, -MAX);
    g.dec(1, MAX);
    expect([g.value(0), g.value(1)]).toEqual([MAX, -MAX]);
    expect(rt.dropped(QUEUE, 'overflow')).toBe(2);
  });

  it('throws MetricsInputError with reason overflow in strict mode', () => {
    const rt = runtime(true);
    rt.counter(CALLS).inc(0, MAX);
    expect(() => rt.counter(CALLS).inc(0, MAX)).toThrow(MetricsInputError);
    try {
      rt.histogram(LATENCY).observe(0, MAX);
      rt.histogram(LATENCY).observe(0, MAX);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ name: 'MetricsInputError', reason: 'overflow', metric: 'test_latency_seconds' });
    }
  });
});

describe('close()', () => {
  it('releases the values; later recordings are ignored without a throw, even in strict mode; expose rejects', async () => {
    for (const strict of [false, true]) {
      const rt = runtime(strict);
      rt.counter(CALLS).inc(0, 2);
      rt.close();
      rt.close();
      expect(rt.isClosed).toBe(true);
      expect(() => {
        rt.counter(CALLS).inc(0, 1);
        rt.counter(CALLS).inc(0, NaN);
        rt.gauge(QUEUE).set(0, 1);
        rt.histogram(LATENCY).observe(0, 1);
        rt.histogram(LATENCY).startTimer(0)();
        rt.counter(CALLS).inc(rt.unknownLabel(CALLS, 1, 'deploy'));
        rt.unreadableInput(new Error('getter'), CALLS);
      }).not.toThrow();
      expect(rt.counter(CALLS).value(0)).toBeNaN();
      await expect(rt.expose('text')).rejects.toThrow(/closed/);
      await expect(rt.getMetricsAsJSON()).rejects.toThrow(/closed/);
    }
  });

  it('is what Symbol.dispose does, so `using` releases the runtime', () => {
    const rt = runtime();
    rt[Symbol.dispose]();
    expect(rt.isClosed).toBe(true);
  });

  it("keeps the process's default metrics for the other runtimes", async () => {
    const a = new MetricsRuntime(SPECS, { namespace: 'test' });
    const b = new MetricsRuntime(SPECS, { namespace: 'test' });
    a.close();
    const parsed = parseExposition(await b.expose('text'), 'text');
    expect(valueOf(parsed, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    b.close();
  });
});
