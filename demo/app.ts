/**
 * The demo application: the generated metrics, the simulated workload driving them, and an HTTP
 * server with the generated handler (`/metrics`, `/health`, `/dashboard`) plus `/faults`.
 */
import type { Server } from 'node:http';
import { createMetrics, createRecorder, metricsHandler } from '../generated/metrics.js';
import type { Metrics, Service } from '../generated/metrics.js';
import { handleFaultRequest } from '../generator/simulate/faults.js';
import { pathOf, sendText, startHttpApp } from '../generator/simulate/http.js';
import { createRandom } from '../generator/simulate/random.js';
import { demoFaults } from './faults.js';
import type { DemoFaults, FaultName } from './faults.js';
import { Workload } from './workload.js';

export { urlHost } from '../generator/simulate/http.js';

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
  readonly faults: DemoFaults;
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
  const faults = demoFaults(options.faults);
  const workload = new Workload(metrics, recorder, createRandom(options.seed), faults, { rate: options.rate, cycleSeconds: options.cycleSeconds, failingService: options.failingService }, performance.now());
  const serveMetrics = metricsHandler(metrics);

  const app = await startHttpApp({
    port: options.port,
    host: options.host,
    handle(req, res) {
      if (handleFaultRequest(faults, req, res, options.log)) return;
      if (pathOf(req) === '/' && (req.method === 'GET' || req.method === 'HEAD')) return sendText(req, res, 200, INDEX);
      serveMetrics(req, res);
    },
  });

  workload.tick(performance.now());
  const timer = setInterval(() => workload.tick(performance.now()), TICK_MS);

  return {
    server: app.server,
    port: app.port,
    url: app.url,
    metrics,
    faults,
    workload,
    stop() {
      clearInterval(timer);
      return app.stop();
    },
  };
}
