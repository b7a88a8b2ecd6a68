/**
 * The review's findings on the generated module: a label object or event with a throwing getter threw
 * through the recording call, and `createMetrics()` 10 000 times grew the process by 1.6 GB with no
 * way to release an instance.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { METRIC_SPECS, createMetrics, createRecorder } from '../../generated/metrics.js';
import type { AgentCallEvent, AgentCallsTotalLabels, Metrics } from '../../generated/metrics.js';
import { MetricsInputError } from '../../runtime/index.js';
import type { DropReason } from '../../runtime/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/create-and-close.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MB = 1e6;

/** The metrics recordAgentCall records, as metrics.yaml lists them. */
const AGENT_CALL_METRICS = [
  'lazybird_agent_latency_seconds',
  'lazybird_agent_calls_total',
  'lazybird_api_cost_usd_total',
  'lazybird_agent_tokens_total',
  'lazybird_agent_call_cost_usd',
];

function dropped(metrics: Metrics, name: string, reason: DropReason): number {
  const id = METRIC_SPECS.findIndex((s) => s.name === name);
  expect(id, name).toBeGreaterThanOrEqual(0);
  return metrics.runtime.dropped(id, reason);
}

function throwingLabels(): AgentCallsTotalLabels {
  return {
    agent: 'claude',
    get operation(): never {
      throw new Error('getter');
    },
  };
}

function throwingEvent(): AgentCallEvent {
  return {
    agent: 'claude',
    operation: 'fix',
    latencySeconds: 1,
    costUsd: 0.5,
    get tokens(): never {
      throw new Error('getter');
    },
  };
}

describe('a label object or event whose getter throws', () => {
  it('is dropped and counted as unreadable_input, never thrown, by every method of a labeled metric', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(() => {
      metrics.agentCallsTotal.inc(throwingLabels());
      metrics.agentCallsTotal.inc(throwingLabels(), 2);
      metrics.agentLatencySeconds.observe({ get agent(): never { throw new Error('getter'); } }, 1);
      metrics.agentLatencySeconds.startTimer({ get agent(): never { throw new Error('getter'); } })();
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      metrics.agentCallsTotal.inc(revoked.proxy as AgentCallsTotalLabels);
    }).not.toThrow();
    expect(dropped(metrics, 'lazybird_agent_calls_total', 'unreadable_input')).toBe(3);
    expect(dropped(metrics, 'lazybird_agent_latency_seconds', 'unreadable_input')).toBe(2);
    expect(metrics.agentCallsTotal).toBeDefined();
    // Nothing was recorded, and the next good call is.
    metrics.agentCallsTotal.inc({ agent: 'claude', operation: 'fix' });
    expect(metrics.runtime.counter(METRIC_SPECS.findIndex((s) => s.name === 'lazybird_agent_calls_total')).data.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('drops the whole event, counted once for each metric it records', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    expect(() => recorder.recordAgentCall(throwingEvent())).not.toThrow();
    for (const name of AGENT_CALL_METRICS) expect(dropped(metrics, name, 'unreadable_input'), name).toBe(1);
    const latency = metrics.runtime.histogram(METRIC_SPECS.findIndex((s) => s.name === 'lazybird_agent_latency_seconds'));
    expect(latency.data.every((v) => v === 0)).toBe(true);
  });

  it('throws MetricsInputError (unreadable_input) in strict mode, and strict errors of its own pass through unchanged', () => {
    const metrics = createMetrics({ defaultMetrics: false, strict: true });
    const recorder = createRecorder(metrics);
    expect(() => metrics.agentCallsTotal.inc(throwingLabels())).toThrow(MetricsInputError);
    try {
      recorder.recordAgentCall(throwingEvent());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MetricsInputError);
      expect(err).toMatchObject({ reason: 'unreadable_input' });
      expect((err as Error).cause).toMatchObject({ message: 'getter' });
    }
    try {
      metrics.agentCallsTotal.inc({ agent: 'claude', operation: 'deploy' } as unknown as AgentCallsTotalLabels);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ name: 'MetricsInputError', reason: 'unknown_label_value' });
    }
  });
});

describe('close()', () => {
  it('releases an instance: later calls are ignored, Symbol.dispose does the same', async () => {
    const metrics = createMetrics({ defaultMetrics: false, strict: true });
    const recorder = createRecorder(metrics);
    metrics.close();
    expect(() => {
      metrics.agentCallsTotal.inc({ agent: 'claude', operation: 'fix' });
      recorder.recordAgentCall({ agent: 'claude', operation: 'fix', latencySeconds: 1, costUsd: 1, tokens: 1 });
    }).not.toThrow();
    await expect(metrics.runtime.expose('text')).rejects.toThrow(/closed/);
    const other = createMetrics({ defaultMetrics: false });
    other[Symbol.dispose]();
    expect(other.runtime.isClosed).toBe(true);
  });

  async function createAndClose(env: Record<string, string>): Promise<{ heap: number; rss: number; kept: number }> {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--conditions=lazybird-metrics:source', '--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return JSON.parse(stdout) as { heap: number; rss: number; kept: number };
  }

  it('keeps the heap bounded over 500 instances created and closed', async () => {
    const [closed, kept, unclosed] = await Promise.all([
      createAndClose({ COUNT: '500' }),
      createAndClose({ COUNT: '500', KEEP: '1' }),
      createAndClose({ COUNT: '500', CLOSE: '0' }),
    ]);
    const mb = (bytes: number): string => (bytes / MB).toFixed(1);
    console.log(
      `500 instances: closed heap +${mb(closed.heap)} MB RSS +${mb(closed.rss)} MB; closed and kept heap +${mb(kept.heap)} MB; ` +
        `dropped unclosed heap +${mb(unclosed.heap)} MB RSS +${mb(unclosed.rss)} MB`,
    );
    expect(closed.heap).toBeLessThan(5 * MB);
    expect(closed.rss).toBeLessThan(100 * MB);
    // An open instance of the seed catalogue holds about 0.45 MB (225 MB for 500); a closed one only
    // its typed API's functions, about 60 kB.
    expect(kept.kept).toBe(500);
    expect(kept.heap).toBeLessThan(50 * MB);
    // Dropped without close: nothing of prom-client's default collectors stays behind per instance
    // (before, each left a GC observer of about 15 kB and an event-loop-delay monitor).
    // Its RSS is not a witness: Node 24's V8 keeps the freed pages of 500 dropped instances mapped
    // (about 150 MB) while the heap they left behind stays under 5 MB.
    expect(unclosed.heap).toBeLessThan(5 * MB);
  }, 300_000);
});
