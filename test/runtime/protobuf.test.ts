/**
 * The protobuf exposition, read back by protobufjs from client_model's own metrics.proto
 * (test/helpers/protobuf.ts): every metric type, exemplars, empty and saturated native histograms,
 * negotiation over HTTP, the cluster primary, and a generated module's server. Expected values are
 * computed here from what was recorded, never taken from the encoder.
 */
import type { Server } from 'node:http';
import protobuf from 'protobufjs';
import { AggregatorRegistry, Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Summary as PromSummary } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, startMetricsServer as startGeneratedServer } from '../../generated/metrics.js';
import { mulberry32 } from '../../generator/simulate/random.js';
import { Family } from '../../runtime/family.js';
import { MetricsRuntime, PROTOBUF_CONTENT_TYPE, startMetricsServer } from '../../runtime/index.js';
import type { BucketSpan, ExemplarSnapshot, MetricSpec, NativeHistogramSnapshot, PromMetricJSON } from '../../runtime/index.js';
import { ProtobufEncoder, renderProtobuf } from '../../runtime/protobuf.js';
import { decodeExposition, labelsOf } from '../helpers/protobuf.js';
import type { DecodedExemplar, DecodedFamily, DecodedHistogram, DecodedSpan } from '../helpers/protobuf.js';
import { closeServer, portOf, request } from './helpers/http.js';
import { parseExposition } from './helpers/parse.js';

/** The Accept header of Prometheus 2.42 with --enable-feature=native-histograms (from its binary). */
const PROMETHEUS_PROTOBUF_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Long enough that the family's length prefix takes three bytes (>= 2^14). */
const LONG_HELP = `Queue depth. ${'é'.repeat(10_000)} "quoted" back\\slash\nnext line ✓`;

const SPECS: readonly MetricSpec[] = [
  {
    name: 'pb_requests_total',
    type: 'counter',
    help: 'Requests ✓ née.',
    unit: '',
    labels: [
      { name: 'route', values: ['home', 'cart'] },
      { name: 'method', values: ['GET', 'POST'] },
    ],
  },
  { name: 'pb_queue_depth', type: 'gauge', help: LONG_HELP, unit: '', labels: [] },
  {
    name: 'pb_latency_seconds',
    type: 'histogram',
    help: 'Latency.',
    unit: 'seconds',
    labels: [{ name: 'agent', values: ['claude', 'gemini'] }],
    buckets: [0.1, 1, 10],
  },
  {
    name: 'pb_score_delta',
    type: 'histogram',
    help: 'Score change.',
    unit: '',
    labels: [],
    buckets: [-5, 0, 5],
  },
  { name: 'pb_build_info', type: 'info', help: 'Build.', unit: '', labels: [], infoLabels: ['version', 'commit'] },
  {
    name: 'pb_tenant_calls_total',
    type: 'counter',
    help: 'Calls per tenant.',
    unit: '',
    labels: [{ name: 'tenant', values: [], learned: 3 }],
  },
];
const [REQUESTS, QUEUE, LATENCY, SCORE, BUILD, TENANT] = [0, 1, 2, 3, 4, 5];
const LATENCY_OBSERVATIONS = { claude: [0.05, 0.1, 0.7, 3, 42], gemini: [] as number[] };
const SCORE_OBSERVATIONS = [-8, -1, 0, 3, 6];

function recordedRuntime(defaultMetrics = false): MetricsRuntime {
  const rt = new MetricsRuntime(SPECS, { defaultMetrics });
  rt.counter(REQUESTS).inc(0 * 2 + 1, 3); // home, POST
  rt.counter(REQUESTS).inc(1 * 2 + 0, 2.5); // cart, GET
  rt.gauge(QUEUE).set(0, -7.25);
  LATENCY_OBSERVATIONS.claude.forEach((v) => rt.histogram(LATENCY).observe(0, v));
  SCORE_OBSERVATIONS.forEach((v) => rt.histogram(SCORE).observe(0, v));
  rt.info(BUILD).set(['1.2.3', 'abc123']);
  rt.counter(TENANT).inc(rt.unknownLabel(TENANT, 0, 'acme'), 4);
  rt.counter(TENANT).inc(rt.unknownLabel(TENANT, 0, 'glöbex✓'), 1);
  return rt;
}

function familyNamed(families: DecodedFamily[], name: string): DecodedFamily {
  const family = families.find((f) => f.name === name);
  if (family === undefined) throw new Error(`no family ${name} in ${families.map((f) => f.name).join(', ')}`);
  return family;
}

/** Cumulative classic buckets as Prometheus defines them: observations <= each bound. */
function cumulative(observations: readonly number[], bounds: readonly number[]) {
  return bounds.map((bound) => ({ cumulativeCount: observations.filter((v) => v <= bound).length, upperBound: bound }));
}

const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('the protobuf exposition, decoded with protobufjs and metrics.proto', () => {
  it('carries our counters, gauges, histograms, info and learned labels with the recorded values', async () => {
    const rt = recordedRuntime();
    const families = decodeExposition(await rt.expose('protobuf'));

    const requests = familyNamed(families, 'pb_requests_total');
    expect(requests).toMatchObject({ help: 'Requests ✓ née.', type: 'COUNTER' });
    expect(requests.unit).toBeUndefined();
    expect(requests.metric.map((m) => [labelsOf(m), m.counter?.value])).toEqual([
      [{ route: 'home', method: 'GET' }, 0],
      [{ route: 'home', method: 'POST' }, 3],
      [{ route: 'cart', method: 'GET' }, 2.5],
      [{ route: 'cart', method: 'POST' }, 0],
    ]);

    const queue = familyNamed(families, 'pb_queue_depth');
    expect(queue).toMatchObject({ help: LONG_HELP, type: 'GAUGE', metric: [{ label: [], gauge: { value: -7.25 } }] });

    const latency = familyNamed(families, 'pb_latency_seconds');
    expect(latency).toMatchObject({ type: 'HISTOGRAM', unit: 'seconds' });
    const bounds = SPECS[LATENCY]!.buckets!;
    expect(latency.metric.map((m) => [labelsOf(m), m.histogram])).toEqual(
      (['claude', 'gemini'] as const).map((agent) => {
        const observed = LATENCY_OBSERVATIONS[agent];
        // client_golang leaves out the +Inf bucket: Prometheus adds it from the sample count.
        return [{ agent }, expect.objectContaining({ sampleCount: observed.length, sampleSum: sumOf(observed), bucket: cumulative(observed, bounds) })];
      }),
    );
    // A classic histogram carries no native field, or Prometheus would read it as native.
    const classic = latency.metric[0]!.histogram!;
    expect([classic.schema, classic.zeroThreshold, classic.zeroCount, classic.positiveSpan, classic.negativeSpan]).toEqual([undefined, undefined, undefined, [], []]);

    // metrics.proto has no info type: a gauge named <family>_info, as in the text format.
    expect(familyNamed(families, 'pb_build_info')).toMatchObject({
      type: 'GAUGE',
      metric: [{ label: [{ name: 'version', value: '1.2.3' }, { name: 'commit', value: 'abc123' }], gauge: { value: 1 } }],
    });
    // Only the learned values' series: the third slot is still free.
    expect(familyNamed(families, 'pb_tenant_calls_total').metric.map((m) => [labelsOf(m), m.counter?.value])).toEqual([
      [{ tenant: 'acme' }, 4],
      [{ tenant: 'glöbex✓' }, 1],
    ]);
    // The drop counter is there too, one series per metric and reason, all at zero.
    const dropped = familyNamed(families, 'metrics_dropped_total');
    expect(dropped.type).toBe('COUNTER');
    expect(dropped.metric.length % SPECS.length).toBe(0);
    expect(dropped.metric.every((m) => m.counter?.value === 0)).toBe(true);
    rt.close();
  });

  it('writes a histogram with a negative bound with its count and sum, which the text formats leave out', async () => {
    // Prometheus's protobuf parser stores _sum and _count for every classic histogram whatever the
    // message holds: leaving them out would store a made-up 0, so protobuf carries the real values.
    const rt = recordedRuntime();
    const [metric] = familyNamed(decodeExposition(await rt.expose('protobuf')), 'pb_score_delta').metric;
    expect(metric!.histogram).toMatchObject({
      sampleCount: SCORE_OBSERVATIONS.length,
      sampleSum: sumOf(SCORE_OBSERVATIONS),
      bucket: cumulative(SCORE_OBSERVATIONS, [-5, 0, 5]),
    });
    expect(await rt.expose('text')).not.toMatch(/^pb_score_delta_(sum|count)/m);
    rt.close();
  });

  it("carries prom-client's metrics: counter, gauge, histogram, summary, and the default process metrics", async () => {
    const rt = recordedRuntime(true);
    const counter = new PromCounter({ name: 'legacy_jobs_total', help: 'Jobs.', labelNames: ['queue'], registers: [rt.registry] });
    counter.inc({ queue: 'mail' }, 5);
    counter.inc({ queue: 'sms' }, 2);
    new PromGauge({ name: 'legacy_temperature', help: 'Temperature.', registers: [rt.registry] }).set(-2.5);
    const histogram = new PromHistogram({ name: 'legacy_size_bytes', help: 'Sizes.', labelNames: ['kind'], buckets: [10, 100], registers: [rt.registry] });
    const sizes = [5, 10, 50, 500];
    sizes.forEach((v) => histogram.observe({ kind: 'img' }, v));
    const summary = new PromSummary({ name: 'legacy_wait_seconds', help: 'Waits.', percentiles: [0.5, 0.9], registers: [rt.registry] });
    for (let i = 0; i < 4; i++) summary.observe(0.3);
    // A prom-client metric taking one of our names is left out, as in the text formats.
    new PromGauge({ name: 'pb_queue_depth', help: 'Impostor.', registers: [rt.registry] }).set(99);

    const families = decodeExposition(await rt.expose('protobuf'));
    expect(families.filter((f) => f.name === 'pb_queue_depth').map((f) => f.metric[0]!.gauge!.value)).toEqual([-7.25]);
    expect(familyNamed(families, 'legacy_jobs_total')).toMatchObject({
      type: 'COUNTER',
      metric: [
        { label: [{ name: 'queue', value: 'mail' }], counter: { value: 5 } },
        { label: [{ name: 'queue', value: 'sms' }], counter: { value: 2 } },
      ],
    });
    expect(familyNamed(families, 'legacy_temperature')).toMatchObject({ type: 'GAUGE', metric: [{ gauge: { value: -2.5 } }] });
    expect(familyNamed(families, 'legacy_size_bytes')).toMatchObject({
      type: 'HISTOGRAM',
      metric: [{ label: [{ name: 'kind', value: 'img' }], histogram: { sampleCount: 4, sampleSum: sumOf(sizes), bucket: cumulative(sizes, [10, 100]) } }],
    });
    expect(familyNamed(families, 'legacy_wait_seconds')).toMatchObject({
      type: 'SUMMARY',
      metric: [{ label: [], summary: { sampleCount: 4, sampleSum: expect.closeTo(1.2, 12), quantile: [{ quantile: 0.5, value: 0.3 }, { quantile: 0.9, value: 0.3 }] } }],
    });

    // Every family the text format carries with at least one sample, by the same name and type.
    const text = parseExposition(await rt.expose('text'), 'text');
    const withSamples = new Set(text.samples.map((s) => (text.families.has(s.name) ? s.name : s.name.replace(/_(bucket|sum|count)$/, ''))));
    const expected = [...text.families.values()].filter((f) => withSamples.has(f.name)).map((f) => [f.name, f.type?.toUpperCase()]);
    expect(families.map((f) => [f.name, f.type])).toEqual(expected);
    expect(families.map((f) => f.name)).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']));
    expect(familyNamed(families, 'nodejs_version_info').metric[0]).toMatchObject({ label: expect.arrayContaining([{ name: 'version', value: process.version }]), gauge: { value: 1 } });
    rt.close();
  });

  it('encodes exactly the bytes protobufjs encodes from the decoded messages', async () => {
    // Field numbers, wire types, and the order in metrics.proto, checked by a second implementation.
    const rt = recordedRuntime(true);
    const bytes = await rt.expose('protobuf');
    const root = protobuf.loadSync(new URL('../fixtures/prometheus/metrics.proto', import.meta.url).pathname);
    const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');
    const writer = protobuf.Writer.create();
    for (const family of decodeExposition(bytes)) MetricFamily.encodeDelimited(MetricFamily.fromObject(family), writer);
    expect(Buffer.from(bytes).equals(Buffer.from(writer.finish()))).toBe(true);
    rt.close();
  });
});

const TRACE: ExemplarSnapshot = { labels: [['trace_id', '4bf92f3577b34da6a3ce929d0e0e4736'], ['span_id', '00f067aa0ba902b7']], value: 0.73, timestampMs: 1_700_000_000_123 };
const BEFORE_1970: ExemplarSnapshot = { labels: [['trace_id', 'x']], value: -1, timestampMs: -1_500 };

function expectExemplar(decoded: DecodedExemplar | undefined, exemplar: ExemplarSnapshot): void {
  // google.protobuf.Timestamp: seconds rounded down, nanos in [0, 1e9).
  const seconds = Math.floor(exemplar.timestampMs / 1000);
  const nanos = (exemplar.timestampMs - seconds * 1000) * 1e6;
  expect(decoded).toEqual({
    label: exemplar.labels.map(([name, value]) => ({ name, value })),
    value: exemplar.value,
    timestamp: nanos === 0 ? { seconds } : { seconds, nanos },
  });
}

/** Encodes one histogram family around `write` and decodes its single metric's histogram. */
function roundTripHistogram(write: (encoder: ProtobufEncoder) => void): DecodedHistogram {
  const encoder = new ProtobufEncoder();
  encoder.beginFamily('h_seconds', 'H.', 4);
  write(encoder);
  encoder.endFamily();
  const [family] = decodeExposition(encoder.finish());
  return family!.metric[0]!.histogram!;
}

describe('exemplars (encoder level; recording them comes later)', () => {
  it('are written on counters, with or without', () => {
    const encoder = new ProtobufEncoder();
    encoder.beginFamily('jobs_total', 'Jobs.', 0);
    encoder.counter([['queue', 'a']], 3, TRACE);
    encoder.counter([['queue', 'b']], 4);
    encoder.counter([['queue', 'c']], 5, BEFORE_1970);
    encoder.endFamily();
    const [family] = decodeExposition(encoder.finish());
    expect(family!.metric.map((m) => m.counter?.value)).toEqual([3, 4, 5]);
    expectExemplar(family!.metric[0]!.counter!.exemplar, TRACE);
    expect(family!.metric[1]!.counter!.exemplar).toBeUndefined();
    expectExemplar(family!.metric[2]!.counter!.exemplar, BEFORE_1970);
  });

  it('are written on classic buckets and on native histograms', () => {
    const native = emptyNative(3);
    const histogram = roundTripHistogram((encoder) =>
      encoder.histogram([], {
        count: 2,
        sum: 1.23,
        buckets: [
          { upperBound: 0.5, cumulativeCount: 0 },
          { upperBound: 1, cumulativeCount: 1, exemplar: TRACE },
        ],
        native,
        exemplars: [TRACE, BEFORE_1970],
      }),
    );
    expect(histogram.bucket[0]!.exemplar).toBeUndefined();
    expectExemplar(histogram.bucket[1]!.exemplar, TRACE);
    expect(histogram.exemplars).toHaveLength(2);
    expectExemplar(histogram.exemplars[0], TRACE);
    expectExemplar(histogram.exemplars[1], BEFORE_1970);
  });
});

/** Absolute counts by bucket index, as a test states them; the encoder sees only spans and deltas. */
type Buckets = Map<number, number>;

/**
 * metrics.proto's span/delta form of absolute bucket counts: runs of consecutive indices, joining
 * gaps of up to two buckets with empty ones, as client_golang does.
 */
function spansAndDeltas(buckets: Buckets): { spans: BucketSpan[]; deltas: number[] } {
  const indices = [...buckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousIndex = 0;
  let previousCount = 0;
  for (const index of indices) {
    const gap = index - previousIndex - 1;
    if (spans.length > 0 && gap <= 2) {
      for (let i = 0; i < gap; i++) {
        deltas.push(-previousCount);
        previousCount = 0;
      }
      spans.at(-1)!.length += gap + 1;
    } else {
      spans.push({ offset: spans.length === 0 ? index : gap, length: 1 });
    }
    const count = buckets.get(index)!;
    deltas.push(count - previousCount);
    previousCount = count;
    previousIndex = index;
  }
  return { spans, deltas };
}

/** Reads decoded spans and deltas back into absolute counts, leaving out empty buckets. */
function bucketsFrom(spans: DecodedSpan[], deltas: number[]): Buckets {
  const buckets: Buckets = new Map();
  // The first span's offset is its first index; each next one's, the gap after the previous span.
  let index = 0;
  let count = 0;
  let d = 0;
  for (const span of spans) {
    index += span.offset ?? 0;
    for (let k = 0; k < (span.length ?? 0); k++) {
      count += deltas[d++]!;
      if (count !== 0) buckets.set(index, count);
      index++;
    }
  }
  expect(d).toBe(deltas.length);
  return buckets;
}

function emptyNative(schema: number): NativeHistogramSnapshot {
  return { schema, zeroThreshold: 2 ** -128, zeroCount: 0, count: 0, sum: 0, positiveSpans: [], positiveDeltas: [], negativeSpans: [], negativeDeltas: [] };
}

function nativeSnapshot(schema: number, positive: Buckets, negative: Buckets, zeroCount: number, sum: number): NativeHistogramSnapshot {
  const p = spansAndDeltas(positive);
  const n = spansAndDeltas(negative);
  const count = sumOf([...positive.values()]) + sumOf([...negative.values()]) + zeroCount;
  return { schema, zeroThreshold: 2 ** -128, zeroCount, count, sum, positiveSpans: p.spans, positiveDeltas: p.deltas, negativeSpans: n.spans, negativeDeltas: n.deltas };
}

/** Buckets at scattered indices from `start`, with counts up to 2^50 (deltas beyond 32 bits). */
function scatteredBuckets(random: () => number, start: number, n: number): Buckets {
  const buckets: Buckets = new Map();
  let index = start;
  for (let i = 0; i < n; i++) {
    index += 1 + Math.floor(random() * 6);
    buckets.set(index, 1 + Math.floor(random() * 2 ** 50));
  }
  return buckets;
}

describe('native histograms (snapshots built by hand)', () => {
  it('an empty one carries the no-op span {0, 0}, so that Prometheus reads it as native', () => {
    const histogram = roundTripHistogram((encoder) => encoder.histogram([], { count: 0, sum: 0, buckets: [], native: emptyNative(3) }));
    expect(histogram).toMatchObject({ sampleCount: 0, sampleSum: 0, schema: 3, zeroThreshold: 2 ** -128, zeroCount: 0 });
    expect(histogram.positiveSpan).toEqual([{ offset: 0, length: 0 }]);
    expect([histogram.negativeSpan, histogram.positiveDelta, histogram.negativeDelta, histogram.bucket]).toEqual([[], [], [], []]);
  });

  it.each([
    [8, 160, -700],
    [-4, 40, -20],
    [0, 1, 0],
  ])('a saturated one at schema %i: %i buckets per sign from index %i, large counts, a zero bucket', (schema, n, start) => {
    const random = mulberry32(schema + 100);
    const positive = scatteredBuckets(random, start, n);
    const negative = scatteredBuckets(random, start, n);
    const zeroCount = 2 ** 45 + 3;
    const snapshot = nativeSnapshot(schema, positive, negative, zeroCount, -1234.5);
    expect(snapshot.positiveSpans.length).toBeGreaterThan(n > 1 ? 5 : 0);
    const histogram = roundTripHistogram((encoder) => encoder.histogram([['path', '/']], { count: snapshot.count, sum: snapshot.sum, buckets: [], native: snapshot }));
    expect(histogram).toMatchObject({ schema, zeroThreshold: 2 ** -128, zeroCount, sampleSum: -1234.5 });
    // The count passes 2^53 (a double, still a whole number): it stays the integer sample_count, as
    // a float count would make Prometheus read a float histogram.
    expect(histogram.sampleCount).toBe(sumOf([...positive.values()]) + sumOf([...negative.values()]) + zeroCount);
    expect(histogram.sampleCountFloat).toBeUndefined();
    expect(bucketsFrom(histogram.positiveSpan, histogram.positiveDelta)).toEqual(positive);
    expect(bucketsFrom(histogram.negativeSpan, histogram.negativeDelta)).toEqual(negative);
  });

  it('are served with classic buckets beside them when the metric has both', () => {
    const spec: MetricSpec = { name: 'both_seconds', type: 'histogram', help: 'Both.', unit: 'seconds', labels: [{ name: 'op', values: ['read', 'write'] }], buckets: [1, 2] };
    const family = new Family(spec);
    const data = new Float64Array(family.slots);
    // Classic storage per series: non-cumulative counts per bucket (+Inf last), then sum, then count.
    data.set([1, 2, 0, 4.5, 3], 0);
    data.set([0, 0, 1, 9, 1], family.stride);
    const observed = nativeSnapshot(1, new Map([[1, 1], [2, 2]]), new Map(), 0, 4.5);
    family.nativeSnapshot = (_data, series) => (series === 0 ? observed : emptyNative(1));
    const [decoded] = decodeExposition(renderProtobuf([family], [data], []));
    const [read, write] = decoded!.metric.map((m) => m.histogram!);
    expect(read).toMatchObject({ sampleCount: 3, sampleSum: 4.5, schema: 1, bucket: [{ upperBound: 1, cumulativeCount: 1 }, { upperBound: 2, cumulativeCount: 3 }] });
    expect(bucketsFrom(read!.positiveSpan, read!.positiveDelta)).toEqual(new Map([[1, 1], [2, 2]]));
    expect(write).toMatchObject({ sampleCount: 0, schema: 1, positiveSpan: [{ offset: 0, length: 0 }] });
  });
});

describe('_created', () => {
  it('is never written: no _created line in OpenMetrics, no created timestamp in protobuf', async () => {
    const rt = recordedRuntime(true);
    new PromCounter({ name: 'legacy_jobs_total', help: 'Jobs.', registers: [rt.registry] }).inc();
    new PromHistogram({ name: 'legacy_size_bytes', help: 'Sizes.', buckets: [1], registers: [rt.registry] }).observe(2);
    new PromSummary({ name: 'legacy_wait_seconds', help: 'Waits.', registers: [rt.registry] }).observe(1);
    const om = await rt.expose('openmetrics');
    expect(om).toMatch(/^pb_requests_total\{/m); // the check below looks at a real exposition
    expect(om).not.toMatch(/_created/);
    const families = decodeExposition(await rt.expose('protobuf'));
    const metrics = families.flatMap((f) => f.metric);
    expect(metrics.filter((m) => m.counter !== undefined).length).toBeGreaterThan(5);
    for (const m of metrics) {
      expect(m.counter?.createdTimestamp).toBeUndefined();
      expect(m.histogram?.createdTimestamp).toBeUndefined();
      expect(m.summary?.createdTimestamp).toBeUndefined();
    }
    rt.close();
  });
});

describe('negotiation end to end', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map(closeServer));
  });

  async function get(port: number, accept: string | undefined, method = 'GET') {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { method, headers: accept === undefined ? {} : { accept } });
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  it("serves protobuf to Prometheus's header, with exact Content-Types for every format", async () => {
    const rt = recordedRuntime();
    const server = await startMetricsServer(rt, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    const port = portOf(server);
    // Concurrent scrapes share one rendering: the same bytes for all.
    const scrapes = await Promise.all([1, 2, 3].map(() => get(port, PROMETHEUS_PROTOBUF_ACCEPT)));
    for (const { response, bytes } of scrapes) {
      expect(response.headers.get('content-type')).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
      expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
      expect(Buffer.from(bytes).equals(Buffer.from(scrapes[0]!.bytes))).toBe(true);
    }
    expect(familyNamed(decodeExposition(scrapes[0]!.bytes), 'pb_requests_total').metric[1]!.counter!.value).toBe(3);
    const head = await get(port, PROMETHEUS_PROTOBUF_ACCEPT, 'HEAD');
    expect(head.response.headers.get('content-type')).toBe(PROTOBUF_CONTENT_TYPE);
    expect(head.bytes.length).toBe(0);
    expect((await get(port, 'application/openmetrics-text;version=1.0.0')).response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect((await get(port, undefined)).response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    rt.close();
  });

  it('the cluster primary serves the workers’ sum in protobuf', async () => {
    const primary = new MetricsRuntime(SPECS, { defaultMetrics: false });
    const workers = [recordedRuntime(), recordedRuntime()];
    const jsons = await Promise.all([primary, ...workers].map((w) => w.getMetricsAsJSON()));
    const merged = (await AggregatorRegistry.aggregate(jsons).getMetricsAsJSON()) as unknown as PromMetricJSON[];
    const families = decodeExposition(primary.renderAggregate(merged, 'protobuf', performance.now()) as Uint8Array);
    expect(familyNamed(families, 'pb_requests_total').metric[1]!.counter!.value).toBe(2 * 3);
    const claude = LATENCY_OBSERVATIONS.claude;
    expect(familyNamed(families, 'pb_latency_seconds').metric[0]!.histogram).toMatchObject({
      sampleCount: 2 * claude.length,
      bucket: cumulative(claude, SPECS[LATENCY]!.buckets!).map((b) => ({ ...b, cumulativeCount: 2 * b.cumulativeCount })),
    });
    expect(familyNamed(families, 'pb_tenant_calls_total').metric.map((m) => [labelsOf(m), m.counter?.value])).toEqual([
      [{ tenant: 'acme' }, 8],
      [{ tenant: 'glöbex✓' }, 2],
    ]);
    for (const rt of [primary, ...workers]) rt.close();
  });

  it("a generated module's server answers Prometheus's header with protobuf holding what its text says", async () => {
    const metrics = createMetrics();
    const server = await startGeneratedServer(metrics, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    const port = portOf(server);
    const { response, bytes } = await get(port, PROMETHEUS_PROTOBUF_ACCEPT);
    expect(response.headers.get('content-type')).toBe(PROTOBUF_CONTENT_TYPE);
    const text = parseExposition((await request(port, 'GET', '/metrics')).body, 'text');
    const families = decodeExposition(bytes);
    expect(families.map((f) => f.name)).toContain('process_cpu_user_seconds_total');
    // Every catalogue sample of the text scrape, found with its value in the protobuf one (the
    // scrape-duration histogram moved in between: it observed the protobuf scrape).
    const catalogue = text.samples.filter((s) => s.name.startsWith('lazybird_') && !s.name.startsWith('lazybird_metrics_export_duration'));
    expect(catalogue.length).toBeGreaterThan(100);
    const fromProtobuf = new Map<string, number>();
    for (const family of families) {
      for (const metric of family.metric) {
        const labels = labelsOf(metric);
        if (metric.counter !== undefined) fromProtobuf.set(key(family.name!, labels), metric.counter.value ?? 0);
        if (metric.gauge !== undefined) fromProtobuf.set(key(family.name!, labels), metric.gauge.value ?? 0);
        const h = metric.histogram;
        if (h === undefined) continue;
        for (const b of h.bucket) fromProtobuf.set(key(`${family.name}_bucket`, { ...labels, le: String(b.upperBound) }), b.cumulativeCount ?? 0);
        fromProtobuf.set(key(`${family.name}_bucket`, { ...labels, le: '+Inf' }), h.sampleCount ?? 0);
        fromProtobuf.set(key(`${family.name}_sum`, labels), h.sampleSum ?? 0);
        fromProtobuf.set(key(`${family.name}_count`, labels), h.sampleCount ?? 0);
      }
    }
    for (const sample of catalogue) {
      const labels = sample.labels.le === undefined ? sample.labels : { ...sample.labels, le: sample.labels.le === '+Inf' ? '+Inf' : String(Number(sample.labels.le)) };
      expect(fromProtobuf.get(key(sample.name, labels)), sample.line).toBe(sample.value);
    }
    metrics.runtime.close();
  });
});

function key(name: string, labels: Record<string, string>): string {
  return `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

describe('ProtobufEncoder misuse (a runtime bug, caught at once)', () => {
  it('refuses a metric outside a family, a family inside a family, and finishing one still open', () => {
    const encoder = new ProtobufEncoder();
    expect(() => encoder.gauge([], 1)).toThrow(/no family is open/);
    encoder.beginFamily('a', 'A.', 1);
    expect(() => encoder.beginFamily('b', 'B.', 1)).toThrow(/already open/);
    expect(() => encoder.finish()).toThrow(/still open/);
    encoder.endFamily();
    expect(() => encoder.endFamily()).toThrow(/no family is open/);
    // The family without a metric was left out.
    expect(encoder.finish().length).toBe(0);
  });
});
