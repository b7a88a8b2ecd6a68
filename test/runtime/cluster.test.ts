/**
 * A real node:cluster: this test process is the primary and forks two TypeScript workers (through
 * tsx) that record known amounts; the primary's aggregate must show their sums.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterAggregator, MetricsRuntime, clusterMetricsHandler, startMetricsServer } from '../../runtime/index.js';
import { closeServer, portOf, request } from './helpers/http.js';
import { parseExposition, valueOf } from './helpers/parse.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { CALLS, SCRAPE, SPECS } from './helpers/specs.js';

const WORKER = fileURLToPath(new URL('./fixtures/cluster-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const workers: Worker[] = [];
const servers: http.Server[] = [];
const aggregators: ClusterAggregator[] = [];

/** Forks a worker and waits for its ready message (or its death, or 15 s). */
function fork(env: Record<string, string>): Promise<Worker> {
  const worker = cluster.fork(env);
  workers.push(worker);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start within 15 s')), 15_000);
    worker.on('message', (message: { type?: string }) => {
      if (message?.type === 'test:ready') {
        clearTimeout(timer);
        resolve(worker);
      }
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early with code ${code}`));
    });
  });
}

function kill(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.process.kill('SIGKILL');
  });
}

// The primary's own runtime: it records one call of its own, which the aggregate includes.
const primary = new MetricsRuntime(SPECS, { namespace: 'test', scrapeDurationMetric: 'test_scrape_duration_seconds' });
primary.counter(CALLS).inc(3);

beforeAll(async () => {
  cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'], cwd: ROOT, silent: false });
  await Promise.all([fork({ WORKER_FACTOR: '1' }), fork({ WORKER_FACTOR: '2' })]);
}, 180_000);

afterAll(async () => {
  for (const a of aggregators) a.close();
  await Promise.all(servers.map(closeServer));
  await Promise.all(workers.map(kill));
});

describe('node:cluster aggregation', () => {
  it('serves the sum over the workers (and the primary) in both formats', async () => {
    const handler = clusterMetricsHandler(primary);
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);

    for (const format of ['text', 'openmetrics'] as const) {
      const accept = format === 'openmetrics' ? 'application/openmetrics-text' : 'text/plain';
      const reply = await request(port, 'GET', '/metrics', { accept });
      expect(reply.status).toBe(200);
      const p = parseExposition(reply.body, format);
      // workers 3 and 6, plus the primary's own 1
      expect(valueOf(p, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(3 + 6 + 1);
      expect(valueOf(p, 'test_agent_calls_total', { agent: 'claude', operation: 'plan' })).toBe(0);
      expect(valueOf(p, 'test_queue_depth', { queue: 'fast' })).toBe(30);
      expect(valueOf(p, 'test_cost_usd_total')).toBeCloseTo(0.75, 12);
      const one = '1.0';
      expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'claude', le: '0.5' })).toBe(0);
      expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'claude', le: one })).toBe(3);
      expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'claude', le: '+Inf' })).toBe(4);
      expect(valueOf(p, 'test_latency_seconds_count', { agent: 'claude' })).toBe(4);
      expect(valueOf(p, 'test_latency_seconds_sum', { agent: 'claude' })).toBeCloseTo(0.7 * 3 + 20, 10);
      expect(valueOf(p, 'test_latency_seconds_count', { agent: 'gemini' })).toBe(0);
      expect(valueOf(p, 'test_metrics_dropped_total', { metric: 'test_agent_calls_total', reason: 'unknown_label_value' })).toBe(2);
      // prom-client's default metrics, aggregated by their own rules, are served too.
      expect(valueOf(p, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      // The workers' exemplars reach the primary, on their series and bucket, in OpenMetrics only.
      const exemplarLines = reply.body.split('\n').filter((line) => line.includes(' # {'));
      if (format === 'text') expect(exemplarLines).toEqual([]);
      else {
        expect(exemplarLines.map((line) => line.replace(/ [0-9.]+$/, ''))).toEqual([
          'test_latency_seconds_bucket{agent="claude",le="+Inf"} 4 # {trace_id="worker-2-slow",span_id="b7ad6b7169203331"} 20',
          'test_cost_usd_total 0.75 # {trace_id="worker-1-cost"} 0',
        ]);
      }
    }
    // The primary timed its aggregate scrapes (the second saw the first).
    expect(primary.histogram(SCRAPE).count(0)).toBe(2);
  });

  it('renders one aggregate for pipelined scrapes, and cuts a client that pipelines without reading', async () => {
    const server = http.createServer(clusterMetricsHandler(primary));
    servers.push(server);
    const serverSockets: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => serverSockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);

    // Eight requests in one write reach the handler in one go: one round of messages to the workers.
    const before = primary.histogram(SCRAPE).count(0);
    const replies = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () =>
        socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(7) + 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('close', () => resolve(received));
    });
    expect(replies.split('HTTP/1.1 200 OK').length - 1).toBe(8);
    expect(primary.histogram(SCRAPE).count(0) - before).toBe(1);

    const attacker = net.connect({ host: '127.0.0.1', port });
    attacker.on('error', () => {});
    attacker.pause();
    await new Promise((resolve) => attacker.once('connect', resolve));
    attacker.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(500));
    const cut = serverSockets[1]!;
    if (!cut.destroyed) await new Promise((resolve) => cut.once('close', resolve));
    attacker.destroy();
    expect(cut.destroyed).toBe(true);
  });

  it('serves an aggregate promtool finds nothing in', async () => {
    const aggregator = new ClusterAggregator(primary);
    aggregators.push(aggregator);
    const { status, output } = promtoolCheckMetrics(await aggregator.expose('text'));
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it("also works with prom-client's own AggregatorRegistry#clusterMetrics", async () => {
    const text = await new AggregatorRegistry().clusterMetrics();
    const p = parseExposition(text, 'text');
    expect(valueOf(p, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(9);
    expect(valueOf(p, 'test_latency_seconds_bucket', { agent: 'claude', le: '+Inf' })).toBe(4);
  });

  it('fails the scrape when a live worker does not answer in time, then recovers without it', async () => {
    const aggregator = new ClusterAggregator(primary, { timeoutMs: 500 });
    aggregators.push(aggregator);
    const silent = await fork({ WORKER_FACTOR: '100', SILENT: '1' });
    await expect(aggregator.expose('text')).rejects.toThrow(/did not answer/);

    const server = await startMetricsServer(aggregator, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    const failed = await request(portOf(server), 'GET', '/metrics');
    expect(failed.status).toBe(500);
    expect(failed.body).toBe('metrics exposition failed\n');

    await kill(silent);
    const p = parseExposition(await aggregator.expose('text'), 'text');
    expect(valueOf(p, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(10);
  }, 180_000);
});
