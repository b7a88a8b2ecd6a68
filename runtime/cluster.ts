/**
 * node:cluster support: each worker records into its own MetricsRuntime; the primary asks every
 * worker for its metrics in prom-client's JSON shape, sums them with prom-client's
 * `AggregatorRegistry.aggregate`, and serves the result in any format.
 *
 * The primary does not use `AggregatorRegistry#clusterMetrics()` because that only returns the text
 * format, rendered by prom-client. It uses its own message types, so it can run next to
 * prom-client's protocol: a worker can also answer a primary that uses AggregatorRegistry by passing
 * `new RuntimeRegistry(runtime)` to `AggregatorRegistry.setRegistries`.
 *
 * Exemplars travel beside the JSON (which has no place for them), by metric name and label values;
 * the primary serves the latest per series and bucket over all processes. prom-client's own protocol
 * (AggregatorRegistry) carries none.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { ClusterExemplar } from './exemplars.js';
import type { ExpositionFormat, TextExpositionFormat } from './family.js';
import { metricsHandler } from './http.js';
import type { MetricsHandlerOptions, MetricsRequestHandler } from './http.js';
import type { PromMetricJSON } from './json.js';
import type { MetricsRuntime, MetricsSource } from './runtime.js';

const REQUEST = 'lazybird-metrics:metrics-request';
const RESPONSE = 'lazybird-metrics:metrics-response';

/** Module-wide so that two aggregators in one primary never mistake each other's responses. */
let nextRequestId = 0;

interface RequestMessage {
  type: typeof REQUEST;
  id: number;
}

interface ResponseMessage {
  type: typeof RESPONSE;
  id: number;
  metrics?: PromMetricJSON[];
  exemplars?: ClusterExemplar[];
  error?: string;
}

/** What one worker sent; its exemplars are checked by the primary's runtime before use. */
interface WorkerAnswer {
  readonly metrics: PromMetricJSON[];
  readonly exemplars: readonly unknown[];
}

interface PendingRequest {
  /** Ids of workers that have not answered yet. */
  readonly waiting: Set<number>;
  readonly results: WorkerAnswer[];
  readonly resolve: (results: WorkerAnswer[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Makes this cluster worker answer the primary's metrics requests with `runtime`'s metrics.
 * Returns a function that stops answering.
 * @throws Error when not called in a cluster worker.
 */
export function setupClusterWorker(runtime: MetricsRuntime): () => void {
  if (!cluster.isWorker || typeof process.send !== 'function') {
    throw new Error('setupClusterWorker must be called in a node:cluster worker');
  }
  const reply = (message: ResponseMessage): void => {
    // The callback swallows a closed channel: the primary is gone or shutting us down.
    process.send?.(message, undefined, undefined, () => {});
  };
  const onMessage = (message: unknown): void => {
    if (!isMessage(message, REQUEST)) return;
    const { id } = message as RequestMessage;
    runtime.getMetricsAsJSON({ native: true }).then(
      (metrics) => reply({ type: RESPONSE, id, metrics, exemplars: runtime.clusterExemplars() }),
      (err: unknown) => reply({ type: RESPONSE, id, error: err instanceof Error ? err.message : 'collection failed' }),
    );
  };
  process.on('message', onMessage);
  return () => {
    process.off('message', onMessage);
  };
}

/** Options of {@link ClusterAggregator}. */
export interface ClusterAggregatorOptions {
  /** How long to wait for all workers before failing the scrape. Default 5000 ms, like prom-client. */
  readonly timeoutMs?: number;
}

/**
 * The primary's view: the sum of the primary's own runtime and every connected worker's.
 *
 * Counters and histograms are summed; gauges are summed too (the application's in-flight work is the
 * sum over its processes). prom-client's default metrics follow their own aggregators (CPU and memory
 * summed, event-loop lag averaged, start time omitted). A worker that exits mid-scrape is left out, as
 * its counts are gone anyway; a worker that is alive but silent past the timeout fails the scrape,
 * because a partial sum would look like a counter reset to Prometheus.
 */
export class ClusterAggregator implements MetricsSource {
  private readonly timeoutMs: number;
  private readonly pending = new Map<number, PendingRequest>();

  /** @throws Error when not called in the cluster primary. */
  constructor(
    private readonly runtime: MetricsRuntime,
    options: ClusterAggregatorOptions = {},
  ) {
    if (!cluster.isPrimary) throw new Error('ClusterAggregator must be created in the node:cluster primary');
    this.timeoutMs = options.timeoutMs ?? 5000;
    cluster.on('message', this.onMessage);
    cluster.on('exit', this.onExit);
  }

  /** The aggregate exposition in the given format. Rejects when a worker fails or times out. */
  expose(format: TextExpositionFormat): Promise<string>;
  expose(format: 'protobuf'): Promise<Uint8Array>;
  expose(format: ExpositionFormat): Promise<string | Uint8Array>;
  async expose(format: ExpositionFormat): Promise<string | Uint8Array> {
    const started = performance.now();
    const { metrics, exemplars } = await this.gather(true);
    return this.runtime.renderAggregate(metrics, format, started, exemplars);
  }

  /** The aggregate in prom-client's JSON shape (classic histogram buckets only, as prom-client has). */
  async getMetricsAsJSON(): Promise<PromMetricJSON[]> {
    return (await this.gather(false)).metrics;
  }

  /**
   * The summed JSON of the primary and the workers, and all their exemplars; with `native`, native
   * histogram buckets too (see Family#absorbJSON).
   */
  private async gather(native: boolean): Promise<{ metrics: PromMetricJSON[]; exemplars: unknown[] }> {
    const [own, workers] = await Promise.all([this.runtime.getMetricsAsJSON({ native }), this.collect()]);
    if (!native) for (const worker of workers) for (const metric of worker.metrics) stripNative(metric);
    const aggregated = AggregatorRegistry.aggregate([own, ...workers.map((w) => w.metrics)]);
    const exemplars = [...this.runtime.clusterExemplars(), ...workers.flatMap((w) => w.exemplars)];
    return { metrics: (await aggregated.getMetricsAsJSON()) as unknown as PromMetricJSON[], exemplars };
  }

  /** Stops listening to the cluster and fails any scrape in progress. */
  close(): void {
    cluster.off('message', this.onMessage);
    cluster.off('exit', this.onExit);
    for (const id of [...this.pending.keys()]) this.finish(id, new Error('cluster aggregator closed'));
  }

  private collect(): Promise<WorkerAnswer[]> {
    const workers = Object.values(cluster.workers ?? {}).filter(
      (w): w is Worker => w !== undefined && w.isConnected(),
    );
    if (workers.length === 0) return Promise.resolve([]);
    const id = nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.finish(id, new Error(`workers did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.pending.set(id, { waiting: new Set(workers.map((w) => w.id)), results: [], resolve, reject, timer });
      const request: RequestMessage = { type: REQUEST, id };
      for (const worker of workers) {
        // A send failure means the worker is going away: count it as having nothing to add.
        worker.send(request, (err) => {
          if (err !== null) this.answered(id, worker.id, undefined);
        });
      }
    });
  }

  private readonly onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage(message, RESPONSE)) return;
    const response = message as ResponseMessage;
    if (typeof response.error === 'string') {
      this.finish(response.id, new Error(`worker ${worker.id} failed to collect metrics`));
      return;
    }
    const exemplars = Array.isArray(response.exemplars) ? response.exemplars : [];
    this.answered(response.id, worker.id, Array.isArray(response.metrics) ? { metrics: response.metrics, exemplars } : undefined);
  };

  private readonly onExit = (worker: Worker): void => {
    for (const id of [...this.pending.keys()]) this.answered(id, worker.id, undefined);
  };

  private answered(id: number, workerId: number, answer: WorkerAnswer | undefined): void {
    const request = this.pending.get(id);
    if (request === undefined || !request.waiting.delete(workerId)) return;
    if (answer !== undefined) request.results.push(answer);
    if (request.waiting.size === 0) this.finish(id);
  }

  private finish(id: number, err?: Error): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    clearTimeout(request.timer);
    if (err === undefined) request.resolve(request.results);
    else request.reject(err);
  }
}

/**
 * A {@link metricsHandler} for the cluster primary, serving the aggregate of all workers.
 * Pass the primary's own MetricsRuntime (built from the same specs; it usually records nothing).
 */
export function clusterMetricsHandler(
  runtime: MetricsRuntime,
  options: MetricsHandlerOptions & ClusterAggregatorOptions = {},
): MetricsRequestHandler {
  const aggregatorOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  return metricsHandler(new ClusterAggregator(runtime, aggregatorOptions), options);
}

/** Leaves out the native bucket samples a worker sends (see Family#toJSON). */
function stripNative(metric: PromMetricJSON): void {
  if (Array.isArray(metric.values)) metric.values = metric.values.filter((v) => v?.labels?.['__native_bucket'] === undefined);
}

function isMessage(message: unknown, type: string): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === type &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}
