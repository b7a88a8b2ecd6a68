/**
 * The typed faces of a metric that generated code hands to applications. `L` is the metric's label
 * object, exactly its labels with exactly their allowed values; metrics without labels take none.
 *
 * Counters' `inc` and histograms' `observe` take an optional {@link Exemplar} last (OpenMetrics allows
 * exemplars on counters and histogram buckets only, so gauges take none): the trace the increment or
 * observation belongs to, exposed in OpenMetrics and protobuf. An invalid one is dropped and counted
 * as `invalid_exemplar`; the value itself is still recorded.
 */
import type { Exemplar } from './exemplars.js';

export type { Exemplar };

/** A counter with labels: only goes up. */
export interface LabeledCounter<L> {
  /** Add `by` (default 1, must be finite and not negative) to the series of `labels`. */
  inc(labels: L, by?: number, exemplar?: Exemplar): void;
  /** Set every series of this metric back to 0. */
  reset(): void;
}

/** A counter without labels. */
export interface Counter0 {
  inc(by?: number, exemplar?: Exemplar): void;
  reset(): void;
}

/** A gauge with labels: a value that goes up and down. */
export interface LabeledGauge<L> {
  set(labels: L, value: number): void;
  inc(labels: L, by?: number): void;
  dec(labels: L, by?: number): void;
  reset(): void;
}

/** A gauge without labels. */
export interface Gauge0 {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  reset(): void;
}

/** A histogram with labels. */
export interface LabeledHistogram<L> {
  observe(labels: L, value: number, exemplar?: Exemplar): void;
  /** Start timing; the returned function records and returns the elapsed seconds. */
  startTimer(labels: L): () => number;
  reset(): void;
}

/** A histogram without labels. */
export interface Histogram0 {
  observe(value: number, exemplar?: Exemplar): void;
  startTimer(): () => number;
  reset(): void;
}

/**
 * An info metric: one series of value 1 whose labels say what is running (`version`, `commit`).
 * `set` replaces the values; each must be a non-empty printable string of at most 256 characters,
 * else the call is dropped and counted as `unknown_label_value` (strict mode throws). No series is
 * exposed before the first `set` or after `reset`.
 */
export interface InfoMetric<L> {
  set(labels: L): void;
  reset(): void;
}
