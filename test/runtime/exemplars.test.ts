/**
 * Exemplars end to end: recorded through the runtime and the generated module, read back from
 * OpenMetrics by the Python reference parser and from protobuf by protobufjs (both independent of
 * our code), absent from the text format, hostile exemplars dropped and counted without losing the
 * observation, cleared by reset, merged by a cluster primary (test/runtime/cluster.test.ts has real
 * workers). Expected values are what the
 * test recorded, at a clock it fixed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_SPECS, createMetrics, createRecorder } from '../../generated/metrics.js';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitTypeScript } from '../../generator/emit/typescript/index.js';
import type { Metrics } from '../../generated/metrics.js';
import { Family } from '../../runtime/family.js';
import { EXEMPLAR_LABELS_MAX_LENGTH, MetricsInputError, MetricsRuntime } from '../../runtime/index.js';
import type { DropReason, MetricSpec, NativeHistogramSnapshot } from '../../runtime/index.js';
import { renderProtobuf } from '../../runtime/protobuf.js';
import { exemplarsWithPython, pythonOpenMetricsCheck } from '../helpers/openmetrics-python.js';
import { decodeExposition, labelsOf } from '../helpers/protobuf.js';
import type { DecodedExemplar } from '../helpers/protobuf.js';

const NOW_MS = 1_700_000_000_123;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const SPECS: readonly MetricSpec[] = [
  { name: 'ex_requests_total', type: 'counter', help: 'Requests.', unit: '', labels: [{ name: 'route', values: ['home', 'cart'] }] },
  { name: 'ex_latency_seconds', type: 'histogram', help: 'Latency.', unit: 'seconds', labels: [], buckets: [0.1, 1] },
  { name: 'ex_queue_depth', type: 'gauge', help: 'Queue.', unit: '', labels: [] },
];
const REQUESTS = 0;
const LATENCY = 1;

function runtime(strict = false): MetricsRuntime {
  return new MetricsRuntime(SPECS, { defaultMetrics: false, strict });
}

function droppedOf(metrics: Metrics, name: string, reason: DropReason): number {
  const id = METRIC_SPECS.findIndex((s) => s.name === name);
  expect(id, name).toBeGreaterThanOrEqual(0);
  return metrics.runtime.dropped(id, reason);
}

/** A decoded exemplar as plain data: labels, value, timestamp in ms. */
function exemplarOf(e: DecodedExemplar | undefined): { labels: Record<string, string>; value: number | undefined; ms: number } | undefined {
  if (e === undefined) return undefined;
  return { labels: labelsOf(e), value: e.value, ms: (e.timestamp?.seconds ?? 0) * 1000 + (e.timestamp?.nanos ?? 0) / 1e6 };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('exemplars in OpenMetrics, read by the Python reference parser', () => {
  it('puts the latest exemplar of a counter series and of each histogram bucket on its line, with value and time in seconds', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const rt = runtime();
    rt.counter(REQUESTS).incWithExemplar(0, 2, { traceId: 'first' });
    rt.counter(REQUESTS).incWithExemplar(0, 3, { traceId: TRACE, spanId: SPAN }); // the latest wins
    rt.counter(REQUESTS).inc(1, 4); // without: no exemplar on that series
    rt.histogram(LATENCY).observeWithExemplar(0, 0.05, { traceId: 'fast' });
    rt.histogram(LATENCY).observeWithExemplar(0, 0.67, { traceId: 'slow', spanId: 'a"b\\c' });
    rt.histogram(LATENCY).observeWithExemplar(0, 7, { traceId: 'tail' }); // +Inf bucket
    rt.histogram(LATENCY).observe(0, 0.5);
    const text = await rt.expose('openmetrics');
    expect(pythonOpenMetricsCheck(text)).toMatchObject({ status: 0 });
    const parsed = exemplarsWithPython(text);
    expect(parsed.error).toBeUndefined();
    const seconds = NOW_MS / 1000;
    expect(parsed.exemplars).toEqual([
      ['ex_requests_total', { route: 'home' }, 5, { trace_id: TRACE, span_id: SPAN }, 3, seconds],
      ['ex_latency_seconds_bucket', { le: '0.1' }, 1, { trace_id: 'fast' }, 0.05, seconds],
      ['ex_latency_seconds_bucket', { le: '1.0' }, 3, { trace_id: 'slow', span_id: 'a"b\\c' }, 0.67, seconds],
      ['ex_latency_seconds_bucket', { le: '+Inf' }, 4, { trace_id: 'tail' }, 7, seconds],
    ]);
    expect(text).toContain(`ex_requests_total{route="home"} 5 # {trace_id="${TRACE}",span_id="${SPAN}"} 3 1700000000.123\n`);
  });

  it('never writes them in the text format 0.0.4, which is byte for byte what it is without them', async () => {
    const withExemplars = runtime();
    const without = runtime();
    for (const rt of [withExemplars, without]) {
      const exemplar = rt === withExemplars ? { traceId: TRACE } : undefined;
      rt.counter(REQUESTS).incWithExemplar(1, 2, exemplar);
      rt.histogram(LATENCY).observeWithExemplar(0, 0.3, exemplar);
    }
    const text = await withExemplars.expose('text');
    expect(text).not.toContain('#{');
    expect(text).not.toContain(TRACE);
    expect(text).toBe(await without.expose('text'));
    expect(await withExemplars.expose('openmetrics')).toContain(TRACE);
  });

  it('the generated module: inc and observe take an exemplar last, and an event applies its exemplar to each counter and histogram it records', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    metrics.typeErrorsTotal.inc(undefined, { traceId: 'label-less' });
    metrics.agentLatencySeconds.observe({ agent: 'claude' }, 0.8, { traceId: 'direct' });
    recorder.recordAgentSwitch({ fromAgent: 'claude', toAgent: 'codex', qualityImprovement: 0.2, costRatio: 1.5, exemplar: { traceId: 'switch', spanId: SPAN } });
    const text = await metrics.runtime.expose('openmetrics');
    const parsed = exemplarsWithPython(text);
    expect(parsed.error).toBeUndefined();
    const traces = new Map(parsed.exemplars!.map(([name, labels, , exemplar, value]) => [`${name}${JSON.stringify(labels)}`, [exemplar['trace_id'], value]]));
    expect(traces.get('lazybird_type_errors_total{}')).toEqual(['label-less', 1]);
    expect(traces.get('lazybird_agent_latency_seconds_bucket{"agent":"claude","le":"1.0"}')).toEqual(['direct', 0.8]);
    expect(traces.get('lazybird_agent_switches_total{"from_agent":"claude","to_agent":"codex"}')).toEqual(['switch', 1]);
    // Every exemplar the event left, and none on its gauge (agent_switch_cost_ratio).
    expect(parsed.exemplars!.filter(([, , , exemplar]) => exemplar['trace_id'] === 'switch').map(([name]) => name).sort()).toEqual([
      'lazybird_agent_switch_quality_improvement_score_bucket',
      'lazybird_agent_switches_total',
    ]);
    expect(parsed.exemplars).toHaveLength(4);
    metrics.close();
  });
});

describe('exemplars in protobuf, decoded by protobufjs', () => {
  it('a counter carries its exemplar; buckets carry theirs, with an explicit +Inf bucket only when it holds one', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const rt = runtime();
    rt.counter(REQUESTS).incWithExemplar(1, 1.5, { traceId: TRACE, spanId: SPAN });
    rt.histogram(LATENCY).observeWithExemplar(0, 0.5, { traceId: 'mid' });
    let families = decodeExposition(await rt.expose('protobuf'));
    const requests = families.find((f) => f.name === 'ex_requests_total')!;
    expect(requests.metric.map((m) => [labelsOf(m), exemplarOf(m.counter?.exemplar)])).toEqual([
      [{ route: 'home' }, undefined],
      [{ route: 'cart' }, { labels: { trace_id: TRACE, span_id: SPAN }, value: 1.5, ms: NOW_MS }],
    ]);
    let histogram = families.find((f) => f.name === 'ex_latency_seconds')!.metric[0]!.histogram!;
    expect(histogram.bucket.map((b) => [b.upperBound, b.cumulativeCount ?? 0, exemplarOf(b.exemplar)])).toEqual([
      [0.1, 0, undefined],
      [1, 1, { labels: { trace_id: 'mid' }, value: 0.5, ms: NOW_MS }],
    ]);

    rt.histogram(LATENCY).observeWithExemplar(0, 30, { traceId: 'tail' });
    families = decodeExposition(await rt.expose('protobuf'));
    histogram = families.find((f) => f.name === 'ex_latency_seconds')!.metric[0]!.histogram!;
    expect(histogram.bucket.map((b) => [b.upperBound, b.cumulativeCount ?? 0, exemplarOf(b.exemplar)?.labels])).toEqual([
      [0.1, 0, undefined],
      [1, 1, { trace_id: 'mid' }],
      [Infinity, 2, { trace_id: 'tail' }],
    ]);
    expect(histogram.sampleCount).toBe(2);
    // A gauge has no exemplar field in metrics.proto; nothing else carries one.
    expect(families.find((f) => f.name === 'ex_queue_depth')!.metric[0]!.gauge).toEqual({ value: 0 });
  });

  it('a native histogram series also lists its exemplars in `exemplars`, oldest first', () => {
    const spec: MetricSpec = { name: 'ex_native_seconds', type: 'histogram', help: 'Native.', unit: 'seconds', labels: [], buckets: [1] };
    const rt = new MetricsRuntime([spec], { defaultMetrics: false });
    const clock = vi.spyOn(Date, 'now');
    clock.mockReturnValue(NOW_MS);
    rt.histogram(0).observeWithExemplar(0, 3, { traceId: 'older' }); // +Inf bucket
    clock.mockReturnValue(NOW_MS + 5);
    rt.histogram(0).observeWithExemplar(0, 0.5, { traceId: 'newer' }); // first bucket
    // Native recording is another branch's; a snapshot stands in for it so the encoder takes the native path.
    const family = new Family(spec);
    const snapshot: NativeHistogramSnapshot = {
      schema: 3, zeroThreshold: 2 ** -128, zeroCount: 0, count: 2, sum: 3.5,
      positiveSpans: [{ offset: -8, length: 1 }, { offset: 20, length: 1 }], positiveDeltas: [1, 0], negativeSpans: [], negativeDeltas: [],
    };
    vi.spyOn(family, 'nativeSnapshot').mockReturnValue(snapshot);
    const data = Float64Array.from([1, 1, 3.5, 2]); // bucket <= 1, +Inf bucket, sum, count
    const histogram = decodeExposition(renderProtobuf([family], [data], [], [rt.histogram(0).exemplars]))[0]!.metric[0]!.histogram!;
    expect(histogram.schema).toBe(3);
    expect(histogram.exemplars.map(exemplarOf)).toEqual([
      { labels: { trace_id: 'older' }, value: 3, ms: NOW_MS },
      { labels: { trace_id: 'newer' }, value: 0.5, ms: NOW_MS + 5 },
    ]);
    expect(histogram.bucket.map((b) => [b.upperBound, b.cumulativeCount, exemplarOf(b.exemplar)?.labels])).toEqual([
      [1, 1, { trace_id: 'newer' }],
      [Infinity, 2, { trace_id: 'older' }],
    ]);
  });
});

describe('hostile and invalid exemplars', () => {
  const withinLimit = 'x'.repeat(EXEMPLAR_LABELS_MAX_LENGTH - 'trace_id'.length);
  const invalid: [string, unknown][] = [
    ['null', null],
    ['a string', TRACE],
    ['a number', 42],
    ['no trace id', { spanId: SPAN }],
    ['an empty trace id', { traceId: '' }],
    ['a numeric trace id', { traceId: 123 }],
    ['a trace id with a newline', { traceId: 'a\nb' }],
    ['a trace id with a C1 control', { traceId: 'a\u0085b' }],
    ['a lone surrogate', { traceId: 'a\ud800' }],
    ['an empty span id', { traceId: TRACE, spanId: '' }],
    ['a numeric span id', { traceId: TRACE, spanId: 7 }],
    ['labels one character over 128', { traceId: `${withinLimit}y` }],
    ['labels with a span id over 128', { traceId: TRACE, spanId: 'z'.repeat(128 - 8 - 32 - 7 + 1) }],
    ['a huge trace id', { traceId: 'x'.repeat(1_000_000) }],
    ['a throwing getter', { get traceId(): never { throw new Error('getter'); } }],
    ['a revoked Proxy', (() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()],
  ];

  it.each(invalid)('%s: dropped and counted as invalid_exemplar, the increment and the observation still recorded', async (_, exemplar) => {
    const rt = runtime();
    expect(() => rt.counter(REQUESTS).incWithExemplar(0, 2, exemplar)).not.toThrow();
    expect(() => rt.histogram(LATENCY).observeWithExemplar(0, 0.5, exemplar)).not.toThrow();
    expect(rt.counter(REQUESTS).value(0)).toBe(2);
    expect(rt.histogram(LATENCY).count(0)).toBe(1);
    expect(rt.dropped(REQUESTS, 'invalid_exemplar')).toBe(1);
    expect(rt.dropped(LATENCY, 'invalid_exemplar')).toBe(1);
    expect(await rt.expose('openmetrics')).not.toContain(' # {');
  });

  it('accepts labels of exactly 128 code points (an astral character counts once) and the Python parser agrees', async () => {
    const rt = runtime();
    const astral = '😀'.repeat(EXEMPLAR_LABELS_MAX_LENGTH - 'trace_id'.length - 'span_id'.length - 1);
    rt.counter(REQUESTS).incWithExemplar(0, 1, { traceId: 'a', spanId: astral });
    rt.histogram(LATENCY).observeWithExemplar(0, 0.5, { traceId: withinLimit });
    expect(rt.dropped(REQUESTS, 'invalid_exemplar') + rt.dropped(LATENCY, 'invalid_exemplar')).toBe(0);
    const parsed = exemplarsWithPython(await rt.expose('openmetrics'));
    expect(parsed.error).toBeUndefined();
    expect(parsed.exemplars!.map(([, , , labels]) => labels)).toEqual([{ trace_id: 'a', span_id: astral }, { trace_id: withinLimit }]);
  });

  it('reads each property once: a getter answering differently the second time cannot slip past validation', async () => {
    const rt = runtime();
    let reads = 0;
    rt.counter(REQUESTS).incWithExemplar(0, 1, {
      get traceId() {
        reads++;
        return reads === 1 ? 'ok' : 'bad\n';
      },
    });
    expect(reads).toBe(1);
    expect(await rt.expose('openmetrics')).toContain('# {trace_id="ok"} 1 ');
  });

  it('keeps no exemplar for an observation that is itself dropped, and the previous one stays', async () => {
    const rt = runtime();
    rt.counter(REQUESTS).incWithExemplar(0, 1, { traceId: 'kept' });
    rt.counter(REQUESTS).incWithExemplar(0, -1, { traceId: 'negative' });
    rt.counter(REQUESTS).incWithExemplar(0, NaN, { traceId: 'nan' });
    rt.counter(REQUESTS).incWithExemplar(0, Number.MAX_VALUE, { traceId: 'big' });
    rt.counter(REQUESTS).incWithExemplar(0, Number.MAX_VALUE, { traceId: 'overflow' });
    rt.counter(REQUESTS).incWithExemplar(7, 1, { traceId: 'no such series' });
    rt.histogram(LATENCY).observeWithExemplar(0, 0.5, { traceId: 'kept' });
    rt.histogram(LATENCY).observeWithExemplar(0, Infinity, { traceId: 'inf' });
    rt.histogram(LATENCY).observeWithExemplar(0, 'slow' as unknown as number, { traceId: 'string' });
    rt.histogram(LATENCY).observeWithExemplar(-1, 0.5, { traceId: 'dropped label' });
    const traces = exemplarsWithPython(await rt.expose('openmetrics')).exemplars!.map(([name, , , labels]) => [name, labels['trace_id']]);
    expect(traces).toEqual([
      ['ex_requests_total', 'big'],
      ['ex_latency_seconds_bucket', 'kept'],
    ]);
    expect(rt.dropped(REQUESTS, 'invalid_exemplar')).toBe(0);
  });

  it('strict mode throws MetricsInputError (invalid_exemplar) before recording anything', () => {
    const rt = runtime(true);
    expect(() => rt.counter(REQUESTS).incWithExemplar(0, 1, { traceId: '' })).toThrow(MetricsInputError);
    expect(() => rt.histogram(LATENCY).observeWithExemplar(0, 1, { traceId: 'a\tb' })).toThrow(/ex_latency_seconds: exemplar rejected, its trace id contains a control character \(invalid_exemplar\)/);
    try {
      rt.counter(REQUESTS).incWithExemplar(0, 1, null);
    } catch (error) {
      expect(error).toMatchObject({ reason: 'invalid_exemplar', metric: 'ex_requests_total' });
    }
    expect(rt.counter(REQUESTS).value(0)).toBe(0);
    expect(rt.histogram(LATENCY).count(0)).toBe(0);
    rt.counter(REQUESTS).incWithExemplar(0, 1, { traceId: TRACE });
    expect(rt.counter(REQUESTS).value(0)).toBe(1);
  });

  it('generated module: an invalid exemplar on an event is counted once per counter or histogram record it was meant for, the values still recorded; a throwing exemplar property drops the event as unreadable_input', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = createRecorder(metrics);
    recorder.recordCacheLookup({ cacheLayer: 'disk', result: 'hit', durationSeconds: 0.01, exemplar: { traceId: 'bad\u0000' } });
    expect(droppedOf(metrics, 'lazybird_cache_lookup_duration_seconds', 'invalid_exemplar')).toBe(1);
    expect(droppedOf(metrics, 'lazybird_cache_lookups_total', 'invalid_exemplar')).toBe(1);
    expect(metrics.summary().cacheHitRatio).toBe(1);
    recorder.recordCacheLookup({
      cacheLayer: 'disk',
      result: 'miss',
      durationSeconds: 0.01,
      get exemplar(): never {
        throw new Error('getter');
      },
    });
    expect(droppedOf(metrics, 'lazybird_cache_lookups_total', 'unreadable_input')).toBe(1);
    expect(metrics.summary().cacheHitRatio).toBe(1);
    metrics.close();
  });
});

describe('exemplars over the life of a runtime', () => {
  it('reset clears them: a metric reset its own, the runtime reset every one', async () => {
    const rt = runtime();
    rt.counter(REQUESTS).incWithExemplar(0, 1, { traceId: 'a' });
    rt.histogram(LATENCY).observeWithExemplar(0, 0.5, { traceId: 'b' });
    rt.counter(REQUESTS).reset();
    let text = await rt.expose('openmetrics');
    expect(text).not.toContain('trace_id="a"');
    expect(text).toContain('trace_id="b"');
    rt.reset();
    text = await rt.expose('openmetrics');
    expect(text).not.toContain('trace_id=');
    expect(decodeExposition(await rt.expose('protobuf')).find((f) => f.name === 'ex_latency_seconds')!.metric[0]!.histogram!.bucket.some((b) => b.exemplar)).toBe(false);
  });

  it('a cluster primary keeps the latest exemplar per series and bucket over the processes, and ignores malformed ones', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const worker = runtime();
    worker.counter(REQUESTS).incWithExemplar(0, 1, { traceId: 'older' });
    worker.histogram(LATENCY).observeWithExemplar(0, 0.5, { traceId: 'bucket' });
    const sent = worker.clusterExemplars();
    expect(sent).toEqual([
      { metric: 'ex_requests_total', labels: { route: 'home' }, bucket: 0, exemplar: { labels: [['trace_id', 'older']], value: 1, timestampMs: NOW_MS } },
      { metric: 'ex_latency_seconds', labels: {}, bucket: 1, exemplar: { labels: [['trace_id', 'bucket']], value: 0.5, timestampMs: NOW_MS } },
    ]);
    const newer = { metric: 'ex_requests_total', labels: { route: 'home' }, bucket: 0, exemplar: { labels: [['trace_id', 'newer']], value: 2, timestampMs: NOW_MS + 1 } };
    const malformed = [
      null,
      { ...newer, metric: 'ex_queue_depth' }, // a gauge
      { ...newer, labels: { route: 'nowhere' } },
      { ...newer, bucket: 1 },
      { ...newer, exemplar: { ...newer.exemplar, labels: [['trace_id', 'bad\n']], timestampMs: NOW_MS + 2 } },
      { ...newer, exemplar: { ...newer.exemplar, labels: [['user', 'x']], timestampMs: NOW_MS + 2 } },
      { ...newer, exemplar: { ...newer.exemplar, value: 'NaN', timestampMs: NOW_MS + 2 } },
    ];
    const primary = runtime();
    const aggregate = primary.renderAggregate(await worker.getMetricsAsJSON(), 'openmetrics', performance.now(), [...sent, newer, ...malformed]);
    const traces = exemplarsWithPython(aggregate).exemplars!.map(([name, , , labels]) => [name, labels['trace_id']]);
    expect(traces).toEqual([
      ['ex_requests_total', 'newer'],
      ['ex_latency_seconds_bucket', 'bucket'],
    ]);
    expect(primary.renderAggregate(await worker.getMetricsAsJSON(), 'text', performance.now(), sent)).not.toContain('trace_id');
  });
});

describe('the generated event types', () => {
  it('an event that records only gauges has no exemplar field; one with a counter or histogram has it, and only those records take it', () => {
    const { catalog, diagnostics } = compileCatalog(
      `namespace: shop
labels: {}
groups: { main: { title: Main } }
metrics:
  queue_depth: { type: gauge, group: main, help: Queue depth., unit: none }
  jobs_total: { type: counter, group: main, help: Jobs., unit: count }
events:
  queue_changed:
    description: The queue moved.
    fields: { depth: { type: number } }
    records: [{ set: queue_depth, value: depth }]
  job_done:
    description: A job finished.
    fields: { depth: { type: number } }
    records: [{ inc: jobs_total }, { set: queue_depth, value: depth }]
`,
      'metrics.yaml',
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const module = [...emitTypeScript(catalog!).values()][0]!;
    const typeOf = (name: string): string => module.slice(module.indexOf(`export interface ${name} {`)).split('\n}\n')[0]!;
    expect(typeOf('QueueChangedEvent')).not.toContain('exemplar');
    expect(typeOf('JobDoneEvent')).toContain('readonly exemplar?: Exemplar;');
    expect(module).toContain('jobsTotalStore.incWithExemplar(0, 1, exemplar);');
    expect(module).toContain('queueDepthStore.set(0, depth);');
  });
});
