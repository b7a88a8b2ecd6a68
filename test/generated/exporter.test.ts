/**
 * The generated module on the real runtime: every series the catalogue allows is there from the
 * start, what the typed API records is exactly what the exposition says, promtool finds nothing,
 * and bad input from JavaScript callers is dropped and counted, never a new series.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARDS, METRIC_SPECS, createMetrics, createRecorder, startMetricsServer } from '../../generated/metrics.js';
import type { Metrics } from '../../generated/metrics.js';
import { MetricsInputError } from '../../runtime/index.js';
import type { MetricSpec } from '../../runtime/index.js';
import { pythonOpenMetricsCheck } from '../helpers/openmetrics-python.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { closeServer, portOf, request } from '../runtime/helpers/http.js';
import { parseExposition, samplesOf, valueOf } from '../runtime/helpers/parse.js';
import type { Server } from 'node:http';

const DROPPED = 'lazybird_metrics_dropped_total';
const REASONS = 8; // unknown_label_value … overflow, invalid_exemplar

/** The contract from DESIGN.md: camelCase of the name without the namespace. */
function propertyOf(spec: MetricSpec): string {
  return spec.name.replace(/^lazybird_/, '').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function combinations(spec: MetricSpec): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const label of spec.labels) out = out.flatMap((base) => label.values.map((value) => ({ ...base, [label.name]: value })));
  return out;
}

/** OpenMetrics 1.0: a histogram with a negative bucket threshold has no _sum (and so no _count). */
function exposesSum(spec: MetricSpec): boolean {
  return !(spec.buckets ?? []).some((bound) => bound < 0);
}

function samplesPerSeries(spec: MetricSpec): number {
  return spec.type === 'histogram' ? (spec.buckets?.length ?? 0) + 1 + (exposesSum(spec) ? 2 : 0) : 1;
}

/** Untyped access, as a JavaScript caller has it. */
function untyped(metrics: Metrics, spec: MetricSpec): Record<string, (...args: unknown[]) => unknown> {
  return (metrics as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>)[propertyOf(spec)]!;
}

async function scrape(metrics: Metrics) {
  const text = await metrics.runtime.expose('text');
  return { text, parsed: parseExposition(text, 'text') };
}


const declaredSamples = METRIC_SPECS.reduce((sum, spec) => sum + combinations(spec).length * samplesPerSeries(spec), 0);
const catalogueSampleCount = declaredSamples + METRIC_SPECS.length * REASONS;

function catalogueSamples(parsed: ReturnType<typeof parseExposition>) {
  return parsed.samples.filter((s) => s.name.startsWith('lazybird_'));
}

describe('a fresh createMetrics()', () => {
  it('exports every series the catalogue allows, at 0, and nothing else', async () => {
    const { parsed } = await scrape(createMetrics({ defaultMetrics: false }));
    const ours = catalogueSamples(parsed);
    expect(ours).toHaveLength(catalogueSampleCount);
    for (const spec of METRIC_SPECS) {
      const names = spec.type === 'histogram' ? [`${spec.name}_bucket`, `${spec.name}_sum`, `${spec.name}_count`] : [spec.name];
      const samples = ours.filter((s) => names.includes(s.name));
      expect(samples, spec.name).toHaveLength(combinations(spec).length * samplesPerSeries(spec));
      expect(samples.every((s) => s.value === 0)).toBe(true);
    }
    expect(samplesOf(parsed, DROPPED)).toHaveLength(METRIC_SPECS.length * REASONS);
  });

  it('passes promtool check metrics with no finding, and the Python OpenMetrics parser, default process metrics included', async () => {
    const { text } = await scrape(createMetrics());
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
    expect(pythonOpenMetricsCheck(await createMetrics().runtime.expose('openmetrics'))).toEqual({ status: 0, output: '' });
  });
});

describe('after a workload that touches every series through the typed API', () => {
  const metrics = createMetrics({ defaultMetrics: false, strict: true });
  // Each series gets a value of its own, so a value landing in the wrong series shows.
  const expected = new Map<string, number>();
  METRIC_SPECS.forEach((spec, id) => {
    const api = untyped(metrics, spec);
    combinations(spec).forEach((labels, index) => {
      const value = id * 1000 + index + 1;
      const args = spec.labels.length > 0 ? [labels] : [];
      if (spec.type === 'counter') api['inc']!(...args, value);
      else if (spec.type === 'gauge') api['set']!(...args, value + 0.5);
      else {
        // One observation exactly on the first bound, one above the last: +Inf only.
        const buckets = spec.buckets ?? [];
        api['observe']!(...args, buckets[0]);
        api['observe']!(...args, (buckets.at(-1) ?? 0) + value);
      }
      expected.set(`${spec.name}${JSON.stringify(labels)}`, value);
    });
  });

  it('exposes exactly the recorded values in every series', async () => {
    const { parsed } = await scrape(metrics);
    for (const spec of METRIC_SPECS) {
      for (const labels of combinations(spec)) {
        const value = expected.get(`${spec.name}${JSON.stringify(labels)}`)!;
        if (spec.type === 'counter') expect(valueOf(parsed, spec.name, labels)).toBe(value);
        else if (spec.type === 'gauge') expect(valueOf(parsed, spec.name, labels)).toBe(value + 0.5);
        else {
          const buckets = spec.buckets ?? [];
          if (exposesSum(spec)) {
            expect(valueOf(parsed, `${spec.name}_count`, labels)).toBe(2);
            expect(valueOf(parsed, `${spec.name}_sum`, labels)).toBeCloseTo(buckets[0]! + buckets.at(-1)! + value, 9);
          } else {
            expect(samplesOf(parsed, `${spec.name}_sum`, labels)).toEqual([]);
            expect(samplesOf(parsed, `${spec.name}_count`, labels)).toEqual([]);
          }
          const bucketSamples = samplesOf(parsed, `${spec.name}_bucket`, labels);
          expect(bucketSamples.map((s) => s.value)).toEqual([...buckets.map(() => 1), 2]);
        }
      }
    }
    // Nothing was dropped along the way.
    expect(samplesOf(parsed, DROPPED).every((s) => s.value === 0)).toBe(true);
    expect(catalogueSamples(parsed)).toHaveLength(catalogueSampleCount);
  });

  it('still passes promtool and the Python OpenMetrics parser, in both formats the negotiation can give', async () => {
    const { text } = await scrape(metrics);
    expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
    const openMetrics = await metrics.runtime.expose('openmetrics');
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
    expect(pythonOpenMetricsCheck(openMetrics)).toEqual({ status: 0, output: '' });
    expect(parseExposition(openMetrics, 'openmetrics').samples.filter((s) => s.name.startsWith('lazybird_'))).toHaveLength(catalogueSampleCount);
  });
});

describe('guards, from a JavaScript caller', () => {
  const dropped = (parsed: ReturnType<typeof parseExposition>, metric: string, reason: string) => valueOf(parsed, DROPPED, { metric, reason });

  it('records an unknown value of a label with an overflow value as that value', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    untyped(metrics, METRIC_SPECS.find((s) => s.name === 'lazybird_agent_latency_seconds')!)['observe']!({ agent: 'nobody' }, 3);
    const { parsed } = await scrape(metrics);
    expect(valueOf(parsed, 'lazybird_agent_latency_seconds_count', { agent: 'other' })).toBe(1);
    expect(dropped(parsed, 'lazybird_agent_latency_seconds', 'unknown_label_value')).toBe(0);
    expect(catalogueSamples(parsed)).toHaveLength(catalogueSampleCount);
  });

  it('drops and counts an unknown value of a closed label, and bad numbers, never adding a series', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const size = untyped(metrics, METRIC_SPECS.find((s) => s.name === 'lazybird_cache_size_bytes')!);
    const calls = untyped(metrics, METRIC_SPECS.find((s) => s.name === 'lazybird_agent_calls_total')!);
    const queue = untyped(metrics, METRIC_SPECS.find((s) => s.name === 'lazybird_task_queue_depth')!);
    size['set']!({ cache_layer: 'l4' }, 10);
    size['set']!({ cache_layer: 'redis' }, NaN);
    size['set']!({ cache_layer: 'redis' }, Infinity);
    calls['inc']!({ agent: 'claude', operation: 'fix' }, -1);
    calls['inc']!({ agent: 'claude', operation: 'fix' }, '5');
    queue['set']!(undefined);
    expect(() => calls['inc']!(undefined)).not.toThrow();
    expect(() => calls['inc']!(null, 2)).not.toThrow();
    const { parsed } = await scrape(metrics);
    expect(dropped(parsed, 'lazybird_cache_size_bytes', 'unknown_label_value')).toBe(1);
    expect(dropped(parsed, 'lazybird_cache_size_bytes', 'non_finite_value')).toBe(2);
    expect(dropped(parsed, 'lazybird_agent_calls_total', 'negative_increment')).toBe(1);
    expect(dropped(parsed, 'lazybird_agent_calls_total', 'not_a_number')).toBe(1);
    expect(dropped(parsed, 'lazybird_task_queue_depth', 'not_a_number')).toBe(1);
    // Missing labels object: agent and operation are unknown, so they overflow to "other".
    expect(valueOf(parsed, 'lazybird_agent_calls_total', { agent: 'other', operation: 'other' })).toBe(3);
    expect(valueOf(parsed, 'lazybird_agent_calls_total', { agent: 'claude', operation: 'fix' })).toBe(0);
    expect(samplesOf(parsed, 'lazybird_cache_size_bytes').every((s) => s.value === 0)).toBe(true);
    expect(catalogueSamples(parsed)).toHaveLength(catalogueSampleCount);
  });

  it('throws MetricsInputError in strict mode, also for a value that would overflow', () => {
    const metrics = createMetrics({ defaultMetrics: false, strict: true });
    const latency = untyped(metrics, METRIC_SPECS.find((s) => s.name === 'lazybird_agent_latency_seconds')!);
    expect(() => latency['observe']!({ agent: 'nobody' }, 1)).toThrow(MetricsInputError);
    expect(() => metrics.typeErrorsTotal.inc(-2)).toThrow(/negative/);
    expect(() => metrics.taskQueueDepth.set(NaN)).toThrow(MetricsInputError);
  });
});

describe('the recorder', () => {
  it('updates every metric an event names, with the event fields', async () => {
    const metrics = createMetrics({ defaultMetrics: false, strict: true });
    const recorder = createRecorder(metrics);
    recorder.recordAgentCall({ agent: 'gemini', operation: 'review', latencySeconds: 1.5, costUsd: 0.25, tokens: 900 });
    recorder.recordAgentCall({ agent: 'gemini', operation: 'review', latencySeconds: 2.5, costUsd: 0.5, tokens: 100 });
    recorder.recordEvaluation({
      durationSeconds: 4,
      vulnerabilitiesCritical: 1,
      vulnerabilitiesHigh: 2,
      vulnerabilitiesMedium: 3,
      vulnerabilitiesLow: 4,
      typeErrors: 5,
      testFailures: 6,
    });
    recorder.recordCheckpointFailure({ checkpoint: '2' });
    recorder.recordAgentSwitch({ fromAgent: 'claude', toAgent: 'local', qualityImprovement: 7, costRatio: 0.4 });
    const { parsed } = await scrape(metrics);
    expect(valueOf(parsed, 'lazybird_agent_latency_seconds_count', { agent: 'gemini' })).toBe(2);
    expect(valueOf(parsed, 'lazybird_agent_latency_seconds_sum', { agent: 'gemini' })).toBe(4);
    expect(valueOf(parsed, 'lazybird_agent_calls_total', { agent: 'gemini', operation: 'review' })).toBe(2);
    expect(valueOf(parsed, 'lazybird_api_cost_usd_total', { agent: 'gemini', operation: 'review' })).toBe(0.75);
    expect(valueOf(parsed, 'lazybird_agent_tokens_total', { agent: 'gemini' })).toBe(1000);
    expect(valueOf(parsed, 'lazybird_agent_call_cost_usd_sum', { agent: 'gemini' })).toBe(0.75);
    for (const [severity, count] of [['critical', 1], ['high', 2], ['medium', 3], ['low', 4]] as const) {
      expect(valueOf(parsed, 'lazybird_security_vulnerabilities_total', { severity })).toBe(count);
    }
    expect(valueOf(parsed, 'lazybird_type_errors_total')).toBe(5);
    expect(valueOf(parsed, 'lazybird_test_failures_total')).toBe(6);
    expect(valueOf(parsed, 'lazybird_checkpoint_failures_total', { checkpoint: '2' })).toBe(1);
    expect(valueOf(parsed, 'lazybird_early_terminations_total')).toBe(1);
    expect(valueOf(parsed, 'lazybird_agent_switches_total', { from_agent: 'claude', to_agent: 'local' })).toBe(1);
    expect(valueOf(parsed, 'lazybird_agent_switch_cost_ratio', { from_agent: 'claude', to_agent: 'local' })).toBe(0.4);
  });

  it('never throws on a missing event outside strict mode', () => {
    const recorder = createRecorder(createMetrics({ defaultMetrics: false }));
    expect(() => (recorder.recordTaskCompletion as (e: unknown) => void)(undefined)).not.toThrow();
  });
});

describe('summary()', () => {
  it('is null before anything is recorded', () => {
    const summary = createMetrics({ defaultMetrics: false }).summary();
    expect(summary).toEqual({ averageQualityScore: null, averageTaskDurationSeconds: null, taskSuccessRatio: null, totalCostUsd: 0, cacheHitRatio: null });
  });

  it('computes averages, ratios and totals from what was recorded', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    const tasks = [
      { outcome: 'success', quality: 90, duration: 40 },
      { outcome: 'success', quality: 80, duration: 50 },
      { outcome: 'failure', quality: 40, duration: 90 },
      { outcome: 'success', quality: 70, duration: 20 },
    ] as const;
    for (const t of tasks) {
      recorder.recordTaskCompletion({ outcome: t.outcome, agent: 'claude', durationSeconds: t.duration, qualityScore: t.quality, costUsd: 0.07, testCoverageRatio: 0.8 });
    }
    recorder.recordAgentCall({ agent: 'claude', operation: 'refine', latencySeconds: 1, costUsd: 0.5, tokens: 10 });
    recorder.recordAgentCall({ agent: 'codex', operation: 'fix', latencySeconds: 1, costUsd: 0.25, tokens: 10 });
    for (const [layer, result] of [['memory', 'hit'], ['redis', 'hit'], ['disk', 'miss'], ['memory', 'miss'], ['memory', 'hit']] as const) {
      recorder.recordCacheLookup({ cacheLayer: layer, result, durationSeconds: 0.001 });
    }
    expect(metrics.summary()).toEqual({
      averageQualityScore: (90 + 80 + 40 + 70) / 4,
      averageTaskDurationSeconds: (40 + 50 + 90 + 20) / 4,
      taskSuccessRatio: 3 / 4,
      totalCostUsd: 0.75,
      cacheHitRatio: 3 / 5,
    });
  });
});

describe('startMetricsServer from the generated module', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await closeServer(server);
    server = undefined;
  });

  it('serves /metrics by negotiation and /dashboard with the generated dashboards', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.typeErrorsTotal.inc(2);
    server = await startMetricsServer(metrics, { port: 0, host: '127.0.0.1', grafanaUrl: 'http://grafana.local:3000' });
    const port = portOf(server);
    const text = await request(port, 'GET', '/metrics');
    expect(text.status).toBe(200);
    expect(valueOf(parseExposition(text.body, 'text'), 'lazybird_type_errors_total')).toBe(2);
    const om = await request(port, 'GET', '/metrics', { accept: 'application/openmetrics-text; version=1.0.0' });
    expect(om.headers['content-type']).toContain('application/openmetrics-text');
    expect(valueOf(parseExposition(om.body, 'openmetrics'), 'lazybird_type_errors_total')).toBe(2);
    const dashboard = JSON.parse((await request(port, 'GET', '/dashboard')).body) as { dashboards: { uid: string; url: string }[] };
    expect(dashboard.dashboards.map((d) => d.uid)).toEqual(DASHBOARDS.map((d) => d.uid));
    expect(dashboard.dashboards[0]?.url).toBe(`http://grafana.local:3000/d/${DASHBOARDS[0]?.uid}`);
    // The scrape itself was timed into the export-duration histogram.
    const again = parseExposition((await request(port, 'GET', '/metrics')).body, 'text');
    expect(valueOf(again, 'lazybird_metrics_export_duration_seconds_count')).toBeGreaterThanOrEqual(2);
  });
});
