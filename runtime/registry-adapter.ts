/**
 * A prom-client `Registry` that serves a MetricsRuntime, for prom-client APIs that insist on a real
 * Registry: `AggregatorRegistry.setRegistries` checks `instanceof Registry`, and `Pushgateway` calls
 * `metrics()` on whatever registry it is given.
 */
import { Registry } from 'prom-client';
import type { MetricsRuntime } from './runtime.js';

type RegistryJSON = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Read-only view of a runtime as a prom-client Registry (text format). Register your own prom-client
 * metrics on `runtime.registry`, not on this adapter: it serves only what the runtime exposes.
 */
export class RuntimeRegistry extends Registry {
  constructor(private readonly runtime: MetricsRuntime) {
    super();
  }

  /** The runtime's Prometheus text exposition, prom-client default metrics included. */
  override metrics(): Promise<string> {
    return this.runtime.expose('text');
  }

  /** The runtime's metrics in prom-client's JSON shape, for AggregatorRegistry. */
  override async getMetricsAsJSON(): Promise<RegistryJSON> {
    // prom-client types `type` as a numeric enum; the values are the same strings it uses itself.
    return (await this.runtime.getMetricsAsJSON()) as unknown as RegistryJSON;
  }
}
