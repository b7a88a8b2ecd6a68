import { AggregatorRegistry, Counter as PromCounter, Gauge as PromGauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  DROP_REASONS,
  MetricsRuntime,
  formatGoFloat,
  formatOpenMetricsFloat,
  formatValue,
  seriesIndexOf,
} from '../../runtime/index.js';
import type { TextExpositionFormat } from '../../runtime/index.js';
import { parseExposition, samplesOf, valueOf } from './helpers/parse.js';
import { pythonOpenMetricsCheck } from '../helpers/openmetrics-python.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { CALLS, COST, LATENCY, ODD, ODD_HELP, ODD_VALUES, QUEUE, SCRAPE, SPECS, expectedSampleCount } from './helpers/specs.js';

const FORMATS: readonly TextExpositionFormat[] = ['text', 'openmetrics'];

function runtime(defaultMetrics = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics, scrapeDurationMetric: 'test_scrape_duration_seconds' });
}

/** Records a known set of values into every metric. */
function record(rt: MetricsRuntime): void {
  rt.counter(CALLS).inc(seriesIndexOf(SPECS[CALLS]!, ['gemini', 'code']), 4);
  rt.counter(CALLS).inc(rt.unknownLabel(CALLS, 0, 'mistral') * 2 + 0); // overflow -> other, plan
  rt.gauge(QUEUE).set(1, 1054126080);
  rt.histogram(LATENCY).observe(1, 0.7);
  rt.histogram(LATENCY).observe(1, 20);
  rt.gauge(ODD).set(2, 0.25);
  rt.counter(COST).inc(0, 0.1);
  rt.counter(COST).inc(0, 0.2);
  rt.counter(COST).inc(0, NaN);
}

describe('every series from the start', () => {
  it.each(FORMATS)('exposes every allowed series at 0 before anything is recorded (%s)', async (format) => {
    const parsed = parseExposition(await runtime().expose(format), format);
    for (const spec of SPECS) {
      const own = parsed.samples.filter((s) => s.name.startsWith(spec.name.replace(/_total$/, '')));
      expect(own, spec.name).toHaveLength(expectedSampleCount(spec));
      expect(own.every((s) => s.value === 0), spec.name).toBe(true);
    }
    const drops = samplesOf(parsed, 'test_metrics_dropped_total');
    expect(drops).toHaveLength(SPECS.length * DROP_REASONS.length);
    expect(drops.every((s) => s.value === 0)).toBe(true);
    for (const spec of SPECS) {
      for (const reason of DROP_REASONS) {
        expect(valueOf(parsed, 'test_metrics_dropped_total', { metric: spec.name, reason })).toBe(0);
      }
    }
  });
});

describe('recorded values', () => {
  it.each(FORMATS)('appear in the %s format', async (format) => {
    const rt = runtime();
    record(rt);
    const p = parseExposition(await rt.expose(format), format);
    expect(valueOf(p, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(4);
    expect(valueOf(p, 'test_agent_calls_total', { agent: 'other', operation: 'plan' })).toBe(1);
    expect(valueOf(p, 'test_agent_calls_total', { agent: 'claude', operation: 'plan' })).toBe(0);
    expect(valueOf(p, 'test_queue_depth', { queue: 'slow' })).toBe(1054126080);
    expect(valueOf(p, 'test_odd_ratio', { kind: 'e\nf' })).toBe(0.25);
    expect(valueOf(p, 'test_cost_usd_total')).toBeCloseTo(0.3, 12);
    expect(valueOf(p, 'test_metrics_dropped_total', { metric: 'test_cost_usd_total', reason: 'non_finite_value' })).toBe(1);
    // The canonical float form in both formats (what Prometheus 3 stores from any scrape).
    const one = '1.0';
    const ten = '10.0';
    expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'gemini', le: '0.5' })).toBe(0);
    expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'gemini', le: one })).toBe(1);
    expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'gemini', le: ten })).toBe(1);
    expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'gemini', le: '+Inf' })).toBe(2);
    expect(valueOf(p, 'test_latency_seconds_sum', { agent: 'gemini' })).toBeCloseTo(20.7, 12);
    expect(valueOf(p, 'test_latency_seconds_count', { agent: 'gemini' })).toBe(2);
    expect(valueOf(p, 'test_latency_seconds_count', { agent: 'claude' })).toBe(0);
  });

  it('writes integers without exponent and specials as Prometheus does', async () => {
    const rt = runtime();
    record(rt);
    const text = await rt.expose('text');
    expect(text).toContain('test_queue_depth{queue="slow"} 1054126080\n');
    const h = rt.histogram(LATENCY);
    expect(text).toContain('test_latency_seconds_bucket{agent="gemini",le="0.005"} 0\n');
    expect(h.bucketCounts(1)).toEqual([0, 0, 1, 1, 1, 2]);
    expect([NaN, Infinity, -Infinity, -0, 3, 0.1, 1e21, 2 ** 53].map(formatValue)).toEqual([
      'NaN', '+Inf', '-Inf', '0', '3', '0.1', '1e+21', '9007199254740992',
    ]);
  });

  it('formats le like Go in text and as canonical floats in OpenMetrics', () => {
    const cases: [number, string, string][] = [
      [0.005, '0.005', '0.005'],
      [0.5, '0.5', '0.5'],
      [1, '1', '1.0'],
      [2.5, '2.5', '2.5'],
      [10, '10', '10.0'],
      [100000, '100000', '100000.0'],
      [1e6, '1e+06', '1e+06'],
      [1234567, '1.234567e+06', '1.234567e+06'],
      [0.0001, '0.0001', '0.0001'],
      [0.00001, '1e-05', '1e-05'],
      [1.5e-7, '1.5e-07', '1.5e-07'],
      [1e100, '1e+100', '1e+100'],
      [-3, '-3', '-3.0'],
      [0, '0', '0.0'],
      [Infinity, '+Inf', '+Inf'],
    ];
    for (const [f, text, om] of cases) {
      expect([formatGoFloat(f), formatOpenMetricsFloat(f)], String(f)).toEqual([text, om]);
    }
  });
});

describe('escaping', () => {
  it('escapes backslash and newline in text HELP, and quotes too in OpenMetrics HELP', async () => {
    const rt = runtime();
    const text = await rt.expose('text');
    const om = await rt.expose('openmetrics');
    expect(text).toContain('# HELP test_odd_ratio Back\\\\slash, "quoted"\\nsecond line: naïve ✓ 日本\n');
    expect(om).toContain('# HELP test_odd_ratio Back\\\\slash, \\"quoted\\"\\nsecond line: naïve ✓ 日本\n');
    for (const format of FORMATS) {
      const parsed = parseExposition(format === 'text' ? text : om, format);
      expect(parsed.families.get('test_odd_ratio')?.help).toBe(ODD_HELP);
    }
  });

  it.each(FORMATS)('escapes backslash, quote and newline in label values (%s)', async (format) => {
    const out = await runtime().expose(format);
    expect(out).toContain('test_odd_ratio{kind="a\\"b"} 0\n');
    expect(out).toContain('test_odd_ratio{kind="c\\\\d"} 0\n');
    expect(out).toContain('test_odd_ratio{kind="e\\nf"} 0\n');
    expect(out).toContain('test_odd_ratio{kind="ü✓"} 0\n');
    const parsed = parseExposition(out, format);
    expect(samplesOf(parsed, 'test_odd_ratio').map((s) => s.labels.kind)).toEqual([...ODD_VALUES]);
  });
});

describe('OpenMetrics specifics', () => {
  it('names counter families without _total, keeps _total on samples, and writes UNIT lines', async () => {
    const rt = runtime();
    const om = await rt.expose('openmetrics');
    expect(om).toContain('# TYPE test_agent_calls counter\n');
    expect(om).toContain('# HELP test_agent_calls Agent calls.\n');
    expect(om).toContain('test_agent_calls_total{agent="claude",operation="plan"} 0\n');
    expect(om).toContain('# TYPE test_cost_usd counter\n# UNIT test_cost_usd usd\n');
    expect(om).toContain('# TYPE test_latency_seconds histogram\n# UNIT test_latency_seconds seconds\n');
    expect(om).not.toMatch(/# (TYPE|HELP|UNIT) \w+_total /);
    const parsed = parseExposition(om, 'openmetrics');
    expect(parsed.families.get('test_odd_ratio')).toMatchObject({ type: 'gauge', unit: 'ratio' });
    expect(parsed.families.get('test_queue_depth')?.unit).toBeUndefined();
    const text = await rt.expose('text');
    expect(text).not.toContain('# UNIT');
    expect(text).toContain('# TYPE test_agent_calls_total counter\n');
  });

  it('includes prom-client default metrics in both formats, with exactly one # EOF at the very end', async () => {
    const rt = runtime(true);
    const om = await rt.expose('openmetrics');
    const parsedOm = parseExposition(om, 'openmetrics'); // throws unless one trailing # EOF
    expect(om.match(/^# EOF$/gm)).toHaveLength(1);
    expect(parsedOm.families.get('process_cpu_user_seconds')?.type).toBe('counter');
    expect(samplesOf(parsedOm, 'process_cpu_user_seconds_total')).toHaveLength(1);
    const text = await rt.expose('text');
    const parsedText = parseExposition(text, 'text');
    expect(text).not.toContain('# EOF');
    expect(samplesOf(parsedText, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samplesOf(parsedText, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
    // Left out on purpose: promtool rejects gauges named _total.
    expect(parsedText.families.has('nodejs_active_handles_total')).toBe(false);
    expect(parsedText.families.has('nodejs_active_handles')).toBe(true);
  });

  it('keeps prom-client counters named _total in text after an OpenMetrics scrape', async () => {
    const rt = runtime(true);
    const jobs = new PromCounter({ name: 'app_jobs_total', help: 'Jobs.', registers: [rt.registry] });
    jobs.inc(3);
    await rt.expose('openmetrics');
    const text = await rt.expose('text');
    expect(valueOf(parseExposition(text, 'text'), 'app_jobs_total')).toBe(3);
    expect(valueOf(parseExposition(text, 'text'), 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    const om = parseExposition(await rt.expose('openmetrics'), 'openmetrics');
    expect(valueOf(om, 'app_jobs_total')).toBe(3);
    expect(om.families.get('app_jobs')?.type).toBe('counter');
  });

  it('leaves out a prom-client metric whose name clashes with a catalogue metric', async () => {
    const rt = runtime();
    const clash = new PromGauge({ name: 'test_queue_depth', help: 'impostor', registers: [rt.registry] });
    clash.set(99);
    for (const format of FORMATS) {
      const parsed = parseExposition(await rt.expose(format), format); // throws on a duplicate family
      expect(parsed.families.get('test_queue_depth')?.help).toBe('Tasks waiting.');
      expect(samplesOf(parsed, 'test_queue_depth').every((s) => s.value !== 99)).toBe(true);
    }
  });
});

describe('scrape duration', () => {
  it('observes the duration of each exposition in seconds', async () => {
    const rt = runtime(true);
    await rt.expose('text');
    await rt.expose('openmetrics');
    const h = rt.histogram(SCRAPE);
    expect(h.count(0)).toBe(2);
    expect(h.sum(0)).toBeGreaterThan(0);
    expect(h.sum(0)).toBeLessThan(2);
    const parsed = parseExposition(await rt.expose('text'), 'text');
    expect(valueOf(parsed, 'test_scrape_duration_seconds_count')).toBe(2);
  });

  it('refuses a scrape-duration metric that is not a label-less histogram', () => {
    expect(() => new MetricsRuntime(SPECS, { defaultMetrics: false, scrapeDurationMetric: 'test_latency_seconds' })).toThrow(/histogram without labels/);
    expect(() => new MetricsRuntime(SPECS, { defaultMetrics: false, scrapeDurationMetric: 'nope' })).toThrow(/histogram without labels/);
  });
});

describe('promtool check metrics', () => {
  it('finds nothing in the text exposition, default metrics and odd values included', async () => {
    const rt = runtime(true);
    record(rt);
    const { status, output } = promtoolCheckMetrics(await rt.expose('text'));
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('does report a broken exposition (the check can fail)', () => {
    const { status, output } = promtoolCheckMetrics('# TYPE broken_gauge_total gauge\nbroken_gauge_total 1\n');
    expect(output).toContain('_total');
    expect(status).not.toBe(0);
  });
});

describe('the Python client\'s OpenMetrics parser (a second, independent reader)', () => {
  it('reads the OpenMetrics exposition, default metrics and odd values included', async () => {
    const rt = runtime(true);
    record(rt);
    expect(pythonOpenMetricsCheck(await rt.expose('openmetrics'))).toEqual({ status: 0, output: '' });
  });

  it('reads the OpenMetrics exposition of a fresh runtime, every series at 0', async () => {
    expect(pythonOpenMetricsCheck(await runtime().expose('openmetrics'))).toEqual({ status: 0, output: '' });
  });

  it('does reject a broken exposition (the check can fail), naming the line', () => {
    const { status, output } = pythonOpenMetricsCheck('# TYPE broken counter\nbroken_total -1\n# EOF\n');
    expect(output).toContain('broken_total -1');
    expect(status).toBe(1);
    // The text format is no OpenMetrics: no `# EOF`.
    expect(pythonOpenMetricsCheck('# TYPE fine counter\nfine_total 1\n').status).toBe(1);
  });
});

describe('prom-client JSON (the AggregatorRegistry contract)', () => {
  it('has prom-client JSON shape, aggregator sum, with histograms as _bucket/_sum/_count', async () => {
    const rt = runtime();
    record(rt);
    const json = await rt.getMetricsAsJSON();
    const latency = json.find((m) => m.name === 'test_latency_seconds')!;
    expect(latency).toMatchObject({ type: 'histogram', help: 'Agent latency.', aggregator: 'sum' });
    expect(latency.values).toContainEqual({ value: 2, labels: { agent: 'gemini', le: '+Inf' }, metricName: 'test_latency_seconds_bucket' });
    expect(latency.values).toContainEqual({ value: 1, labels: { agent: 'gemini', le: 1 }, metricName: 'test_latency_seconds_bucket' });
    expect(latency.values).toContainEqual({ value: 2, labels: { agent: 'gemini' }, metricName: 'test_latency_seconds_count' });
    const calls = json.find((m) => m.name === 'test_agent_calls_total')!;
    expect(calls.values).toContainEqual({ value: 4, labels: { agent: 'gemini', operation: 'code' } });
    expect(json.every((m) => m.aggregator === 'sum')).toBe(true);
  });

  it('is summed by AggregatorRegistry.aggregate', async () => {
    const a = runtime();
    const b = runtime();
    record(a);
    record(b);
    b.counter(CALLS).inc(0, 10);
    const registry = AggregatorRegistry.aggregate([await a.getMetricsAsJSON(), await b.getMetricsAsJSON()]);
    const parsed = parseExposition(await registry.metrics(), 'text');
    expect(valueOf(parsed, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(8);
    expect(valueOf(parsed, 'test_agent_calls_total', { agent: 'claude', operation: 'plan' })).toBe(10);
    expect(valueOf(parsed, 'test_latency_seconds_bucket', { agent: 'gemini', le: '+Inf' })).toBe(4);
    expect(valueOf(parsed, 'test_queue_depth', { queue: 'slow' })).toBe(2 * 1054126080);
  });
});
