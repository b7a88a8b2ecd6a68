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
import type { ExemplarSnapshot } from './protobuf.js';

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

/** C0 controls, DEL and C1 controls (as refused in learned label values). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** In `u` mode a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Exemplars kept by one counter or histogram, by slot: the series for a counter, `series *
 * (bounds + 1) + bucket` for a histogram.
 */
export type ExemplarStore = Map<number, ExemplarSnapshot>;

/** Code points of a well-formed string. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

/** Why a label value cannot go into an exemplar, or undefined when it can. */
function invalidValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value.length === 0) return 'is empty';
  // Longer than the whole budget in UTF-16 units is over it in code points too (at most 2 units each).
  if (value.length > 2 * EXEMPLAR_LABELS_MAX_LENGTH) return `is longer than ${EXEMPLAR_LABELS_MAX_LENGTH} characters`;
  if (CONTROL.test(value)) return 'contains a control character';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate (not valid UTF-8)';
  return undefined;
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
  const badTrace = invalidValue(traceId);
  if (badTrace !== undefined) return `its trace id ${badTrace}`;
  const trace = traceId as string;
  if (spanId === undefined) {
    if (TRACE_ID_LABEL.length + codePoints(trace) > EXEMPLAR_LABELS_MAX_LENGTH) return `its labels are longer than ${EXEMPLAR_LABELS_MAX_LENGTH} characters`;
    return [[TRACE_ID_LABEL, trace]];
  }
  const badSpan = invalidValue(spanId);
  if (badSpan !== undefined) return `its span id ${badSpan}`;
  const span = spanId as string;
  const length = TRACE_ID_LABEL.length + codePoints(trace) + SPAN_ID_LABEL.length + codePoints(span);
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

/** Index of the classic bucket `v` falls in: the first bound >= v, or `bounds.length` for +Inf. */
export function bucketOf(bounds: Float64Array, v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > bounds[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The OpenMetrics suffix of a sample line that carries an exemplar: ` # {trace_id="…"} value
 * timestamp`, the timestamp in seconds as OpenMetrics writes every timestamp.
 */
export function openMetricsExemplar(exemplar: ExemplarSnapshot): string {
  const labels = exemplar.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  return ` # {${labels}} ${formatValue(exemplar.value)} ${formatValue(exemplar.timestampMs / 1000)}`;
}
