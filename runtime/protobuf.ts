/**
 * The Prometheus protobuf exposition: a stream of `io.prometheus.client.MetricFamily` messages
 * (client_model's io/prometheus/client/metrics.proto), each preceded by its length as a varint.
 * It is the only format that carries native histograms, and the one Prometheus prefers once its
 * native-histograms feature is on.
 *
 * Written straight onto a growable byte buffer rather than through a protobuf library: the runtime
 * keeps a single dependency (prom-client), and the handful of field kinds metrics.proto uses
 * (varint, zigzag, double, string, nested message) fit in a page. test/runtime/protobuf.test.ts
 * decodes the output with protobufjs and the .proto file itself.
 */
import type { ExemplarSnapshot, ExemplarStore } from './exemplars.js';
import { exemplarKey } from './exemplars.js';
import { foreignMetricsToServe } from './exposition.js';
import type { Family } from './family.js';
import type { PromMetricJSON, PromValueJSON } from './json.js';
import type { NativeHistogramSnapshot } from './native-histogram.js';

/** metrics.proto's `MetricType` values. */
export const PROTO_METRIC_TYPE = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 } as const;
export type ProtoMetricType = (typeof PROTO_METRIC_TYPE)[keyof typeof PROTO_METRIC_TYPE];

/** Label pairs of one series, in exposition order. */
export type LabelPairs = readonly (readonly [name: string, value: string])[];

/** One classic bucket: cumulative count of observations <= `upperBound`. */
export interface ClassicBucket {
  readonly upperBound: number;
  readonly cumulativeCount: number;
  readonly exemplar?: ExemplarSnapshot;
}

/** One histogram series: classic buckets (without +Inf, implied by `count`), native buckets, or both. */
export interface HistogramSample {
  readonly count: number;
  readonly sum: number;
  readonly buckets: readonly ClassicBucket[];
  readonly native?: NativeHistogramSnapshot;
  /** Exemplars of the native buckets (metrics.proto: they must have a timestamp, which ours always do). */
  readonly exemplars?: readonly ExemplarSnapshot[];
}

/** One summary series, as prom-client exposes them. */
export interface SummarySample {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly (readonly [quantile: number, value: number])[];
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

function varintSize(v: number): number {
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/** Protobuf's zigzag mapping of a signed integer (sint32/sint64), exact for |v| < 2^52. */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/**
 * A growable byte buffer with the protobuf primitives. A nested message is written in place after a
 * one-byte length placeholder; {@link end} moves it when its length needs more bytes, which is rare
 * (messages over 127 bytes) and a single memmove.
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** A non-negative integer below 2^64 as a varint (exact: dividing a double by 128 is). */
  varint(v: number): void {
    this.reserve(10);
    this.pos = this.putVarint(this.pos, v);
  }

  private putVarint(at: number, v: number): number {
    while (v >= 0x80) {
      this.buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at++] = v;
    return at;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** uint32/uint64/enum field. */
  uint(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(v);
  }

  /** int64 field; a negative value takes ten bytes, two's complement as protobuf wants. */
  int64(field: number, v: number): void {
    this.tag(field, VARINT);
    if (v >= 0) return this.varint(v);
    let u = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** sint32/sint64 field (zigzag). */
  sint(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(zigzag(v));
  }

  double(field: number, v: number): void {
    this.tag(field, FIXED64);
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  string(field: number, s: string): void {
    this.tag(field, LENGTH_DELIMITED);
    // Names and label values are nearly always short ASCII: copied byte by byte, they skip the two
    // native calls (length, then write) that dominate a scrape otherwise.
    const n = s.length;
    if (n < 0x80) {
      this.reserve(1 + n);
      const start = this.pos;
      const buf = this.buf;
      buf[start] = n;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        this.pos = start + 1 + n;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varint(bytes);
    this.reserve(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
  }

  /** Starts a length-prefixed region (after the field's tag, or alone for a delimited message). */
  begin(): number {
    this.reserve(1);
    this.pos += 1;
    return this.pos;
  }

  /** Ends the region {@link begin} started at `start`, writing its length before it. */
  end(start: number): void {
    const length = this.pos - start;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.reserve(extra);
      this.buf.copyWithin(start + extra, start, this.pos);
      this.pos += extra;
    }
    this.putVarint(start - 1, length);
  }

  /** Starts a nested message in `field`. */
  beginField(field: number): number {
    this.tag(field, LENGTH_DELIMITED);
    return this.begin();
  }

  /** Drops everything written from `position` on. */
  rewind(position: number): void {
    this.pos = position;
  }

  /** The bytes written (a view of the buffer, which must not be written to afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Writes MetricFamily messages one metric at a time. A family that ends without a metric is left
 * out: Prometheus skips such families anyway, and client_golang never writes them.
 */
export class ProtobufEncoder {
  private readonly w = new ProtoWriter();
  private familyStart = -1;
  private familyBody = -1;
  private familyUnit = '';
  private metricsInFamily = 0;

  beginFamily(name: string, help: string, type: ProtoMetricType, unit = ''): void {
    if (this.familyStart >= 0) throw new Error('ProtobufEncoder: a family is already open');
    this.familyStart = this.w.length;
    this.familyBody = this.w.begin();
    this.familyUnit = unit;
    this.metricsInFamily = 0;
    this.w.string(1, name);
    this.w.string(2, help);
    this.w.uint(3, type);
  }

  endFamily(): void {
    if (this.familyStart < 0) throw new Error('ProtobufEncoder: no family is open');
    if (this.metricsInFamily === 0) {
      this.w.rewind(this.familyStart);
    } else {
      if (this.familyUnit !== '') this.w.string(5, this.familyUnit);
      this.w.end(this.familyBody);
    }
    this.familyStart = -1;
  }

  counter(labels: LabelPairs, value: number, exemplar?: ExemplarSnapshot): void {
    const metric = this.beginMetric(labels);
    const counter = this.w.beginField(3);
    this.w.double(1, value);
    if (exemplar !== undefined) this.exemplar(2, exemplar);
    this.w.end(counter);
    this.w.end(metric);
  }

  gauge(labels: LabelPairs, value: number): void {
    this.single(labels, 2, value);
  }

  untyped(labels: LabelPairs, value: number): void {
    this.single(labels, 5, value);
  }

  histogram(labels: LabelPairs, sample: HistogramSample): void {
    const w = this.w;
    const metric = this.beginMetric(labels);
    const histogram = w.beginField(7);
    this.count(1, 4, sample.count);
    w.double(2, sample.sum);
    for (const bucket of sample.buckets) {
      const b = w.beginField(3);
      this.count(1, 4, bucket.cumulativeCount);
      w.double(2, bucket.upperBound);
      if (bucket.exemplar !== undefined) this.exemplar(3, bucket.exemplar);
      w.end(b);
    }
    const native = sample.native;
    if (native !== undefined) {
      w.sint(5, native.schema);
      w.double(6, native.zeroThreshold);
      this.count(7, 8, native.zeroCount);
      for (const span of native.negativeSpans) this.span(9, span.offset, span.length);
      for (const delta of native.negativeDeltas) w.sint(10, delta);
      // No span at all would make the histogram look classic to a scraper (client_golang writes
      // this no-op span for the same reason).
      if (native.positiveSpans.length === 0 && native.negativeSpans.length === 0) this.span(12, 0, 0);
      for (const span of native.positiveSpans) this.span(12, span.offset, span.length);
      for (const delta of native.positiveDeltas) w.sint(13, delta);
    }
    for (const exemplar of sample.exemplars ?? []) this.exemplar(16, exemplar);
    w.end(histogram);
    w.end(metric);
  }

  summary(labels: LabelPairs, sample: SummarySample): void {
    const w = this.w;
    const metric = this.beginMetric(labels);
    const summary = w.beginField(4);
    w.uint(1, Number.isSafeInteger(sample.count) && sample.count > 0 ? sample.count : 0);
    w.double(2, sample.sum);
    for (const [quantile, value] of sample.quantiles) {
      const q = w.beginField(3);
      w.double(1, quantile);
      w.double(2, value);
      w.end(q);
    }
    w.end(summary);
    w.end(metric);
  }

  /** The encoded families; the encoder must not be used afterwards. */
  finish(): Buffer {
    if (this.familyStart >= 0) throw new Error('ProtobufEncoder: a family is still open');
    return this.w.finish();
  }

  private beginMetric(labels: LabelPairs): number {
    if (this.familyStart < 0) throw new Error('ProtobufEncoder: no family is open');
    this.metricsInFamily++;
    const metric = this.w.beginField(4);
    for (const [name, value] of labels) this.labelPair(name, value);
    return metric;
  }

  private single(labels: LabelPairs, field: number, value: number): void {
    const metric = this.beginMetric(labels);
    const message = this.w.beginField(field);
    this.w.double(1, value);
    this.w.end(message);
    this.w.end(metric);
  }

  private labelPair(name: string, value: string): void {
    const pair = this.w.beginField(1);
    this.w.string(1, name);
    this.w.string(2, value);
    this.w.end(pair);
  }

  /**
   * A count: the uint64 field when it is a whole number (every double from 2^53 on is, and its
   * varint is exact), else the `_float` field that overrides it. Prometheus reads a histogram with a
   * float count as a float histogram, so integer counts must never take that path.
   */
  private count(intField: number, floatField: number, value: number): void {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 64) this.w.uint(intField, value);
    else this.w.double(floatField, value);
  }

  private span(field: number, offset: number, length: number): void {
    const span = this.w.beginField(field);
    this.w.sint(1, offset);
    this.w.uint(2, length);
    this.w.end(span);
  }

  private exemplar(field: number, exemplar: ExemplarSnapshot): void {
    const w = this.w;
    const message = w.beginField(field);
    for (const [name, value] of exemplar.labels) this.labelPair(name, value);
    w.double(2, exemplar.value);
    // google.protobuf.Timestamp: whole seconds, then nanoseconds in [0, 1e9).
    const seconds = Math.floor(exemplar.timestampMs / 1000);
    const nanos = Math.round((exemplar.timestampMs - seconds * 1000) * 1e6);
    const timestamp = w.beginField(3);
    w.int64(1, seconds);
    if (nanos > 0) w.uint(2, Math.min(nanos, 999_999_999));
    w.end(timestamp);
    w.end(message);
  }
}

/**
 * Encodes a whole exposition, in the order and with the name clashes resolved as in
 * {@link renderExposition}: our families, then prom-client's metrics (default process metrics
 * included).
 */
export function renderProtobuf(
  families: readonly Family[],
  data: readonly Float64Array[],
  foreign: readonly PromMetricJSON[],
  exemplars: readonly (ExemplarStore | undefined)[] = [],
): Buffer {
  const encoder = new ProtobufEncoder();
  families.forEach((family, i) => encodeFamily(encoder, family, data[i]!, exemplars[i]));
  for (const metric of foreignMetricsToServe(families, foreign)) encodeForeign(encoder, metric);
  return encoder.finish();
}

function encodeFamily(encoder: ProtobufEncoder, family: Family, data: Float64Array, exemplars: ExemplarStore | undefined): void {
  const spec = family.spec;
  if (spec.type === 'info') {
    // metrics.proto has no info type: a gauge named `<family>_info` of value 1, as client_golang
    // writes `go_build_info` and as our text format writes it.
    encoder.beginFamily(spec.name, spec.help, PROTO_METRIC_TYPE.gauge);
    if (data[0] === 1) {
      const names = spec.infoLabels ?? [];
      encoder.gauge(
        names.map((name, i) => [name, family.infoLabelValues[i] ?? ''] as const),
        1,
      );
    }
    encoder.endFamily();
    return;
  }
  // Counters keep their `_total` name: Prometheus's protobuf parser uses the family name as is.
  encoder.beginFamily(spec.name, spec.help, PROTO_METRIC_TYPE[spec.type], spec.unit);
  const labelNames = spec.labels.map((label) => label.name);
  for (let s = 0; s < family.series; s++) {
    const values = family.labelValuesOf(s);
    // A series with a learned slot still free does not exist yet (as in the text formats).
    if (values.includes(undefined)) continue;
    const labels = labelNames.map((name, k) => [name, values[k]!] as const);
    if (spec.type === 'counter') encoder.counter(labels, data[s]!, exemplars?.get(s));
    else if (spec.type === 'gauge') encoder.gauge(labels, data[s]!);
    else encoder.histogram(labels, histogramSample(family, data, s, exemplars));
  }
  encoder.endFamily();
}

/**
 * One series of one of our histograms. Unlike the text formats, protobuf always carries the sum and
 * count, also for a histogram with a negative bucket bound (see histogramExposesSum): Prometheus's
 * protobuf parser stores `_sum` and `_count` series for every classic histogram whatever the message
 * holds, so leaving the fields out would store a made-up 0 where the recorded value is known.
 */
function histogramSample(family: Family, data: Float64Array, series: number, exemplars: ExemplarStore | undefined): HistogramSample {
  const bounds = family.bounds;
  const n = bounds.length;
  const base = series * family.stride;
  const buckets: ClassicBucket[] = [];
  const held = exemplars === undefined || exemplars.size === 0 ? undefined : exemplars;
  let cumulative = 0;
  for (let b = 0; b < n; b++) {
    cumulative += data[base + b]!;
    const exemplar = held?.get(exemplarKey(series, b, n + 1));
    buckets.push(exemplar === undefined ? { upperBound: bounds[b]!, cumulativeCount: cumulative } : { upperBound: bounds[b]!, cumulativeCount: cumulative, exemplar });
  }
  // The +Inf bucket is implied by the count, so written only to carry its exemplar (as client_golang).
  const infExemplar = held?.get(exemplarKey(series, n, n + 1));
  if (infExemplar !== undefined) buckets.push({ upperBound: Infinity, cumulativeCount: cumulative + data[base + n]!, exemplar: infExemplar });
  const native = family.nativeSnapshot(data, series);
  if (native === undefined) return { count: data[base + n + 2]!, sum: data[base + n + 1]!, buckets };
  // A native histogram also lists its exemplars apart (metrics.proto's `exemplars`), oldest first;
  // older Prometheus versions (2.42 among them) read them from the classic buckets above instead.
  const nativeExemplars = buckets.flatMap((bucket) => (bucket.exemplar === undefined ? [] : [bucket.exemplar]));
  nativeExemplars.sort((a, b) => a.timestampMs - b.timestampMs);
  return { count: native.count, sum: native.sum, buckets, native, exemplars: nativeExemplars };
}

function encodeForeign(encoder: ProtobufEncoder, metric: PromMetricJSON): void {
  const samples = metric.values ?? [];
  const help = String(metric.help);
  switch (metric.type) {
    case 'counter':
    case 'gauge':
      encoder.beginFamily(metric.name, help, PROTO_METRIC_TYPE[metric.type]);
      for (const sample of samples) {
        if (metric.type === 'counter') encoder.counter(labelPairsOf(sample), Number(sample.value));
        else encoder.gauge(labelPairsOf(sample), Number(sample.value));
      }
      break;
    case 'histogram':
      encoder.beginFamily(metric.name, help, PROTO_METRIC_TYPE.histogram);
      for (const { labels, sample } of foreignHistograms(metric)) encoder.histogram(labels, sample);
      break;
    case 'summary':
      encoder.beginFamily(metric.name, help, PROTO_METRIC_TYPE.summary);
      for (const { labels, sample } of foreignSummaries(metric)) encoder.summary(labels, sample);
      break;
    default:
      encoder.beginFamily(metric.name, help, PROTO_METRIC_TYPE.untyped);
      for (const sample of samples) encoder.untyped(labelPairsOf(sample), Number(sample.value));
  }
  encoder.endFamily();
}

/** A sample's label pairs, leaving out `skip` (the `le` or `quantile` label) and absent values. */
function labelPairsOf(sample: PromValueJSON, skip?: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(sample.labels ?? {})) {
    if (name !== skip && value !== undefined) pairs.push([name, String(value)]);
  }
  return pairs;
}

/** Groups a metric's samples by their labels less `skip`, in order of first appearance. */
function groupSamples<T>(metric: PromMetricJSON, skip: string, create: () => T, add: (group: T, sample: PromValueJSON) => void) {
  const groups = new Map<string, { labels: [string, string][]; sample: T }>();
  for (const sample of metric.values ?? []) {
    const labels = labelPairsOf(sample, skip);
    const key = JSON.stringify(labels);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { labels, sample: create() }));
    add(group.sample, sample);
  }
  return groups.values();
}

/** prom-client histogram samples (`_bucket` per `le`, cumulative; `_sum`; `_count`) per series. */
function foreignHistograms(metric: PromMetricJSON) {
  interface Building {
    count: number | undefined;
    infCount: number;
    sum: number;
    buckets: ClassicBucket[];
  }
  const groups = groupSamples<Building>(
    metric,
    'le',
    () => ({ count: undefined, infCount: 0, sum: 0, buckets: [] }),
    (h, sample) => {
      const value = Number(sample.value);
      if (sample.metricName === `${metric.name}_sum`) h.sum = value;
      else if (sample.metricName === `${metric.name}_count`) h.count = value;
      else if (sample.metricName === `${metric.name}_bucket`) {
        const le = sample.labels?.['le'];
        const bound = le === '+Inf' ? Infinity : Number(le);
        if (bound === Infinity) h.infCount = value;
        else if (!Number.isNaN(bound)) h.buckets.push({ upperBound: bound, cumulativeCount: value });
      }
    },
  );
  return [...groups].map(({ labels, sample: h }) => ({
    labels,
    sample: {
      count: h.count ?? h.infCount,
      sum: h.sum,
      buckets: h.buckets.sort((a, b) => a.upperBound - b.upperBound),
    } satisfies HistogramSample,
  }));
}

/** prom-client summary samples (one per `quantile`; `_sum`; `_count`) per series. */
function foreignSummaries(metric: PromMetricJSON) {
  interface Building {
    count: number;
    sum: number;
    quantiles: [number, number][];
  }
  const groups = groupSamples<Building>(
    metric,
    'quantile',
    () => ({ count: 0, sum: 0, quantiles: [] }),
    (s, sample) => {
      const value = Number(sample.value);
      if (sample.metricName === `${metric.name}_sum`) s.sum = value;
      else if (sample.metricName === `${metric.name}_count`) s.count = value;
      else if (sample.labels?.['quantile'] !== undefined) s.quantiles.push([Number(sample.labels['quantile']), value]);
    },
  );
  return [...groups].map(({ labels, sample }) => ({ labels, sample: sample satisfies SummarySample }));
}
