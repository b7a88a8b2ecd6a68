import http from 'node:http';
import { Gauge as PromGauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRuntime, metricsHandler, startMetricsServer } from '../../runtime/index.js';
import type { MetricsSource } from '../../runtime/index.js';
import { closeServer, portOf, request } from './helpers/http.js';
import { parseExposition, valueOf } from './helpers/parse.js';
import { CALLS, SPECS } from './helpers/specs.js';

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

async function serve(source: MetricsSource, options: Parameters<typeof metricsHandler>[1] = {}): Promise<number> {
  const server = await startMetricsServer(source, { port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return portOf(server);
}

function runtime(): MetricsRuntime {
  const rt = new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics: false });
  rt.counter(CALLS).inc(1, 7);
  return rt;
}

describe('GET /metrics', () => {
  it('serves the text format by default, and ignores the query string', async () => {
    const port = await serve(runtime());
    for (const path of ['/metrics', '/metrics?name[]=x&debug=1']) {
      const reply = await request(port, 'GET', path);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(reply.body));
      expect(reply.headers.vary).toBe('Accept');
      expect(valueOf(parseExposition(reply.body, 'text'), 'test_agent_calls_total', { agent: 'claude', operation: 'code' })).toBe(7);
    }
  });

  it('serves OpenMetrics when the Accept header asks for it', async () => {
    const port = await serve(runtime());
    const reply = await request(port, 'GET', '/metrics', {
      accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const parsed = parseExposition(reply.body, 'openmetrics');
    expect(valueOf(parsed, 'test_agent_calls_total', { agent: 'claude', operation: 'code' })).toBe(7);
    const lowQ = await request(port, 'GET', '/metrics', { accept: 'application/openmetrics-text;q=0.1,text/plain' });
    expect(lowQ.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('answers HEAD with the headers and no body', async () => {
    const port = await serve(runtime());
    const reply = await request(port, 'HEAD', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(Number(reply.headers['content-length'])).toBeGreaterThan(100);
    expect(reply.body).toBe('');
  });

  it('gives 500 with a one-line body and no error details when the exposition fails', async () => {
    const failing: MetricsSource = { expose: () => Promise.reject(new Error('secret at /srv/app.js:12')) };
    const port = await serve(failing);
    const reply = await request(port, 'GET', '/metrics');
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('metrics exposition failed\n');

    // The real failure path: a prom-client collector that throws during collection.
    const rt = runtime();
    new PromGauge({ name: 'broken', help: 'h', registers: [rt.registry], collect() { throw new Error('secret'); } });
    const port2 = await serve(rt);
    const reply2 = await request(port2, 'GET', '/metrics');
    expect(reply2.status).toBe(500);
    expect(reply2.body.trimEnd().split('\n')).toHaveLength(1);
    expect(reply2.body).not.toMatch(/secret|Error|at /);
  });
});

describe('other routes', () => {
  it('GET and HEAD /health', async () => {
    const port = await serve(runtime());
    const get = await request(port, 'GET', '/health?probe=1');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(get.body)).toEqual({ status: 'healthy' });
    const head = await request(port, 'HEAD', '/health');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('GET /dashboard lists dashboards with Grafana URLs', async () => {
    const dashboards = [
      { uid: 'lazybird-overview', title: 'LazyBird overview' },
      { uid: 'lazybird-cost', title: 'Cost' },
    ];
    const port = await serve(runtime(), { grafanaUrl: 'http://grafana:3000/', dashboards });
    const reply = await request(port, 'GET', '/dashboard');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      dashboard: 'http://grafana:3000/d/lazybird-overview',
      dashboards: [
        { uid: 'lazybird-overview', title: 'LazyBird overview', url: 'http://grafana:3000/d/lazybird-overview' },
        { uid: 'lazybird-cost', title: 'Cost', url: 'http://grafana:3000/d/lazybird-cost' },
      ],
    });
    const noGrafana = await serve(runtime(), { dashboards });
    expect(JSON.parse((await request(noGrafana, 'GET', '/dashboard')).body)).toEqual({ dashboards });
  });

  it('404 for unknown paths', async () => {
    const port = await serve(runtime());
    for (const path of ['/', '/metrics/', '/Metrics', '/healthz', '/metrics.json']) {
      const reply = await request(port, 'GET', path);
      expect(reply.status, path).toBe(404);
    }
  });

  it('405 with Allow: GET, HEAD for other methods', async () => {
    const port = await serve(runtime());
    for (const [method, path] of [['POST', '/metrics'], ['PUT', '/health'], ['DELETE', '/dashboard'], ['PATCH', '/metrics']] as const) {
      const reply = await request(port, method, path);
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
  });

  it('passes unknown paths to next() when mounted as Express-style middleware', async () => {
    const handler = metricsHandler(runtime());
    const server = http.createServer((req, res) =>
      handler(req, res, () => {
        res.statusCode = 418;
        res.end('next');
      }),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect((await request(portOf(server), 'GET', '/elsewhere')).status).toBe(418);
    expect((await request(portOf(server), 'GET', '/health')).status).toBe(200);
  });
});

describe('startMetricsServer', () => {
  it('rejects when the port is in use', async () => {
    const port = await serve(runtime());
    await expect(startMetricsServer(runtime(), { port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('resolves with a listening server', async () => {
    const port = await serve(runtime());
    expect(port).toBeGreaterThan(0);
    expect((await request(port, 'GET', '/health')).status).toBe(200);
  });
});
