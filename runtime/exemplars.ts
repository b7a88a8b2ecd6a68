/**
 * Exemplars: a trace (and span) id attached to one counter increment or histogram observation, so a
 * dashboard can jump from a spike to a trace that made it. OpenMetrics allows them on counters and
 * histogram buckets only; the text format 0.0.4 has no syntax for them.
 *
 * Kept apart from the typed arrays: a recording call without an exemplar never reaches this module
 * (the generated code tests `exemplar !== undefined` and calls the plain method), and one with an
 * exemplar may allocate. Each counter series keeps its latest exemplar, each histogram series one
 * per classic bucket (+Inf included), as client_golang does for classic buckets.
 */
import type { DropCounter } from './drops.js';
import { INVALID_EXEMPLAR } from './drops.js';
import { escapeLabelValue, formatValue } from './format.js';

/** An exemplar as the runtime hands it to the encoder: its labels (a trace id...), value and time. */
export interface ExemplarSnapshot {
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
  readonly timestampMs: number;
}

/** What a recording call takes: the trace (and span) of the work it measures. */
export interface Exemplar {
  /** The trace id (OpenTelemetry: 32 lowercase hex characters), exposed as the label `trace_id`. */
  readonly traceId: string;
  /** The span id (OpenTelemetry: 16 lowercase hex characters), exposed as the label `span_id`. */
  readonly spanId?: string;
}

/** Exposed label names, as OpenTelemetry and the Prometheus clients name them. */
export const TRACE_ID_LABEL = 'trace_id';
export const SPAN_ID_LABEL = 'span_id';

/**
 * OpenMetrics: "The combined length of the label names and values of an Exemplar's LabelSet MUST
 * NOT exceed 128 UTF-8 characters" (code points).
 */
export const EXEMPLAR_LABELS_MAX_LENGTH = 128;

/**
 * Exemplars kept by one counter or histogram, by slot: the series for a counter, `series *
 * (bounds + 1) + bucket` for a histogram.
 */
export type ExemplarStore = Map<number, ExemplarSnapshot>;

/** Why a label value cannot go into an exemplar (a phrase), else its length in code points. */
function codePointsOf(value: unknown): number | string {
  if (typeof value !== 'string') return 'is not a string';
  const n = value.length;
  if (n === 0) return 'is empty';
  // Longer than the whole budget in UTF-16 units is over it in code points too (at most 2 units each).
  if (n > 2 * EXEMPLAR_LABELS_MAX_LENGTH) return `is longer than ${EXEMPLAR_LABELS_MAX_LENGTH} characters`;
  // One pass instead of regular expressions: this runs on every exemplar recorded.
  let points = n;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    // C0 controls, DEL and C1 controls (as refused in learned label values).
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'contains a control character';
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? value.charCodeAt(i + 1) : 0;
      // A lone surrogate would be written as U+FFFD: not the id the caller gave.
      if (c >= 0xdc00 || next < 0xdc00 || next > 0xdfff) return 'contains a lone surrogate (not valid UTF-8)';
      i++;
      points--;
    }
  }
  return points;
}

/**
 * The label pairs of an exemplar, or why it is refused: not an object, a trace id that is not a
 * non-empty printable string, a span id given but not one, labels over OpenMetrics's 128 characters,
 * or a getter that throws. Each property is read once: a getter could answer differently twice.
 */
export function exemplarLabels(exemplar: unknown): ExemplarSnapshot['labels'] | string {
  if (typeof exemplar !== 'object' || exemplar === null) return 'it is not an object';
  let traceId: unknown;
  let spanId: unknown;
  try {
    traceId = (exemplar as { traceId?: unknown }).traceId;
    spanId = (exemplar as { spanId?: unknown }).spanId;
  } catch {
    return 'reading it threw (a getter or Proxy)';
  }
  const tracePoints = codePointsOf(traceId);
  if (typeof tracePoints === 'string') return `its trace id ${tracePoints}`;
  const trace = traceId as string;
  if (spanId === undefined) {
    if (TRACE_ID_LABEL.length + tracePoints > EXEMPLAR_LABELS_MAX_LENGTH) return `its labels are longer than ${EXEMPLAR_LABELS_MAX_LENGTH} characters`;
    return [[TRACE_ID_LABEL, trace]];
  }
  const spanPoints = codePointsOf(spanId);
  if (typeof spanPoints === 'string') return `its span id ${spanPoints}`;
  const span = spanId as string;
  const length = TRACE_ID_LABEL.length + tracePoints + SPAN_ID_LABEL.length + spanPoints;
  if (length > EXEMPLAR_LABELS_MAX_LENGTH) return `its labels are longer than ${EXEMPLAR_LABELS_MAX_LENGTH} characters`;
  return [
    [TRACE_ID_LABEL, trace],
    [SPAN_ID_LABEL, span],
  ];
}

/**
 * The labels of an exemplar given to a recording call, or undefined when there is none or it is
 * refused: a refused one is counted as an `invalid_exemplar` drop (strict mode throws, before the
 * observation is recorded; default mode records the observation without it).
 */
export function acceptExemplar(drops: DropCounter, metricId: number, exemplar: unknown): ExemplarSnapshot['labels'] | undefined {
  if (exemplar === undefined) return undefined;
  const labels = exemplarLabels(exemplar);
  if (typeof labels !== 'string') return labels;
  drops.drop(metricId, INVALID_EXEMPLAR, labels);
  return undefined;
}

/**
 * Where a store keeps an exemplar: per series for a counter (one bucket), per series and classic
 * bucket (+Inf included) for a histogram. See Family#exemplarBuckets.
 */
export function exemplarKey(series: number, bucket: number, bucketsPerSeries: number): number {
  return series * bucketsPerSeries + bucket;
}

/**
 * The OpenMetrics suffix of a sample line that carries an exemplar: ` # {trace_id="…"} value
 * timestamp`, the timestamp in seconds as OpenMetrics writes every timestamp.
 */
export function openMetricsExemplar(exemplar: ExemplarSnapshot): string {
  const labels = exemplar.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  return ` # {${labels}} ${formatValue(exemplar.value)} ${formatValue(exemplar.timestampMs / 1000)}`;
}

/**
 * An exemplar as a cluster worker sends it to the primary: by metric name and label values (a
 * learned label's slots differ between processes), and the bucket for a histogram (0 for a counter).
 */
export interface ClusterExemplar {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly bucket: number;
  readonly exemplar: ExemplarSnapshot;
}

/**
 * A {@link ClusterExemplar} received from another process, checked as if it were recorded here
 * (labels revalidated, finite value and time); undefined for anything else.
 */
export function receivedExemplar(entry: unknown): ClusterExemplar | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { metric, labels, bucket, exemplar } = entry as Record<string, unknown>;
  if (typeof metric !== 'string' || typeof labels !== 'object' || labels === null || !Number.isInteger(bucket)) return undefined;
  if (!Object.values(labels).every((v) => typeof v === 'string')) return undefined;
  if (typeof exemplar !== 'object' || exemplar === null) return undefined;
  const { labels: pairs, value, timestampMs } = exemplar as Record<string, unknown>;
  if (typeof value !== 'number' || !Number.isFinite(value) || typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) return undefined;
  if (!Array.isArray(pairs)) return undefined;
  const byName = new Map(pairs.filter((p): p is [string, unknown] => Array.isArray(p) && p.length === 2).map(([name, v]) => [name, v]));
  if (byName.size !== pairs.length) return undefined;
  const checked = exemplarLabels({ traceId: byName.get(TRACE_ID_LABEL), spanId: byName.get(SPAN_ID_LABEL) });
  if (typeof checked === 'string' || checked.length !== pairs.length) return undefined;
  return { metric, labels: labels as Record<string, string>, bucket: bucket as number, exemplar: { labels: checked, value, timestampMs } };
}
