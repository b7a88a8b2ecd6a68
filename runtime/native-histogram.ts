/**
 * Native (sparse, exponential) histograms. This branch holds only the snapshot shape the protobuf
 * encoder reads (issue 15 contract); recording lives beside it once native histograms are recorded.
 */

export interface BucketSpan { readonly offset: number; readonly length: number }
export interface NativeHistogramSnapshot {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly BucketSpan[];
  /** Delta-encoded counts, as metrics.proto: the first is the absolute count, each next the difference. */
  readonly positiveDeltas: readonly number[];
  readonly negativeSpans: readonly BucketSpan[];
  readonly negativeDeltas: readonly number[];
}
