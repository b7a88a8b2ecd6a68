/**
 * The HTTP face of the runtime: `/metrics`, `/health` and `/dashboard`, for node:http and Express.
 */
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

/** A request handler for node:http; with Express, an unknown path is passed to `next`. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const ROUTES = new Set(['/metrics', '/health', '/dashboard']);
const JSON_TYPE = 'application/json; charset=utf-8';
const PLAIN_TYPE = 'text/plain; charset=utf-8';

/**
 * Builds the handler. Routes: `GET|HEAD /metrics` (text or OpenMetrics by the Accept header),
 * `GET|HEAD /health`, `GET|HEAD /dashboard`. Unknown paths get 404 (or `next()` under Express),
 * other methods 405 with `Allow: GET, HEAD`. Query strings are ignored. A failing exposition gives a
 * 500 with a one-line body: neither error messages nor stack traces reach the client.
 */
export function metricsHandler(source: MetricsSource, options: MetricsHandlerOptions = {}): MetricsRequestHandler {
  const base = options.grafanaUrl?.replace(/\/+$/, '');
  const dashboards = (options.dashboards ?? []).map((d) => ({
    uid: d.uid,
    title: d.title,
    ...(base === undefined ? {} : { url: `${base}/d/${encodeURIComponent(d.uid)}` }),
  }));
  // `dashboard` repeats the first URL: the shape ADR-010's /dashboard route returned.
  const dashboardBody = JSON.stringify({
    ...(dashboards[0]?.url === undefined ? {} : { dashboard: dashboards[0].url }),
    dashboards,
  });
  const healthBody = JSON.stringify({ status: 'healthy' });

  return (req, res, next) => {
    try {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      if (!ROUTES.has(path)) {
        if (next !== undefined) return next();
        return send(res, req, 404, PLAIN_TYPE, 'not found\n');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, req, 405, PLAIN_TYPE, 'method not allowed\n');
      }
      if (path === '/health') return send(res, req, 200, JSON_TYPE, healthBody);
      if (path === '/dashboard') return send(res, req, 200, JSON_TYPE, dashboardBody);
      const format = negotiate(req.headers.accept);
      res.setHeader('Vary', 'Accept');
      source.expose(format).then(
        (body) => send(res, req, 200, contentType(format), body),
        () => send(res, req, 500, PLAIN_TYPE, 'metrics exposition failed\n'),
      );
    } catch {
      send(res, req, 500, PLAIN_TYPE, 'internal error\n');
    }
  };
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * Starts an HTTP server with {@link metricsHandler}. Resolves once listening; rejects with the listen
 * error (e.g. EADDRINUSE) otherwise.
 */
export function startMetricsServer(source: MetricsSource, options: MetricsServerOptions): Promise<Server> {
  const handlerOptions: MetricsHandlerOptions = {
    ...(options.grafanaUrl === undefined ? {} : { grafanaUrl: options.grafanaUrl }),
    ...(options.dashboards === undefined ? {} : { dashboards: options.dashboards }),
  };
  const server = http.createServer(metricsHandler(source, handlerOptions));
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
}
