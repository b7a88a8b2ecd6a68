/**
 * The demo application: the generated metrics, the simulated workload driving them, and an HTTP
 * server with the generated handler (`/metrics`, `/health`, `/dashboard`) plus `/faults`.
 */
import http from 'node:http';
import type { Server } from 'node:http';
import { createMetrics, createRecorder, metricsHandler } from '../generated/metrics.js';
import type { Metrics, Service } from '../generated/metrics.js';
import { FaultSet, handleFaultRequest } from './faults.js';
import type { FaultName } from './faults.js';
import { createRandom } from './random.js';
import { Workload } from './workload.js';

export interface DemoAppOptions {
  readonly port: number;
  readonly host: string;
  readonly rate: number;
  readonly seed: number;
  readonly cycleSeconds: number;
  readonly faults: readonly FaultName[];
  readonly failingService: Service;
  /** Where fault changes are reported. */
  readonly log?: (line: string) => void;
}

export interface DemoApp {
  readonly server: Server;
  /** The address actually bound (port 0 resolved). */
  readonly port: number;
  readonly url: string;
  readonly metrics: Metrics;
  readonly faults: FaultSet;
  readonly workload: Workload;
  /** Stops the workload and the server; resolves once every connection is closed. */
  stop(): Promise<void>;
}

const TICK_MS = 100;

const INDEX = `LazyBird demo: a simulated workload recording through generated/metrics.ts

GET    /metrics          Prometheus text format (OpenMetrics with Accept: application/openmetrics-text)
GET    /health           {"status":"healthy"}
GET    /dashboard        the Grafana dashboards generated from the same catalogue
GET    /faults           active and available faults
POST   /faults/NAME      turn a fault on  (degradation, spike, errors, silence)
DELETE /faults/NAME      turn it off
DELETE /faults           turn all off
`;

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const metrics = createMetrics();
  const recorder = createRecorder(metrics);
  const faults = new FaultSet(options.faults);
  const workload = new Workload(metrics, recorder, createRandom(options.seed), faults, { rate: options.rate, cycleSeconds: options.cycleSeconds, failingService: options.failingService }, performance.now());
  const serveMetrics = metricsHandler(metrics);

  const server = http.createServer((req, res) => {
    if (handleFaultRequest(faults, req, res, options.log)) return;
    if ((req.url ?? '/').split('?', 1)[0] === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(INDEX));
      res.end(req.method === 'HEAD' ? undefined : INDEX);
      return;
    }
    serveMetrics(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;

  workload.tick(performance.now());
  const timer = setInterval(() => workload.tick(performance.now()), TICK_MS);

  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${urlHost(options.host)}:${port}`,
    metrics,
    faults,
    workload,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeIdleConnections();
        // Scrapers keep connections alive; give in-flight responses a moment, then cut the rest.
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
      return stopping;
    },
  };
}

/** A host as it appears in a URL; wildcard addresses become loopback, which is what a local client can reach. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
