/**
 * The HTTP face of the runtime: `/metrics`, `/health` and `/dashboard`, for node:http and Express.
 *
 * Hostile clients are part of the design: the exporter runs inside the user's application, so a few
 * TCP connections must never take it down. See {@link metricsHandler} for what the handler protects
 * in any server, and {@link startMetricsServer} for what only a server of its own can.
 */
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeValue } from './drops.js';
import type { ExpositionFormat } from './family.js';
import { ConnectionGuard, ResponseLimiter } from './limits.js';
import { contentType, negotiate } from './negotiate.js';
import type { MetricsSource } from './runtime.js';

/** A Grafana dashboard the `/dashboard` route points to. */
export interface DashboardLink {
  readonly uid: string;
  readonly title: string;
}

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /** Base URL of Grafana, e.g. `http://grafana:3000`; each dashboard's `url` is `${grafanaUrl}/d/${uid}`. */
  readonly grafanaUrl?: string;
  readonly dashboards?: readonly DashboardLink[];
  /**
   * Requests one connection may have in progress (received, response not yet handed to the OS). A
   * client that pipelines more, typically without reading, is disconnected. Default 8.
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Response bytes one connection may hold unread before a further response disconnects it; a
   * connection holding nothing may always take one response. Default 4 MiB.
   */
  readonly maxBufferedBytesPerConnection?: number;
  /**
   * Response bytes all connections of this handler may hold unread together; past it the
   * connections holding the most are disconnected. Default 64 MiB.
   */
  readonly maxBufferedBytes?: number;
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** An integer from 0 to 65535; 0 picks a free port. */
  readonly port: number;
  /** The address to listen on, e.g. `127.0.0.1` or `0.0.0.0`; never empty. */
  readonly host: string;
  /**
   * Connections open at once. At the cap a new connection replaces the one idle longest (still
   * sending its headers, or kept alive between requests), so slow or idle clients cannot lock a
   * scraper out. Keep it well under the process's file-descriptor limit. Default 256.
   */
  readonly maxConnections?: number;
  /** Time a client has to send a request's headers. Default 10 000 ms. */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send a whole request. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /** A connection on which nothing is sent or received for this long is closed. Default 60 000 ms. */
  readonly idleTimeoutMs?: number;
}

/** A request handler for node:http; with Express, an unknown path is passed to `next`. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const ROUTES = new Set(['/metrics', '/health', '/dashboard']);
const JSON_TYPE = 'application/json; charset=utf-8';
const PLAIN_TYPE = 'text/plain; charset=utf-8';
const MiB = 1024 * 1024;
const DEFAULT_MAX_REQUESTS_PER_CONNECTION = 8;

const NOT_FOUND = Buffer.from('not found\n');
const METHOD_NOT_ALLOWED = Buffer.from('method not allowed\n');
const EXPOSITION_FAILED = Buffer.from('metrics exposition failed\n');
const INTERNAL_ERROR = Buffer.from('internal error\n');
const EXPECTATION_FAILED = Buffer.from('expectation failed\n');

/**
 * Builds the handler. Routes: `GET|HEAD /metrics` (text, OpenMetrics or protobuf by the Accept header),
 * `GET|HEAD /health`, `GET|HEAD /dashboard`. Unknown paths get 404 (or `next()` under Express),
 * other methods 405 with `Allow: GET, HEAD`. Query strings are ignored and nothing from the request
 * is echoed. Every response has an exact Content-Type, `X-Content-Type-Options: nosniff` and
 * `Cache-Control: no-store`. A failing exposition gives a 500 with a one-line body: neither error
 * messages nor stack traces reach the client.
 *
 * Scrapes that arrive while an exposition of the same format is being rendered share its body, so
 * a burst of requests costs one rendering.
 *
 * In any server, including your own node:http or Express server, the handler bounds what a client
 * can make it hold: requests in progress per connection, and unread response bytes per connection
 * and in total (see the options); a connection over a limit is destroyed. What it cannot do is limit
 * connections or time: those belong to the server. In your own server, set `headersTimeout`
 * (e.g. 10 000 ms), `requestTimeout` (30 000 ms), `keepAliveTimeout` (5 000 ms), `timeout`
 * (`server.setTimeout(60_000)`), and a connection limit well under the file-descriptor limit
 * (`server.maxConnections`, which refuses new connections rather than evicting idle ones) - or serve
 * metrics on their own port with {@link startMetricsServer}, which does all of this.
 * @throws RangeError when a limit is not a positive integer.
 */
export function metricsHandler(source: MetricsSource, options: MetricsHandlerOptions = {}): MetricsRequestHandler {
  const base = options.grafanaUrl?.replace(/\/+$/, '');
  const dashboards = (options.dashboards ?? []).map((d) => ({
    uid: d.uid,
    title: d.title,
    ...(base === undefined ? {} : { url: `${base}/d/${encodeURIComponent(d.uid)}` }),
  }));
  // `dashboard` repeats the first URL: the shape ADR-010's /dashboard route returned.
  const dashboardBody = Buffer.from(
    JSON.stringify({
      ...(dashboards[0]?.url === undefined ? {} : { dashboard: dashboards[0].url }),
      dashboards,
    }),
  );
  const healthBody = Buffer.from(JSON.stringify({ status: 'healthy' }));
  const limiter = new ResponseLimiter({
    maxRequestsPerConnection: positiveInteger('maxRequestsPerConnection', options.maxRequestsPerConnection, DEFAULT_MAX_REQUESTS_PER_CONNECTION),
    maxBufferedBytesPerConnection: positiveInteger('maxBufferedBytesPerConnection', options.maxBufferedBytesPerConnection, 4 * MiB),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', options.maxBufferedBytes, 64 * MiB),
  });

  // One rendering per format at a time; requests arriving meanwhile wait for it and share its bytes.
  const rendering = new Map<ExpositionFormat, Promise<Buffer>>();
  const render = (format: ExpositionFormat): Promise<Buffer> => {
    const inProgress = rendering.get(format);
    if (inProgress !== undefined) return inProgress;
    const body = source
      .expose(format)
      .then((exposition) =>
        typeof exposition === 'string'
          ? Buffer.from(exposition, 'utf8')
          : Buffer.from(exposition.buffer, exposition.byteOffset, exposition.byteLength),
      );
    rendering.set(format, body);
    const done = (): void => {
      if (rendering.get(format) === body) rendering.delete(format);
    };
    body.then(done, done);
    return body;
  };

  return (req, res, next) => {
    try {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      if (!ROUTES.has(path) && next !== undefined) return next();
      const load = limiter.admit(req, res);
      if (load === undefined) return;
      const reply = (status: number, type: string, body: Buffer): void => {
        if (res.headersSent || res.destroyed || req.socket.destroyed) return;
        writeHead(res, status, type, body.length);
        if (req.method === 'HEAD') res.end();
        else if (limiter.reserve(load, res, body.length)) res.end(body);
      };
      if (!ROUTES.has(path)) return reply(404, PLAIN_TYPE, NOT_FOUND);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return reply(405, PLAIN_TYPE, METHOD_NOT_ALLOWED);
      }
      if (path === '/health') return reply(200, JSON_TYPE, healthBody);
      if (path === '/dashboard') return reply(200, JSON_TYPE, dashboardBody);
      const format = negotiate(req.headers.accept);
      res.setHeader('Vary', 'Accept');
      render(format).then(
        (body) => reply(200, contentType(format), body),
        () => reply(500, PLAIN_TYPE, EXPOSITION_FAILED),
      );
    } catch {
      if (res.headersSent || res.destroyed) return;
      writeHead(res, 500, PLAIN_TYPE, INTERNAL_ERROR.length);
      res.end(req.method === 'HEAD' ? undefined : INTERNAL_ERROR);
    }
  };
}

function writeHead(res: ServerResponse, status: number, type: string, length: number): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', length);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** Node writes these itself for requests it cannot parse; ours add nosniff and an exact type. */
function clientErrorResponse(code: string | undefined): string {
  const [status, reason] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const body = `${reason.toLowerCase()}\n`;
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PLAIN_TYPE}\r\nContent-Length: ${body.length}\r\n` +
    `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Starts an HTTP server with {@link metricsHandler}. Resolves once listening; rejects with a
 * TypeError or RangeError for a bad `port`, `host` or limit, and with the listen error (e.g.
 * EADDRINUSE) otherwise.
 *
 * Besides the handler's limits, this server caps connections (evicting the idle longest at the cap),
 * closes a connection that pipelines more than `maxRequestsPerConnection` before parsing them, times
 * out slow headers, slow requests and idle connections, and never lets an `accept` failure (EMFILE)
 * crash the process.
 */
export function startMetricsServer(source: MetricsSource, options: MetricsServerOptions): Promise<Server> {
  let server: Server;
  try {
    server = createMetricsServer(source, options);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      // Once listening, the only errors left are failed accepts (EMFILE under a connection flood):
      // the next connection is accepted normally, so they must not crash the application.
      server.on('error', (err: NodeJS.ErrnoException) => {
        if (err.syscall !== 'accept') process.emitWarning(`metrics server: ${err.message}`);
      });
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
}

function createMetricsServer(source: MetricsSource, options: MetricsServerOptions): Server {
  const port: unknown = options.port;
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`startMetricsServer: port must be an integer from 0 to 65535, got ${describeValue(port)}`);
  }
  if (port < 0 || port > 65535) throw new RangeError(`startMetricsServer: port must be from 0 to 65535, got ${port}`);
  const host: unknown = options.host;
  if (typeof host !== 'string' || host.trim() === '') {
    throw new TypeError(
      `startMetricsServer: host must be a non-empty address such as '127.0.0.1' (use '0.0.0.0' to listen on every interface), got ${describeValue(host)}`,
    );
  }
  const headersTimeout = positiveInteger('headersTimeoutMs', options.headersTimeoutMs, 10_000);
  const requestTimeout = positiveInteger('requestTimeoutMs', options.requestTimeoutMs, 30_000);
  if (requestTimeout < headersTimeout) {
    throw new RangeError(`startMetricsServer: requestTimeoutMs (${requestTimeout}) must not be below headersTimeoutMs (${headersTimeout})`);
  }
  const cap = new ConnectionGuard(
    positiveInteger('maxConnections', options.maxConnections, 256),
    positiveInteger('maxRequestsPerConnection', options.maxRequestsPerConnection, DEFAULT_MAX_REQUESTS_PER_CONNECTION),
  );
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: positiveInteger('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 5_000),
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
      // Node's own 400 for a missing Host header lacks our headers; the routes do not need Host.
      requireHostHeader: false,
    },
    metricsHandler(source, options),
  );
  server.setTimeout(positiveInteger('idleTimeoutMs', options.idleTimeoutMs, 60_000));
  server.on('connection', cap.onConnection);
  server.on('request', cap.onRequest);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Mid-response, a raw error reply would corrupt the stream; a reset peer cannot read one.
    if (err.code === 'ECONNRESET' || !socket.writable || cap.isBusy(socket)) socket.destroy();
    else socket.end(clientErrorResponse(err.code), () => socket.destroy());
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    writeHead(res, 417, PLAIN_TYPE, EXPECTATION_FAILED.length);
    res.end(req.method === 'HEAD' ? undefined : EXPECTATION_FAILED);
  });
  return server;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}
