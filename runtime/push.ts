/**
 * Pushing to a Prometheus Pushgateway, for batch jobs that end before any scrape.
 */
import { Pushgateway } from 'prom-client';
import { RuntimeRegistry } from './registry-adapter.js';
import type { MetricsRuntime } from './runtime.js';
import { TEXT_CONTENT_TYPE } from './negotiate.js';

/** Options of {@link pushMetrics}. */
export interface PushOptions {
  /** Base URL of the Pushgateway, e.g. `http://pushgateway:9091`. */
  readonly url: string;
  readonly jobName: string;
  /** Extra grouping key labels, e.g. `{ instance: 'batch-7' }`. */
  readonly groupings?: Readonly<Record<string, string>>;
  /**
   * `'push'` (PUT, the default) replaces every metric of the group, so the gateway holds exactly this
   * exposition; `'pushAdd'` (POST) replaces only the metrics of the same names.
   */
  readonly method?: 'push' | 'pushAdd';
  /** Request timeout in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
}

/**
 * Pushes the runtime's text exposition (prom-client metrics included) through prom-client's
 * Pushgateway client. Resolves when the gateway accepted it; rejects on a network error, a timeout
 * or an HTTP status >= 400.
 */
export async function pushMetrics(runtime: MetricsRuntime, options: PushOptions): Promise<void> {
  // prom-client sends no Content-Type of its own; say which format the body is in.
  const gateway = new Pushgateway(
    options.url,
    { timeout: options.timeoutMs ?? 10_000, headers: { 'Content-Type': TEXT_CONTENT_TYPE } },
    new RuntimeRegistry(runtime),
  );
  const params = {
    jobName: options.jobName,
    ...(options.groupings === undefined ? {} : { groupings: { ...options.groupings } }),
  };
  await (options.method === 'pushAdd' ? gateway.pushAdd(params) : gateway.push(params));
}
