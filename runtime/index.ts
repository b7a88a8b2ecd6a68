/**
 * lazybird-metrics runtime: the hand-written library the generated exporter calls.
 *
 * Generated code maps label values to series numbers with `switch` statements and records through
 * {@link Counter}, {@link Gauge} and {@link Histogram}; everything else here is exposition, HTTP,
 * cluster aggregation and Pushgateway support.
 */
export type { LabelSpec, MetricSpec, MetricType, NativeHistogramSpec } from './spec.js';
export { familyName, labelPositions, seriesCount, seriesIndexOf, validateSpecs } from './spec.js';
export { LEARNED_VALUE_MAX_LENGTH, invalidLearnedValue } from './learned.js';
export { Counter, Gauge, Histogram } from './storage.js';
export { NativeHistogram } from './native-histogram.js';
export type { BucketSpan, NativeHistogramSnapshot } from './native-histogram.js';
export { INFO_VALUE_MAX_LENGTH, Info, isInfoLabelValue } from './info.js';
export { DROP_REASONS, MetricsInputError } from './drops.js';
export type { DropReason } from './drops.js';
export { MetricsRuntime } from './runtime.js';
export type { MetricsSource, RuntimeOptions } from './runtime.js';
export type { ExpositionFormat, TextExpositionFormat } from './family.js';
export { OPENMETRICS_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, TEXT_CONTENT_TYPE, contentType, negotiate } from './negotiate.js';
export type { ExemplarSnapshot } from './exemplars.js';
export type { PromMetricJSON, PromValueJSON } from './json.js';
export { metricsHandler, startMetricsServer } from './http.js';
export type { DashboardLink, MetricsHandlerOptions, MetricsRequestHandler, MetricsServerOptions } from './http.js';
export { ClusterAggregator, clusterMetricsHandler, setupClusterWorker } from './cluster.js';
export type { ClusterAggregatorOptions } from './cluster.js';
export { RuntimeRegistry } from './registry-adapter.js';
export { pushMetrics } from './push.js';
export type { PushOptions } from './push.js';
export { formatGoFloat, formatOpenMetricsFloat, formatValue } from './format.js';
export type { Counter0, Exemplar, Gauge0, Histogram0, InfoMetric, LabeledCounter, LabeledGauge, LabeledHistogram } from './api.js';
export { EXEMPLAR_LABELS_MAX_LENGTH } from './exemplars.js';
export { allSeries, averageOf, ratioOf, sumOf } from './summary.js';
export { BASE_RUNTIME_API, EXEMPLARS_RUNTIME_API, LEARNED_LABELS_RUNTIME_API, NATIVE_HISTOGRAMS_RUNTIME_API, OLDEST_SERVED_RUNTIME_API, RUNTIME_API, RuntimeApiMismatchError, requireRuntimeApi } from './version.js';
