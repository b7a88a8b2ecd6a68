/**
 * The simulator without a server: the specs it builds are the generated module's, a seed repeats a
 * run, and the values are plausible for the test catalogue (test/catalogues/http-service), which is
 * not derived from metrics.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { METRIC_SPECS } from '../../generated/metrics.js';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/model.js';
import { FaultSet } from '../../generator/simulate/faults.js';
import { normalQuantile, SIMULATION_FAULTS, Simulator } from '../../generator/simulate/simulator.js';
import type { SimulationFault } from '../../generator/simulate/simulator.js';
import { createCatalogueRuntime, metricSpecs } from '../../generator/simulate/specs.js';
import type { Exemplar } from '../../runtime/index.js';
import { Counter, Histogram } from '../../runtime/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const HTTP_CATALOGUE = join(ROOT, 'test', 'catalogues', 'http-service', 'metrics.yaml');

function compile(path: string): Catalog {
  const { catalog, diagnostics } = compileCatalog(readFileSync(path, 'utf8'), path);
  if (!catalog) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return catalog;
}

/** Samples of an exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return map;
}

async function run(catalog: Catalog, seed: number, seconds: number, faults: readonly SimulationFault[] = []): Promise<Map<string, number>> {
  return (await runFromStart(catalog, seed, seconds, faults)).end;
}

/**
 * The exposition right after start (every series touched once) and after `seconds` of 0.1 s steps,
 * and what grew in between: what Prometheus's rate() and increase() see.
 */
async function runFromStart(catalog: Catalog, seed: number, seconds: number, faults: readonly SimulationFault[] = []): Promise<{ start: Map<string, number>; end: Map<string, number>; growth: Map<string, number> }> {
  const target = createCatalogueRuntime(catalog, { defaultMetrics: false });
  const simulator = new Simulator(catalog, target, { seed, faults: new FaultSet(SIMULATION_FAULTS, faults) });
  const start = samples(await target.runtime.expose('text'));
  for (let i = 0; i < seconds * 10; i++) simulator.advance(0.1);
  const end = samples(await target.runtime.expose('text'));
  return { start, end, growth: new Map([...end].map(([k, v]) => [k, v - (start.get(k) ?? 0)])) };
}

const sum = (map: Map<string, number>, pattern: RegExp): number => [...map].filter(([k]) => pattern.test(k)).reduce((s, [, v]) => s + v, 0);

describe('simulate: specs', () => {
  it('builds from metrics.yaml exactly the METRIC_SPECS of the generated module', () => {
    expect(metricSpecs(compile(join(ROOT, 'metrics.yaml')))).toEqual(METRIC_SPECS);
  });
});

describe('simulate: values', () => {
  const catalog = compile(HTTP_CATALOGUE);

  it('repeats a run for a seed, and another seed gives other values', async () => {
    const a = await run(catalog, 11, 5);
    expect(await run(catalog, 11, 5)).toEqual(a);
    expect(await run(catalog, 12, 5)).not.toEqual(a);
  });

  it('records every series of the catalogue with values its type and unit allow', async () => {
    const { end: values, growth } = await runFromStart(catalog, 5, 30);
    const [target] = [createCatalogueRuntime(catalog, { defaultMetrics: false })];
    for (const spec of target.specs) {
      const series = spec.labels.reduce((n, l) => n * l.values.length, 1);
      if (spec.type === 'histogram') {
        const counts = [...values].filter(([k]) => k.startsWith(`${spec.name}_count`));
        expect(counts, spec.name).toHaveLength(series);
        // The scrape-duration histogram is the runtime's to observe; every other series has data.
        for (const [key, count] of counts) expect(count, key).toBeGreaterThan(0);
      } else {
        const own = [...values].filter(([k]) => k === spec.name || k.startsWith(`${spec.name}{`));
        expect(own, spec.name).toHaveLength(series);
        for (const [key, value] of own) {
          expect(Number.isFinite(value), key).toBe(true);
          if (spec.type === 'counter') expect(value, key).toBeGreaterThan(0);
          if (spec.unit === 'ratio') expect(value >= 0 && value <= 1, `${key} = ${value}`).toBe(true);
          if (spec.unit === 'bytes') expect(value, key).toBeGreaterThan(1024);
        }
      }
    }
    // Events tie metrics together: one request counted is one request timed and one body sized.
    const requests = sum(growth, /^checkout_http_server_requests_total\{/);
    expect(requests).toBeGreaterThan(100);
    expect(sum(growth, /^checkout_http_server_request_duration_seconds_count\{/)).toBe(requests);
    expect(sum(growth, /^checkout_http_server_response_body_size_bytes_count\{/)).toBe(requests);
  });

  it('keeps every alert of the catalogue calm, and the errors and slow faults push them over', async () => {
    const calm = (await runFromStart(catalog, 9, 60)).growth;
    const errorShare = (v: Map<string, number>): number => sum(v, /^checkout_http_server_requests_total\{.*status_class="5xx"/) / sum(v, /^checkout_http_server_requests_total\{/);
    const dependencyErrors = (v: Map<string, number>): number => sum(v, /^checkout_dependency_errors_total\{/) / sum(v, /^checkout_dependency_calls_total\{/);
    const withinOneSecond = (v: Map<string, number>): number => sum(v, /^checkout_http_server_request_duration_seconds_bucket\{.*le="1\.0"\}/) / sum(v, /^checkout_http_server_request_duration_seconds_count\{/);
    const withinHalfSecond = (v: Map<string, number>): number => sum(v, /^checkout_http_server_request_duration_seconds_bucket\{.*le="0.5"\}/) / sum(v, /^checkout_http_server_request_duration_seconds_count\{/);
    // The availability SLO allows 1% of 5xx and the ratio alert 5%; the latency SLO 1% over 500 ms.
    expect(errorShare(calm)).toBeLessThan(0.01);
    expect(errorShare(calm)).toBeGreaterThan(0);
    expect(dependencyErrors(calm)).toBeLessThan(0.1);
    expect(withinOneSecond(calm)).toBeGreaterThan(0.95);
    expect(withinHalfSecond(calm)).toBeGreaterThan(0.99);
    expect((await run(catalog, 9, 60)).get('checkout_db_pool_utilization_ratio')).toBeLessThan(0.9);

    const faulted = (await runFromStart(catalog, 9, 60, ['errors', 'slow'])).growth;
    expect(errorShare(faulted)).toBeGreaterThan(0.05);
    expect(dependencyErrors(faulted)).toBeGreaterThan(0.1);
    expect(withinHalfSecond(faulted)).toBeLessThan(0.9);

    const silent = await runFromStart(catalog, 9, 60, ['silence']);
    // Only the first touch of every series, one request per combination, and nothing after it.
    expect(sum(silent.end, /^checkout_http_server_requests_total\{/)).toBe(6 * 5 * 4);
    expect(sum(silent.growth, /^checkout_http_server_requests_total\{/)).toBe(0);
  });

  it('draws a native-only histogram (no buckets to spread over) below its alert thresholds, and past them under the slow fault', async () => {
    const native = compile(join(ROOT, 'test', 'catalogues', 'native-service', 'metrics.yaml'));
    const average = (v: Map<string, number>): number => sum(v, /^gateway_request_duration_seconds_sum\{/) / sum(v, /^gateway_request_duration_seconds_count\{/);
    // Its latency SLO counts requests over 800 ms as bad, its quantile alert a p99 over 1.5 s.
    const calm = (await runFromStart(native, 9, 30)).growth;
    expect(sum(calm, /^gateway_request_duration_seconds_count\{/)).toBeGreaterThan(100);
    expect(average(calm)).toBeLessThan(0.8 / 4);
    expect(average((await runFromStart(native, 9, 30, ['slow'])).growth)).toBeGreaterThan(1.5);
  });

  it('computes normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 6);
    expect(normalQuantile(0.0025)).toBeCloseTo(-2.8070338, 6);
  });
});

describe('simulate: exemplars', () => {
  const catalog = compile(HTTP_CATALOGUE);
  const TRACE_ID = /^[0-9a-f]{32}$/;
  const SPAN_ID = /^[0-9a-f]{16}$/;

  /** Every recording call the simulator makes on counters and histograms, with the exemplar it passed. */
  function recordCalls(seed: number, seconds: number, exemplars?: number): { exemplars: (Exemplar | undefined)[]; openMetrics: Promise<string>; text: Promise<string> } {
    const calls: (Exemplar | undefined)[] = [];
    const counterCalls = vi.spyOn(Counter.prototype, 'incWithExemplar');
    const histogramCalls = vi.spyOn(Histogram.prototype, 'observeWithExemplar');
    try {
      const target = createCatalogueRuntime(catalog, { defaultMetrics: false });
      const simulator = new Simulator(catalog, target, { seed, ...(exemplars === undefined ? {} : { exemplars }) });
      for (let i = 0; i < seconds * 10; i++) simulator.advance(0.1);
      for (const call of [...counterCalls.mock.calls, ...histogramCalls.mock.calls]) calls.push(call[2] as Exemplar | undefined);
      return { exemplars: calls, openMetrics: target.runtime.expose('openmetrics'), text: target.runtime.expose('text') };
    } finally {
      counterCalls.mockRestore();
      histogramCalls.mockRestore();
    }
  }

  /** The exemplars of an OpenMetrics exposition, `sample line → labels and value`, without their timestamps (the clock's). */
  function exposedExemplars(openMetrics: string): Map<string, string> {
    const found = new Map<string, string>();
    for (const line of openMetrics.split('\n')) {
      const at = line.indexOf(' # {');
      if (at < 0) continue;
      const [labels, value] = line.slice(at + 3).split(' ');
      found.set(line.slice(0, at), `${labels} ${value}`);
    }
    return found;
  }

  it('attaches one to about one recording in 20, with well-formed trace and span ids', () => {
    const { exemplars } = recordCalls(3, 20);
    const attached = exemplars.filter((e) => e !== undefined);
    expect(exemplars.length).toBeGreaterThan(2000);
    expect(attached.length / exemplars.length).toBeGreaterThan(0.04);
    expect(attached.length / exemplars.length).toBeLessThan(0.06);
    for (const exemplar of attached) {
      expect(exemplar.traceId).toMatch(TRACE_ID);
      expect(exemplar.spanId).toMatch(SPAN_ID);
    }
    // An event's occurrence shares its exemplar among its records; otherwise every one is a new trace.
    expect(new Set(attached.map((e) => e.traceId)).size).toBeGreaterThan(attached.length / 3);
  });

  it('follows the configured share, and none at 0', () => {
    const quarter = recordCalls(3, 5, 0.25).exemplars;
    const share = quarter.filter((e) => e !== undefined).length / quarter.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    expect(recordCalls(3, 5, 0).exemplars.filter((e) => e !== undefined)).toEqual([]);
  });

  it('repeats them for a seed, serves them on _total and _bucket lines of OpenMetrics only, and records the same values with or without them', async () => {
    const first = recordCalls(9, 5);
    const again = recordCalls(9, 5);
    const other = recordCalls(10, 5);
    const none = recordCalls(9, 5, 0);
    const exposed = exposedExemplars(await first.openMetrics);
    expect(exposed.size).toBeGreaterThan(10);
    for (const [sample, exemplar] of exposed) {
      expect(sample).toMatch(/^\w+(_total|_bucket)[{ ]/);
      expect(exemplar).toMatch(/^\{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} \S+$/);
    }
    expect(exposedExemplars(await again.openMetrics)).toEqual(exposed);
    expect(exposedExemplars(await other.openMetrics)).not.toEqual(exposed);
    expect(exposedExemplars(await none.openMetrics).size).toBe(0);
    const text = await first.text;
    expect(text).not.toContain(' # {');
    expect(await none.text).toBe(text);
  });
});
