/**
 * An independent decoder of the protobuf exposition: protobufjs reading client_model's own
 * metrics.proto (test/fixtures/prometheus/metrics.proto), so nothing of runtime/protobuf.ts is
 * trusted to read back what it wrote.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = protobuf.loadSync(fileURLToPath(new URL('../fixtures/prometheus/metrics.proto', import.meta.url)));
const MetricFamilyType = root.lookupType('io.prometheus.client.MetricFamily');

export interface DecodedLabel { name?: string; value?: string }
export interface DecodedTimestamp { seconds?: number; nanos?: number }
export interface DecodedExemplar { label: DecodedLabel[]; value?: number; timestamp?: DecodedTimestamp }
export interface DecodedSpan { offset?: number; length?: number }
export interface DecodedBucket { cumulativeCount?: number; cumulativeCountFloat?: number; upperBound?: number; exemplar?: DecodedExemplar }
export interface DecodedHistogram {
  sampleCount?: number;
  sampleCountFloat?: number;
  sampleSum?: number;
  bucket: DecodedBucket[];
  createdTimestamp?: DecodedTimestamp;
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  zeroCountFloat?: number;
  negativeSpan: DecodedSpan[];
  negativeDelta: number[];
  negativeCount: number[];
  positiveSpan: DecodedSpan[];
  positiveDelta: number[];
  positiveCount: number[];
  exemplars: DecodedExemplar[];
}
export interface DecodedMetric {
  label: DecodedLabel[];
  gauge?: { value?: number };
  counter?: { value?: number; exemplar?: DecodedExemplar; createdTimestamp?: DecodedTimestamp };
  summary?: { sampleCount?: number; sampleSum?: number; quantile: { quantile?: number; value?: number }[]; createdTimestamp?: DecodedTimestamp };
  untyped?: { value?: number };
  histogram?: DecodedHistogram;
  timestampMs?: number;
}
export interface DecodedFamily {
  name?: string;
  help?: string;
  type?: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'UNTYPED' | 'HISTOGRAM' | 'GAUGE_HISTOGRAM';
  metric: DecodedMetric[];
  unit?: string;
}

/** Decodes a stream of length-delimited MetricFamily messages; throws on a malformed or truncated one. */
export function decodeExposition(bytes: Uint8Array): DecodedFamily[] {
  const reader = protobuf.Reader.create(bytes);
  const families: DecodedFamily[] = [];
  while (reader.pos < reader.len) {
    const message = MetricFamilyType.decodeDelimited(reader);
    families.push(MetricFamilyType.toObject(message, { longs: Number, enums: String, arrays: true, defaults: false }) as DecodedFamily);
  }
  return families;
}

/** A decoded metric's labels as an object. */
export function labelsOf(metric: { label: DecodedLabel[] }): Record<string, string> {
  return Object.fromEntries(metric.label.map((l) => [l.name ?? '', l.value ?? '']));
}
