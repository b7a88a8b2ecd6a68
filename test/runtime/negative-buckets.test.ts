/**
 * Issue 13, fix 2: a histogram with negative bucket bounds that observed a negative value exposed a
 * negative `_sum`, and OpenMetrics parsers rejected the whole scrape. OpenMetrics 1.0: with a
 * negative threshold the MetricPoint MUST NOT contain a sum, and `_count` appears if and only if
 * `_sum` does; so such a histogram exposes its buckets only, in both formats.
 */
import { Histogram as PromHistogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsRuntime } from '../../runtime/index.js';
import type { MetricSpec } from '../../runtime/index.js';
import { pythonOpenMetricsParse } from '../helpers/openmetrics-parser.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const SPECS: readonly MetricSpec[] = [
  {
    name: 'neg_quality_improvement_score',
    type: 'histogram',
    help: 'Change in quality score.',
    unit: 'score',
    labels: [{ name: 'agent', values: ['claude', 'gemini'] }],
    buckets: [-10, -5, 0, 5, 10],
  },
  { name: 'neg_latency_seconds', type: 'histogram', help: 'Latency.', unit: 'seconds', labels: [], buckets: [0, 0.5, 1] },
];

function recorded(): MetricsRuntime {
  const rt = new MetricsRuntime(SPECS, { namespace: 'neg', defaultMetrics: false });
  rt.histogram(0).observe(0, -8);
  rt.histogram(0).observe(0, -8);
  rt.histogram(0).observe(1, 3);
  rt.histogram(1).observe(0, 0.2);
  return rt;
}

describe('histograms with negative bucket bounds', () => {
  it('pass the Python OpenMetrics parser after negative observations', async () => {
    const rt = recorded();
    const om = await rt.expose('openmetrics');
    const { status, output } = pythonOpenMetricsParse(om);
    expect(output).not.toMatch(/Error/);
    expect(status, output).toBe(0);
    expect(output).toContain('neg_quality_improvement_score histogram neg_quality_improvement_score_bucket\n');
    rt.close();
  });

  it.each(['text', 'openmetrics'] as const)('expose buckets only, with the count in le="+Inf" (%s)', async (format) => {
    const rt = recorded();
    const exposition = await rt.expose(format);
    expect(exposition).not.toMatch(/^neg_quality_improvement_score_(sum|count)/m);
    expect(exposition).toMatch(/^neg_quality_improvement_score_bucket\{agent="claude",le="-5(\.0)?"\} 2$/m);
    expect(exposition).toMatch(/^neg_quality_improvement_score_bucket\{agent="claude",le="\+Inf"\} 2$/m);
    // A histogram whose lowest bound is 0 is not concerned: its sum cannot go negative.
    expect(exposition).toMatch(/^neg_latency_seconds_sum 0\.2$/m);
    expect(exposition).toMatch(/^neg_latency_seconds_count 1$/m);
    if (format === 'text') {
      const { status, output } = promtoolCheckMetrics(exposition);
      expect(status, output).toBe(0);
    }
    rt.close();
  });

  it('keep the sum in storage, so summary() averages stay exact', async () => {
    const rt = recorded();
    expect(rt.histogram(0).sum(0)).toBe(-16);
    expect(rt.histogram(0).count(0)).toBe(2);
    rt.close();
  });

  it("drop the sum and count of the application's own prom-client histograms with negative bounds too", async () => {
    const rt = new MetricsRuntime(SPECS, { namespace: 'neg', defaultMetrics: false });
    const registry: Registry = rt.registry;
    const own = new PromHistogram({ name: 'app_temperature_delta_celsius', help: 'Own.', buckets: [-5, 0, 5], registers: [registry] });
    own.observe(-3);
    const om = await rt.expose('openmetrics');
    expect(om).not.toMatch(/^app_temperature_delta_celsius_(sum|count)/m);
    expect(om).toMatch(/^app_temperature_delta_celsius_bucket\{le="-5\.0"\} 0$/m);
    const { status, output } = pythonOpenMetricsParse(om);
    expect(status, output).toBe(0);
    rt.close();
  });
});
