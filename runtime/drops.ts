/**
 * Guards' bookkeeping: why a recording was dropped, the self-metric that counts drops, and the error
 * strict mode throws instead.
 */

/**
 * Why a recording was dropped. The set is closed so the drop counter's series are known up front:
 * - `unknown_label_value`: a label value outside the catalogue, for a label without an overflow value;
 *   for a label that learns its values, a value it cannot learn (not a string, empty, too long,
 *   control characters) or, without an overflow value, one that arrives after its slots are taken;
 * - `non_finite_value`: NaN, +Infinity or -Infinity;
 * - `not_a_number`: a value whose `typeof` is not `'number'` (a string, bigint, undefined, object...);
 * - `negative_increment`: a negative counter increment (counters only go up);
 * - `series_out_of_range`: a series index that is not an integer in `[0, series count)`; only a bug
 *   or a caller bypassing the generated code can produce it;
 * - `unreadable_input`: reading the label object or the event threw (a throwing getter, a revoked
 *   Proxy); nothing of that call is recorded;
 * - `overflow`: the increment or observation would make a counter, a gauge or a histogram's sum
 *   reach ±Infinity, which Prometheus cannot tell from a broken value;
 * - `invalid_exemplar`: an exemplar that is not `{ traceId, spanId? }` with non-empty printable ids
 *   within OpenMetrics's 128 characters (or whose getter threw); the observation itself is recorded.
 */
export const DROP_REASONS = [
  'unknown_label_value',
  'non_finite_value',
  'not_a_number',
  'negative_increment',
  'series_out_of_range',
  'unreadable_input',
  'overflow',
  'invalid_exemplar',
] as const;

/** Help text of the drop counter; the generator documents the counter with the same words. */
export const DROPPED_HELP = 'Recording calls the exporter dropped instead of creating a series outside the catalogue, by metric and reason.';

/** One of {@link DROP_REASONS}. */
export type DropReason = (typeof DROP_REASONS)[number];

/** Index of each reason in {@link DROP_REASONS}; the storage classes pass these integers. */
export const UNKNOWN_LABEL_VALUE = 0;
export const NON_FINITE_VALUE = 1;
export const NOT_A_NUMBER = 2;
export const NEGATIVE_INCREMENT = 3;
export const SERIES_OUT_OF_RANGE = 4;
export const UNREADABLE_INPUT = 5;
export const OVERFLOW = 6;
export const INVALID_EXEMPLAR = 7;

/** Thrown in strict mode where default mode would drop the input and count it. */
export class MetricsInputError extends Error {
  /** Full name of the metric the input was meant for. */
  readonly metric: string;
  /** The drop reason default mode would have counted. */
  readonly reason: DropReason;

  constructor(metric: string, reason: DropReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetricsInputError';
    this.metric = metric;
    this.reason = reason;
  }
}

/**
 * A short, printable description of any value, for error messages. Never throws: values may be
 * hostile (a Proxy, an object whose toString throws, a symbol) and strict mode must still raise a
 * MetricsInputError rather than whatever describing them would throw.
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string': {
        const quoted = JSON.stringify(value);
        return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
      }
      case 'number':
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'bigint':
        return `${value}n`;
      case 'symbol':
        return value.toString();
      case 'function':
        return 'a function';
      default:
        return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    }
  } catch {
    return 'an indescribable value';
  }
}

/**
 * Counts drops per metric and reason in one typed array laid out exactly as the drop self-metric's
 * series (`metric` label first, then `reason`), so exposition reads it like any other counter.
 */
export class DropCounter {
  /** @internal Shared with the exposition of the drop self-metric; emptied by {@link release}. */
  data: Float64Array;
  /** After {@link release}, recordings that reach a cold path are ignored instead of counted or thrown. */
  private released = false;

  constructor(
    private readonly metricNames: readonly string[],
    private readonly strict: boolean,
  ) {
    this.data = new Float64Array(metricNames.length * DROP_REASONS.length);
  }

  /**
   * Records a drop, or throws in strict mode. Cold path: only reached when input is bad.
   * @param reason index into DROP_REASONS
   */
  drop(metricId: number, reason: number, value: unknown): void {
    if (this.released) return;
    if (this.strict) {
      const name = this.metricNames[metricId] ?? `#${metricId}`;
      const why = DROP_REASONS[reason] ?? 'non_finite_value';
      // An exemplar's drop passes why it was refused (a phrase), never the hostile value itself.
      if (reason === INVALID_EXEMPLAR) throw new MetricsInputError(name, why, `${name}: exemplar rejected, ${String(value)} (${why})`);
      const what = reason === SERIES_OUT_OF_RANGE ? 'series index' : reason === OVERFLOW ? 'overflowing value' : 'value';
      throw new MetricsInputError(name, why, `${name}: ${what} ${describeValue(value)} rejected (${why})`);
    }
    this.data[metricId * DROP_REASONS.length + reason]! += 1;
  }

  /** Whether {@link release} was called. */
  get isReleased(): boolean {
    return this.released;
  }

  /** Frees the counts; later drops are ignored (the storage they belonged to is gone too). */
  release(): void {
    this.released = true;
    this.data = new Float64Array(0);
  }

  /** Drops counted so far for a metric and reason. */
  count(metricId: number, reason: DropReason): number {
    return this.data[metricId * DROP_REASONS.length + DROP_REASONS.indexOf(reason)] ?? 0;
  }
}
