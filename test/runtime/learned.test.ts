/**
 * Learned label values in the runtime: slots taken first come first served, the overflow once they
 * are full, refused values dropped and counted (thrown in strict mode), the exposition writing the
 * learned text (valid for promtool and Python's OpenMetrics parser), reset/close, and the cluster
 * primary merging workers' values by value, not by slot.
 */
import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LEARNED_VALUE_MAX_LENGTH, MetricsInputError, MetricsRuntime, seriesCount } from '../../runtime/index.js';
import type { MetricSpec, PromMetricJSON } from '../../runtime/index.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { parseWithPython } from '../helpers/openmetrics-python.js';
import { parseExposition, samplesOf, valueOf } from './helpers/parse.js';

/** route: 3 learned slots after its overflow value; method: two declared values. */
const REQUESTS: MetricSpec = {
  name: 'app_requests_total',
  type: 'counter',
  help: 'Requests.',
  unit: '',
  labels: [
    { name: 'route', values: ['other'], overflow: 'other', learned: 3 },
    { name: 'method', values: ['GET', 'POST'] },
  ],
};
/** tenant: 2 learned slots and no overflow value. */
const LATENCY: MetricSpec = {
  name: 'app_latency_seconds',
  type: 'histogram',
  help: 'Latency.',
  unit: 'seconds',
  labels: [{ name: 'tenant', values: [], learned: 2 }],
  buckets: [0.1, 1],
};
const SPECS = [REQUESTS, LATENCY];
const METHODS = ['GET', 'POST'];

function runtime(strict = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { defaultMetrics: false, namespace: 'app', strict });
}

/** Records a request the way generated code does: declared values by switch, the rest by the runtime. */
function request(rt: MetricsRuntime, route: unknown, method: string, by = 1): void {
  const r = route === 'other' ? 0 : rt.unknownLabel(0, 0, route);
  if (r < 0) return;
  rt.counter(0).inc(r * 2 + METHODS.indexOf(method), by);
}

function observe(rt: MetricsRuntime, tenant: unknown, seconds: number): void {
  rt.histogram(1).observe(rt.unknownLabel(1, 0, tenant), seconds);
}

describe('learned label values', () => {
  it('budget: the series count is the declared values plus the learned slots', () => {
    expect(seriesCount(REQUESTS)).toBe((1 + 3) * 2);
    expect(seriesCount(LATENCY)).toBe(2);
  });

  it('gives the first N distinct values a series each, later ones the overflow value', async () => {
    const rt = runtime();
    request(rt, '/a', 'GET');
    request(rt, '/b', 'POST', 2);
    request(rt, '/a', 'POST');
    request(rt, '/c', 'GET');
    request(rt, '/d', 'GET', 5); // the fourth distinct route: overflow
    request(rt, '/e', 'POST', 7);
    request(rt, '/a', 'GET'); // still its own series once the slots are full
    const parsed = parseExposition(await rt.expose('text'), 'text');
    expect(valueOf(parsed, 'app_requests_total', { route: '/a', method: 'GET' })).toBe(2);
    expect(valueOf(parsed, 'app_requests_total', { route: '/a', method: 'POST' })).toBe(1);
    expect(valueOf(parsed, 'app_requests_total', { route: '/b', method: 'POST' })).toBe(2);
    expect(valueOf(parsed, 'app_requests_total', { route: 'other', method: 'GET' })).toBe(5);
    expect(valueOf(parsed, 'app_requests_total', { route: 'other', method: 'POST' })).toBe(7);
    expect(samplesOf(parsed, 'app_requests_total').map((s) => s.labels.route)).not.toContain('/d');
    expect(new Set(samplesOf(parsed, 'app_requests_total').map((s) => s.labels.route))).toEqual(new Set(['other', '/a', '/b', '/c']));
    expect(rt.dropped(0, 'unknown_label_value')).toBe(0);
  });

  it('writes no series for a slot not learned yet; the overflow series exist from the start', async () => {
    const rt = runtime();
    const parsed = parseExposition(await rt.expose('text'), 'text');
    expect(samplesOf(parsed, 'app_requests_total').map((s) => s.labels)).toEqual([
      { route: 'other', method: 'GET' },
      { route: 'other', method: 'POST' },
    ]);
    expect(samplesOf(parsed, 'app_latency_seconds_count')).toEqual([]);
  });

  it('without an overflow value, drops and counts values past the limit', async () => {
    const rt = runtime();
    observe(rt, 'acme', 0.05);
    observe(rt, 'globex', 2);
    observe(rt, 'initech', 0.5);
    observe(rt, 'acme', 0.5);
    expect(rt.dropped(1, 'unknown_label_value')).toBe(1);
    const parsed = parseExposition(await rt.expose('openmetrics'), 'openmetrics');
    expect(valueOf(parsed, 'app_latency_seconds_count', { tenant: 'acme' })).toBe(2);
    expect(valueOf(parsed, 'app_latency_seconds_bucket', { tenant: 'acme', le: '0.1' })).toBe(1);
    expect(valueOf(parsed, 'app_latency_seconds_count', { tenant: 'globex' })).toBe(1);
    expect(samplesOf(parsed, 'app_latency_seconds_count')).toHaveLength(2);
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['an empty string', ''],
    ['a string over the length limit', 'x'.repeat(LEARNED_VALUE_MAX_LENGTH + 1)],
    ['a newline', 'a\nb'],
    ['a C1 control character', 'a\u0085b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses %s: dropped and counted, no series, no slot taken', async (_, value) => {
    const rt = runtime();
    request(rt, value, 'GET');
    expect(rt.dropped(0, 'unknown_label_value')).toBe(1);
    request(rt, '/1', 'GET');
    request(rt, '/2', 'GET');
    request(rt, '/3', 'GET');
    const routes = samplesOf(parseExposition(await rt.expose('text'), 'text'), 'app_requests_total').map((s) => s.labels.route);
    expect(new Set(routes)).toEqual(new Set(['other', '/1', '/2', '/3']));
  });

  it('accepts the longest allowed value and any other UTF-8, escaped in the exposition', async () => {
    const rt = runtime();
    const long = 'é'.repeat(LEARNED_VALUE_MAX_LENGTH);
    request(rt, long, 'GET');
    request(rt, 'a "quoted" \\ path 🐦', 'POST', 3);
    const text = await rt.expose('openmetrics');
    expect(text).toContain('route="a \\"quoted\\" \\\\ path 🐦"');
    const parsed = parseExposition(text, 'openmetrics');
    expect(valueOf(parsed, 'app_requests_total', { route: long, method: 'GET' })).toBe(1);
    expect(valueOf(parsed, 'app_requests_total', { route: 'a "quoted" \\ path 🐦', method: 'POST' })).toBe(3);
    expect(rt.dropped(0, 'unknown_label_value')).toBe(0);
  });

  it('strict mode throws for a refused value and for a value past the limit, overflow or not', () => {
    const rt = runtime(true);
    expect(() => request(rt, 'a\tb', 'GET')).toThrow(/app_requests_total: value "a\\tb" rejected \(label route cannot learn it: it contains a control character\)/);
    for (const route of ['/1', '/2', '/3']) request(rt, route, 'GET');
    expect(() => request(rt, '/4', 'GET')).toThrow(MetricsInputError);
    expect(() => request(rt, '/4', 'GET')).toThrow(/all 3 learned values of label route are taken/);
    request(rt, '/2', 'POST'); // known values still record
    expect(rt.counter(0).value(2 * 2 + 1)).toBe(1);
  });

  it('a declared value passed to the slow path keeps its own series and takes no slot', async () => {
    const rt = runtime();
    expect(rt.unknownLabel(0, 0, 'other')).toBe(0);
    for (const route of ['/1', '/2', '/3']) request(rt, route, 'GET');
    const routes = samplesOf(parseExposition(await rt.expose('text'), 'text'), 'app_requests_total', { method: 'GET' }).map((s) => s.labels.route);
    expect(routes.sort()).toEqual(['/1', '/2', '/3', 'other']);
  });

  it('two values arriving in the same tick take distinct slots, and the overflow is stable once full', async () => {
    const rt = runtime();
    await Promise.all(['/x', '/y', '/z', '/w', '/x'].map(async (route) => request(rt, route, 'GET')));
    const positions = ['/x', '/y', '/z'].map((route) => rt.unknownLabel(0, 0, route));
    expect(new Set(positions).size).toBe(3);
    for (let i = 0; i < 100; i++) expect(rt.unknownLabel(0, 0, `/late${i}`)).toBe(0);
    expect(rt.unknownLabel(0, 0, '/w')).toBe(0);
  });

  it('reset forgets the learned values; close ignores later recordings', async () => {
    const rt = runtime();
    for (const route of ['/1', '/2', '/3']) request(rt, route, 'GET');
    rt.reset();
    request(rt, '/new', 'GET');
    const routes = samplesOf(parseExposition(await rt.expose('text'), 'text'), 'app_requests_total').map((s) => s.labels.route);
    expect(new Set(routes)).toEqual(new Set(['other', '/new']));
    rt.close();
    expect(rt.unknownLabel(0, 0, '/after')).toBe(-1);
    expect(() => request(rt, '/after', 'GET')).not.toThrow();
  });

  it('its exposition passes promtool and Python prometheus_client OpenMetrics parser', async () => {
    const rt = runtime();
    for (const route of ['/users/{id}', 'a "b"', 'back\\slash', '/d', '/e']) request(rt, route, 'GET', 2);
    for (const tenant of ['t1', 'ünïcødé', 't3']) observe(rt, tenant, 0.3);
    const text = await rt.expose('text');
    const check = promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
    const python = parseWithPython(await rt.expose('openmetrics'));
    expect(python.error).toBeUndefined();
    const requests = python.samples!.filter(([name]) => name === 'app_requests_total');
    expect(requests.map(([, labels, value]) => [labels.route, labels.method, value])).toEqual(
      expect.arrayContaining([
        ['/users/{id}', 'GET', 2],
        ['a "b"', 'GET', 2],
        ['back\\slash', 'GET', 2],
        ['other', 'GET', 4],
      ]),
    );
    expect(python.samples!.filter(([name, labels]) => name === 'app_latency_seconds_count').map(([, labels]) => labels.tenant)).toEqual(['t1', 'ünïcødé']);
  });

  it('a value learned after a scrape is in the next one; after reset, only the values learned since', async () => {
    const rt = runtime();
    request(rt, '/1', 'GET');
    observe(rt, 'acme', 0.5);
    expect(await rt.expose('text')).not.toContain('/2');
    request(rt, '/2', 'POST', 4);
    observe(rt, 'globex', 0.05);
    for (const format of ['text', 'openmetrics'] as const) {
      const text = await rt.expose(format);
      expect(text).toContain('app_requests_total{route="/1",method="GET"} 1\n');
      expect(text).toContain('app_requests_total{route="/2",method="POST"} 4\n');
      expect(text).toContain(`app_latency_seconds_bucket{tenant="globex",le="0.1"} 1\n`);
      expect(text).toContain(`app_latency_seconds_bucket{tenant="globex",le="1.0"} 1\n`);
    }
    rt.reset();
    request(rt, '/new', 'GET');
    observe(rt, 'initech', 2);
    const text = await rt.expose('text');
    const routes = samplesOf(parseExposition(text, 'text'), 'app_requests_total').map((s) => s.labels.route);
    expect(new Set(routes)).toEqual(new Set(['other', '/new']));
    expect(samplesOf(parseExposition(text, 'text'), 'app_latency_seconds_count').map((s) => s.labels.tenant)).toEqual(['initech']);
    expect(text).not.toMatch(/\/1|\/2|acme|globex/);
  });
});

describe('learned label values across cluster workers', () => {
  /** What the primary does with the workers' JSON: prom-client's aggregate, then renderAggregate. */
  async function aggregate(primary: MetricsRuntime, workers: MetricsRuntime[]): Promise<string> {
    const jsons = await Promise.all([primary, ...workers].map((w) => w.getMetricsAsJSON()));
    const merged = (await AggregatorRegistry.aggregate(jsons).getMetricsAsJSON()) as unknown as PromMetricJSON[];
    return primary.renderAggregate(merged, 'text', performance.now());
  }

  it('merges by value, not by slot, and keeps at most N values plus the overflow, stable across scrapes', async () => {
    const primary = runtime();
    const a = runtime();
    const b = runtime();
    // The two workers learn /x and /y in opposite orders: their slots disagree, their values do not.
    request(a, '/x', 'GET', 1);
    request(a, '/y', 'GET', 10);
    request(b, '/y', 'GET', 100);
    request(b, '/x', 'GET', 1000);
    let parsed = parseExposition(await aggregate(primary, [a, b]), 'text');
    expect(valueOf(parsed, 'app_requests_total', { route: '/x', method: 'GET' })).toBe(1001);
    expect(valueOf(parsed, 'app_requests_total', { route: '/y', method: 'GET' })).toBe(110);

    // Each worker learns two more routes: four distinct values, more than the 3 slots of the aggregate.
    request(a, '/a1', 'GET', 1);
    request(a, '/a2', 'GET', 2);
    request(b, '/b1', 'GET', 4);
    request(b, '/b2', 'GET', 8);
    parsed = parseExposition(await aggregate(primary, [a, b]), 'text');
    const routes = samplesOf(parsed, 'app_requests_total', { method: 'GET' }).map((s) => s.labels.route);
    expect(routes).toHaveLength(4);
    expect(routes).toContain('other');
    const total = samplesOf(parsed, 'app_requests_total', { method: 'GET' }).reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(1 + 10 + 100 + 1000 + 1 + 2 + 4 + 8);
    const first = new Map(samplesOf(parsed, 'app_requests_total', { method: 'GET' }).map((s) => [s.labels.route, s.value]));

    // The next scrape maps every value to the same series: nothing moves in or out of the overflow.
    request(a, '/a1', 'GET', 16);
    parsed = parseExposition(await aggregate(primary, [a, b]), 'text');
    const second = new Map(samplesOf(parsed, 'app_requests_total', { method: 'GET' }).map((s) => [s.labels.route, s.value]));
    expect([...second.keys()]).toEqual([...first.keys()]);
    const grew = [...second].filter(([route, value]) => value !== first.get(route));
    expect(grew).toHaveLength(1);
    expect(grew[0]![1] - first.get(grew[0]![0])!).toBe(16);
    expect(promtoolCheckMetrics(await aggregate(primary, [a, b])).status).toBe(0);
  });

  it('sums a histogram with a learned label by value', async () => {
    const primary = runtime();
    const a = runtime();
    const b = runtime();
    observe(a, 'acme', 0.05);
    observe(a, 'globex', 5);
    observe(b, 'globex', 0.5);
    observe(b, 'acme', 0.05);
    const parsed = parseExposition(await aggregate(primary, [a, b]), 'text');
    expect(valueOf(parsed, 'app_latency_seconds_count', { tenant: 'acme' })).toBe(2);
    expect(valueOf(parsed, 'app_latency_seconds_bucket', { tenant: 'acme', le: '0.1' })).toBe(2);
    expect(valueOf(parsed, 'app_latency_seconds_bucket', { tenant: 'globex', le: '1.0' })).toBe(1);
    expect(valueOf(parsed, 'app_latency_seconds_sum', { tenant: 'globex' })).toBe(5.5);
  });
});
