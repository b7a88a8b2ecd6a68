/**
 * Value fields of events (issue 13, fix 1): a missing or non-number value is dropped and counted as
 * `not_a_number` for inc-by, dec-by, set and observe, never recorded as the default step of 1; an
 * optional field that is absent skips its record without a drop.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { METRIC_SPECS, createMetrics, createRecorder } from '../../generated/metrics.js';
import { generate, ModuleDir, output } from '../hostile/helpers/outputs.js';

const idOf = (name: string): number => METRIC_SPECS.findIndex((s) => s.name === name);

describe('value fields of the seed catalogue’s events', () => {
  it('a missing `by` field of inc adds nothing and is counted, for every metric the event records', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    recorder.recordAgentCall({ agent: 'claude', operation: 'fix' } as never);
    const drops = { count: (id: number, reason: 'not_a_number') => metrics.runtime.dropped(id, reason) };
    // agent calls count the call itself (inc without `by`): recorded.
    expect(metrics.runtime.counter(idOf('lazybird_agent_calls_total')).value(0 * 5 + 3)).toBe(1);
    // cost (inc by cost_usd) and tokens (inc by tokens): nothing added, one not_a_number drop each.
    expect(metrics.runtime.counter(idOf('lazybird_api_cost_usd_total')).value(0 * 5 + 3)).toBe(0);
    expect(metrics.runtime.counter(idOf('lazybird_agent_tokens_total')).value(0)).toBe(0);
    expect(drops.count(idOf('lazybird_api_cost_usd_total'), 'not_a_number')).toBe(1);
    expect(drops.count(idOf('lazybird_agent_tokens_total'), 'not_a_number')).toBe(1);
    // observe of a missing latency and cost: dropped the same way.
    expect(drops.count(idOf('lazybird_agent_latency_seconds'), 'not_a_number')).toBe(1);
    expect(drops.count(idOf('lazybird_agent_call_cost_usd'), 'not_a_number')).toBe(1);
    expect(drops.count(idOf('lazybird_agent_calls_total'), 'not_a_number')).toBe(0);
  });

  it('a value field that is not a number is dropped for set and inc-by, and strict mode throws', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    recorder.recordAgentSwitch({ fromAgent: 'claude', toAgent: 'local', qualityImprovement: 2, costRatio: '0.4' } as never);
    recorder.recordEvaluation({ durationSeconds: 1, vulnerabilitiesCritical: null, vulnerabilitiesHigh: 1, vulnerabilitiesMedium: 0, vulnerabilitiesLow: 0, typeErrors: 0, testFailures: 0 } as never);
    const drops = { count: (id: number, reason: 'not_a_number') => metrics.runtime.dropped(id, reason) };
    expect(drops.count(idOf('lazybird_agent_switch_cost_ratio'), 'not_a_number')).toBe(1);
    expect(metrics.runtime.gauge(idOf('lazybird_agent_switch_cost_ratio')).value(0 * 6 + 4)).toBe(0);
    expect(drops.count(idOf('lazybird_security_vulnerabilities_total'), 'not_a_number')).toBe(1);
    expect(metrics.runtime.counter(idOf('lazybird_security_vulnerabilities_total')).value(0)).toBe(0);
    expect(metrics.runtime.counter(idOf('lazybird_security_vulnerabilities_total')).value(1)).toBe(1);

    const strict = createRecorder(createMetrics({ defaultMetrics: false, strict: true }));
    expect(() => strict.recordAgentCall({ agent: 'claude', operation: 'fix', latencySeconds: 1, costUsd: 0.1 } as never)).toThrow(/tokens_total.*not_a_number/);
  });
});

describe('a catalogue with dec-by and an optional field', () => {
  const dir = new ModuleDir(fileURLToPath(new URL('.', import.meta.url)));
  afterAll(() => dir.cleanup());
  const yaml = `
namespace: shop
labels:
  queue: { description: Queue., values: [mail, billing] }
groups:
  jobs: { title: Jobs }
metrics:
  jobs_waiting:
    type: gauge
    group: jobs
    help: Jobs waiting.
    unit: count
    labels: [queue]
  jobs_taken_total:
    type: counter
    group: jobs
    help: Jobs taken.
    unit: count
    labels: [queue]
  job_wait_seconds:
    type: histogram
    group: jobs
    help: Wait of a job.
    unit: seconds
    buckets: [1, 10]
events:
  jobs_taken:
    description: Jobs were taken from a queue.
    fields:
      queue: { label: queue }
      count: { type: number }
      wait_seconds: { type: number, optional: true }
    records:
      - { dec: jobs_waiting, by: count }
      - { inc: jobs_taken_total, by: count }
      - { observe: job_wait_seconds, value: wait_seconds }
`;

  it('drops a missing dec-by field, and skips an absent optional field silently', async () => {
    const module = await dir.import(output(generate(yaml).outputs, 'generated/metrics.ts'));
    const metrics = module.createMetrics({ defaultMetrics: false });
    const recorder = module.createRecorder(metrics);
    const record = recorder['recordJobsTaken']!;
    record({ queue: 'billing', count: 3, waitSeconds: 2 });
    record({ queue: 'billing', count: 2 });
    record({ queue: 'billing' });
    const runtime = metrics.runtime as unknown as import('../../runtime/index.js').MetricsRuntime;
    expect(runtime.gauge(0).value(1)).toBe(-5);
    expect(runtime.counter(1).value(1)).toBe(5);
    expect(runtime.histogram(2).count(0)).toBe(1);
    expect(runtime.dropped(0, 'not_a_number')).toBe(1);
    expect(runtime.dropped(1, 'not_a_number')).toBe(1);
    expect(runtime.dropped(2, 'not_a_number')).toBe(0);
  });
});
