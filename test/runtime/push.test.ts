import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRuntime, pushMetrics } from '../../runtime/index.js';
import { closeServer, portOf } from './helpers/http.js';
import { parseExposition, valueOf } from './helpers/parse.js';
import { CALLS, SPECS } from './helpers/specs.js';

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

/** A stand-in Pushgateway that records what it receives and answers with `status`. */
async function fakeGateway(status: number): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body });
      res.statusCode = status;
      res.end(status >= 400 ? 'nope' : '');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: portOf(server), received };
}

function runtime(): MetricsRuntime {
  const rt = new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics: false });
  rt.counter(CALLS).inc(3, 5);
  return rt;
}

describe('pushMetrics', () => {
  it('PUTs the text exposition to /metrics/job/<job>/<grouping...>', async () => {
    const gateway = await fakeGateway(200);
    await pushMetrics(runtime(), {
      url: `http://127.0.0.1:${gateway.port}`,
      jobName: 'nightly batch',
      groupings: { instance: 'worker/1' },
    });
    expect(gateway.received).toHaveLength(1);
    const [push] = gateway.received;
    expect(push!.method).toBe('PUT');
    expect(push!.url).toBe('/metrics/job/nightly%20batch/instance/worker%2F1');
    expect(push!.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const parsed = parseExposition(push!.body, 'text');
    expect(valueOf(parsed, 'test_agent_calls_total', { agent: 'gemini', operation: 'code' })).toBe(5);
  });

  it('POSTs with method pushAdd', async () => {
    const gateway = await fakeGateway(202);
    await pushMetrics(runtime(), { url: `http://127.0.0.1:${gateway.port}/`, jobName: 'j', method: 'pushAdd' });
    expect(gateway.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /metrics/job/j']);
  });

  it('rejects when the gateway answers with an error status', async () => {
    const gateway = await fakeGateway(500);
    await expect(pushMetrics(runtime(), { url: `http://127.0.0.1:${gateway.port}`, jobName: 'j' })).rejects.toThrow(/500/);
  });

  it('rejects when nothing listens', async () => {
    const gateway = await fakeGateway(200);
    await closeServer(servers.pop()!);
    await expect(pushMetrics(runtime(), { url: `http://127.0.0.1:${gateway.port}`, jobName: 'j' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
