/**
 * The review's HTTP findings, in process: port and host validation, nosniff and exact types on every
 * response the runtime writes (Node's own error replies included), no reflected input, a pipelining
 * client that never reads cut off in the user's own server, one rendering shared by concurrent
 * scrapes, the connection cap and the header timeout.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRuntime, metricsHandler, startMetricsServer } from '../../runtime/index.js';
import type { ExpositionFormat, MetricsServerOptions, MetricsSource } from '../../runtime/index.js';
import { closeServer, portOf, request } from './helpers/http.js';
import { CALLS, SPECS } from './helpers/specs.js';

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map(closeServer));
});

function runtime(): MetricsRuntime {
  const rt = new MetricsRuntime(SPECS, { namespace: 'test', defaultMetrics: false });
  rt.counter(CALLS).inc(1, 7);
  return rt;
}

async function serve(source: MetricsSource, options: Partial<MetricsServerOptions> = {}): Promise<number> {
  const server = await startMetricsServer(source, { port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return portOf(server);
}

/** Sends raw bytes and collects whatever comes back until the server closes or `ms` pass. */
function raw(port: number, bytes: string, ms = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    sockets.push(socket);
    let received = '';
    const timer = setTimeout(() => resolve(received), ms);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

function headerOf(response: string, name: string): string | undefined {
  const head = response.split('\r\n\r\n', 1)[0]!;
  return head
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
}

describe('startMetricsServer validates port and host', () => {
  it.each([
    [{ port: 'abc' }, TypeError, /port must be an integer from 0 to 65535, got "abc"/],
    [{ port: 1.5 }, TypeError, /port must be an integer/],
    [{ port: Number.NaN }, TypeError, /port must be an integer/],
    [{ port: undefined }, TypeError, /port must be an integer/],
    [{ port: -1 }, RangeError, /port must be from 0 to 65535, got -1/],
    [{ port: 65536 }, RangeError, /got 65536/],
    [{ host: '' }, TypeError, /host must be a non-empty address/],
    [{ host: '  ' }, TypeError, /host must be a non-empty address/],
    [{ host: undefined }, TypeError, /host must be a non-empty address/],
    [{ maxConnections: 0 }, RangeError, /maxConnections must be a positive integer, got 0/],
    [{ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 }, RangeError, /requestTimeoutMs \(1000\) must not be below headersTimeoutMs \(5000\)/],
  ] as const)('rejects %o', async (bad, type, message) => {
    const options = { port: 0, host: '127.0.0.1', ...bad } as unknown as MetricsServerOptions;
    const started = startMetricsServer(runtime(), options);
    await expect(started).rejects.toThrow(type);
    await expect(started).rejects.toThrow(message);
  });
});

describe('every response', () => {
  it('has nosniff, no-store and an exact Content-Type, on every route and method', async () => {
    const failing: MetricsSource = { expose: () => Promise.reject(new Error('boom')) };
    const port = await serve(runtime(), { dashboards: [{ uid: 'u', title: 't' }] });
    const failingPort = await serve(failing);
    const cases = [
      [port, 'GET', '/metrics', 200, 'text/plain; version=0.0.4; charset=utf-8'],
      [port, 'HEAD', '/metrics', 200, 'text/plain; version=0.0.4; charset=utf-8'],
      [port, 'GET', '/health', 200, 'application/json; charset=utf-8'],
      [port, 'HEAD', '/dashboard', 200, 'application/json; charset=utf-8'],
      [port, 'GET', '/dashboard', 200, 'application/json; charset=utf-8'],
      [port, 'GET', '/nope', 404, 'text/plain; charset=utf-8'],
      [port, 'POST', '/metrics', 405, 'text/plain; charset=utf-8'],
      [failingPort, 'GET', '/metrics', 500, 'text/plain; charset=utf-8'],
    ] as const;
    for (const [p, method, path, status, type] of cases) {
      const reply = await request(p, method, path);
      expect(reply.status, `${method} ${path}`).toBe(status);
      expect(reply.headers['content-type'], `${method} ${path}`).toBe(type);
      expect(reply.headers['x-content-type-options'], `${method} ${path}`).toBe('nosniff');
      expect(reply.headers['cache-control'], `${method} ${path}`).toBe('no-store');
    }
  });

  it("has nosniff also where Node answers by itself: bad request, huge headers, Expect, no Host", async () => {
    const port = await serve(runtime());
    const cases = [
      ['GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
      [`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['GET /metrics HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n', 417],
      ['GET /health HTTP/1.1\r\nConnection: close\r\n\r\n', 200],
    ] as const;
    for (const [bytes, status] of cases) {
      const response = await raw(port, bytes);
      expect(response.slice(0, 12), JSON.stringify(bytes.slice(0, 60))).toBe(`HTTP/1.1 ${status}`);
      expect(headerOf(response, 'X-Content-Type-Options')).toBe('nosniff');
      expect(headerOf(response, 'Content-Type')).toMatch(/^(text\/plain|application\/json); charset=utf-8$/);
    }
  });

  it('never echoes the request', async () => {
    const port = await serve(runtime());
    const marker = '<script>alert(1)</script>';
    for (const [method, path] of [['GET', `/x${encodeURIComponent(marker)}`], ['PUT', `/metrics?${encodeURIComponent(marker)}`]] as const) {
      const reply = await request(port, method, path, { 'x-marker': marker, accept: marker });
      expect(reply.body).not.toMatch(/script|marker|%3C/i);
      expect(JSON.stringify(reply.headers)).not.toMatch(/script|%3C/i);
    }
  });
});

describe('metricsHandler in the user\'s own node:http server', () => {
  it('cuts a connection that pipelines without reading, and keeps serving others', async () => {
    // 256 kB a response, as a large catalogue gives: 500 of them cannot all sit in socket buffers.
    const large: MetricsSource = { expose: () => Promise.resolve(`# ${'x'.repeat(254)}\n`.repeat(1024)) };
    const server = http.createServer(metricsHandler(large));
    servers.push(server);
    const serverSockets: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => serverSockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);

    const attacker = net.connect({ host: '127.0.0.1', port });
    sockets.push(attacker);
    attacker.on('error', () => {});
    attacker.pause();
    await new Promise((resolve) => attacker.once('connect', resolve));
    attacker.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(500));
    const cut = serverSockets[0]!;
    // Generous: the cut happens on the ninth request; without it the socket stays open.
    if (!cut.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        cut.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    expect(cut.destroyed).toBe(true);
    expect((await request(port, 'GET', '/metrics')).status).toBe(200);
  });

  it('serves a client that pipelines a few requests and reads them', async () => {
    const port = await serve(runtime());
    const response = await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(5) + 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response.split('HTTP/1.1 200 OK').length - 1).toBe(6);
  });
});

describe('concurrent scrapes', () => {
  it('share one rendering of each format', async () => {
    let renderings = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const rt = runtime();
    const slow: MetricsSource = {
      async expose(format: ExpositionFormat) {
        renderings++;
        await gate;
        return rt.expose(format);
      },
    };
    const server = http.createServer(metricsHandler(slow));
    servers.push(server);
    let arrived = 0;
    const allArrived = new Promise<void>((resolve) => server.on('request', () => ++arrived === 20 && resolve()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);
    const replies = Array.from({ length: 20 }, (_, i) =>
      request(port, 'GET', '/metrics', i % 2 === 0 ? {} : { accept: 'application/openmetrics-text' }),
    );
    await allArrived;
    release();
    const bodies = (await Promise.all(replies)).map((r) => r.body);
    expect(renderings).toBe(2);
    expect(new Set(bodies).size).toBe(2);
    // Later scrapes render afresh.
    await request(port, 'GET', '/metrics');
    expect(renderings).toBe(3);
  });
});

describe('connections', () => {
  it('at the cap, a new connection replaces the one idle longest; a scrape gets through', async () => {
    const port = await serve(runtime(), { maxConnections: 3 });
    const slow = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const socket = net.connect({ host: '127.0.0.1', port });
        sockets.push(socket);
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
        return socket;
      }),
    );
    const closed = new Promise((resolve) => slow[0]!.once('close', resolve));
    expect((await request(port, 'GET', '/metrics')).status).toBe(200);
    await closed;
    expect(slow[0]!.destroyed).toBe(true);
  });

  it('answers 408 with nosniff to a client that does not finish its headers in time', async () => {
    const port = await serve(runtime(), { headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const response = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n', 10_000);
    expect(response.slice(0, 12)).toBe('HTTP/1.1 408');
    expect(headerOf(response, 'X-Content-Type-Options')).toBe('nosniff');
  });
});
