/**
 * MetricsRuntime: owns the storage of every metric in the catalogue, the drop self-metric, the
 * prom-client registry for process metrics, and the exposition of all of them.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DROP_REASONS, DROPPED_HELP, DropCounter, MetricsInputError, UNKNOWN_LABEL_VALUE, UNREADABLE_INPUT, describeValue } from './drops.js';
import type { DropReason } from './drops.js';
import type { ClusterExemplar, ExemplarStore } from './exemplars.js';
import { exemplarKey, receivedExemplar } from './exemplars.js';
import { renderExposition } from './exposition.js';
import { renderProtobuf } from './protobuf.js';
import { Family } from './family.js';
import { invalidLearnedValue } from './learned.js';
import type { ExpositionFormat, TextExpositionFormat } from './family.js';
import type { PromMetricJSON } from './json.js';
import { DROPPED_METRIC_KEY, metricFullName } from './names.js';
import { contentType, negotiate } from './negotiate.js';
import type { MetricSpec } from './spec.js';
import { validateSpecs } from './spec.js';
import { Info } from './info.js';
import { Counter, Gauge, Histogram } from './storage.js';
import { NativeHistogram } from './native-histogram.js';

/** Options of {@link MetricsRuntime}. */
export interface RuntimeOptions {
  /** Throw {@link MetricsInputError} on bad input instead of dropping it. For tests. Default false. */
  readonly strict?: boolean;
  /** Collect prom-client's default process and Node.js metrics. Default true. */
  readonly defaultMetrics?: boolean;
  /** Prefix of the drop self-metric's default name. */
  readonly namespace?: string;
  /** Name of a label-less histogram among the specs that receives each exposition's duration in seconds. */
  readonly scrapeDurationMetric?: string;
  /** Full name of the drop self-metric. Default `${namespace}_metrics_dropped_total`. */
  readonly droppedMetricName?: string;
}

/**
 * prom-client default metrics that `promtool check metrics` rejects (gauges named `_total`). They
 * only repeat the sum of their per-type siblings, so the runtime unregisters them to keep the
 * exposition lint-clean.
 */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * prom-client's default collectors describe the process, not a runtime, and cannot be stopped: each
 * `collectDefaultMetrics` call leaves a GC observer and an enabled event-loop-delay monitor behind
 * for the life of the process. So they are collected once per process, in this registry, which
 * every runtime that wants them serves next to its own `registry`.
 */
let processDefaults: Registry | undefined;

function processDefaultMetrics(): Registry {
  if (processDefaults === undefined) {
    processDefaults = new Registry();
    collectDefaultMetrics({ register: processDefaults });
    for (const name of LINT_FAILING_DEFAULTS) processDefaults.removeSingleMetric(name);
  }
  return processDefaults;
}

/** Anything that can produce an exposition: a runtime, or a cluster primary's aggregate of one. */
export interface MetricsSource {
  /** The text formats as a string, protobuf as bytes. */
  expose(format: ExpositionFormat): Promise<string | Uint8Array>;
}

type Storage = Counter | Gauge | Histogram | Info;

/**
 * The runtime the generated code records through. Construct it once per process with the
 * catalogue's specs; `specs[id]` is the metric the generated code addresses by `id`.
 */
export class MetricsRuntime implements MetricsSource {
  /** The catalogue's metrics, in id order. */
  readonly specs: readonly MetricSpec[];
  /**
   * prom-client registry served alongside the catalogue's metrics: register your own prom-client
   * metrics on it. prom-client's default metrics are collected once per process, in a registry
   * every runtime shares, and served after this one's.
   */
  readonly registry: Registry;
  /** Full name of the drop self-metric. */
  readonly droppedMetricName: string;
  readonly strict: boolean;

  // Not readonly: close() lets go of them.
  private families: Family[];
  /** Values of `families[i]`; the last one is the drop counter's. */
  private data: Float64Array[];
  private readonly storage: Storage[];
  private readonly drops: DropCounter;
  /** Per metric, per label: position of the overflow value, or -1. */
  private overflow: number[][];
  /**
   * The cluster primary's families for metrics with learned labels: they learn the workers' values
   * by value and keep them across scrapes, so a value keeps its series (see Family#absorbJSON).
   */
  private aggregateFamilies: Family[] | undefined;
  private readonly scrapeHistogram: Histogram | undefined;
  private readonly defaults: Registry | undefined;
  private closed = false;

  /**
   * @throws Error when the specs are malformed or the options name a metric that does not fit;
   * both are programming errors of the generator, found at start-up.
   */
  constructor(specs: readonly MetricSpec[], options: RuntimeOptions = {}) {
    validateSpecs(specs);
    this.specs = specs;
    this.strict = options.strict === true;
    const namespace = options.namespace ?? '';
    this.droppedMetricName =
      options.droppedMetricName ?? metricFullName(namespace, DROPPED_METRIC_KEY);

    const names = specs.map((s) => s.name);
    const dropSpec: MetricSpec = {
      name: this.droppedMetricName,
      type: 'counter',
      help: DROPPED_HELP,
      unit: '',
      labels: [
        { name: 'metric', values: names },
        { name: 'reason', values: DROP_REASONS },
      ],
    };
    // Validating the drop counter with the others also catches a spec that took its name.
    if (specs.length > 0) validateSpecs([...specs, dropSpec]);
    this.drops = new DropCounter(names, this.strict);
    this.families = [...specs, dropSpec].map((spec) => new Family(spec));
    this.data = this.families.map((f, i) => (i === specs.length ? this.drops.data : new Float64Array(f.slots)));
    this.storage = specs.map((spec, id) => {
      const data = this.data[id]!;
      if (spec.type === 'counter') return new Counter(id, data, this.drops);
      if (spec.type === 'gauge') return new Gauge(id, data, this.drops);
      if (spec.type === 'info') return new Info(id, data, this.families[id]!, this.drops);
      const family = this.families[id]!;
      if (family.native !== undefined) return new NativeHistogram(id, data, family.bounds, this.drops, family.native);
      return new Histogram(id, data, family.bounds, this.drops);
    });
    this.overflow = specs.map((spec) =>
      spec.labels.map((l) => (l.overflow === undefined ? -1 : l.values.indexOf(l.overflow))),
    );

    if (options.scrapeDurationMetric !== undefined) {
      const id = names.indexOf(options.scrapeDurationMetric);
      const spec = specs[id];
      if (spec === undefined || spec.type !== 'histogram' || spec.labels.length > 0) {
        throw new Error(`scrapeDurationMetric ${options.scrapeDurationMetric} must name a histogram without labels`);
      }
      this.scrapeHistogram = this.storage[id] as Histogram;
    }

    this.registry = new Registry();
    this.defaults = options.defaultMetrics === false ? undefined : processDefaultMetrics();
  }

  /** Storage of `specs[id]`, which must be a counter. */
  counter(id: number): Counter {
    return this.storageOf(id, Counter, 'counter');
  }

  /** Storage of `specs[id]`, which must be a gauge. */
  gauge(id: number): Gauge {
    return this.storageOf(id, Gauge, 'gauge');
  }

  /** Storage of `specs[id]`, which must be an info metric. */
  info(id: number): Info {
    return this.storageOf(id, Info, 'info metric');
  }

  /** Storage of `specs[id]`, which must be a histogram (a NativeHistogram when its spec has `native`). */
  histogram(id: number): Histogram {
    return this.storageOf(id, Histogram, 'histogram');
  }

  /**
   * The slow path for a label value the generated `switch` did not know. A label that learns its
   * values returns the value's position, learning it if a slot is free (a Map lookup once learned).
   * Otherwise returns the position of the label's overflow value if it has one, or counts an
   * `unknown_label_value` drop and returns -1, which every recording method treats as "already
   * dropped"; so does a value a learned label refuses (see `invalidLearnedValue`). Never throws
   * unless strict.
   * @throws MetricsInputError in strict mode, whether or not the label has an overflow value.
   */
  unknownLabel(metricId: number, labelPosition: number, value: unknown): number {
    if (this.closed) return -1;
    // Ids come from generated code, but a non-number key could run a hostile toString: refuse early.
    const ids = typeof metricId === 'number' && typeof labelPosition === 'number';
    const spec = ids ? this.specs[metricId] : undefined;
    const learned = spec === undefined ? undefined : this.families[metricId]!.learned[labelPosition];
    if (learned !== undefined) {
      const known = typeof value === 'string' ? learned.positionOf(value) : undefined;
      if (known !== undefined) return known;
      return this.learnLabel(metricId, labelPosition, value);
    }
    const position = ids ? this.overflow[metricId]?.[labelPosition] : undefined;
    if (this.strict) {
      const metric = spec?.name ?? `#${describeValue(metricId)}`;
      const label = (ids ? spec?.labels[labelPosition]?.name : undefined) ?? `#${describeValue(labelPosition)}`;
      throw new MetricsInputError(
        metric,
        'unknown_label_value',
        `${metric}: unknown value ${describeValue(value)} for label ${label}`,
      );
    }
    if (position === undefined) {
      // The generated code passed ids that do not exist: nothing to attribute a drop to.
      if (spec !== undefined) this.drops.drop(metricId, UNKNOWN_LABEL_VALUE, value);
      return -1;
    }
    if (position >= 0) return position;
    this.drops.drop(metricId, UNKNOWN_LABEL_VALUE, value);
    return -1;
  }

  /** First sight of a value for a learned label: a free slot, else the overflow value or a drop. */
  private learnLabel(metricId: number, labelPosition: number, value: unknown): number {
    const outcome = this.families[metricId]!.learn(labelPosition, value);
    if (typeof outcome === 'number') return outcome;
    const spec = this.specs[metricId]!;
    const label = spec.labels[labelPosition]!;
    if (this.strict) {
      const why =
        outcome === 'full'
          ? `all ${label.learned} learned values of label ${label.name} are taken`
          : `label ${label.name} cannot learn it: it ${invalidLearnedValue(value)}`;
      throw new MetricsInputError(spec.name, 'unknown_label_value', `${spec.name}: value ${describeValue(value)} rejected (${why})`);
    }
    const overflow = this.overflow[metricId]![labelPosition]!;
    if (outcome === 'full' && overflow >= 0) return overflow;
    this.drops.drop(metricId, UNKNOWN_LABEL_VALUE, value);
    return -1;
  }

  /**
   * The slow path for a recording call whose label object or event threw while being read (a getter,
   * a Proxy): counts an `unreadable_input` drop for each metric the call was meant for and returns
   * -1 ("already dropped"). Generated code calls it from a `catch`, so strict mode's own errors pass
   * through it too and are rethrown as they are.
   * @throws MetricsInputError in strict mode.
   */
  unreadableInput(error: unknown, ...metricIds: number[]): number {
    if (this.closed) return -1;
    if (this.strict) {
      if (error instanceof MetricsInputError) throw error;
      const metric = this.specs[metricIds[0] ?? -1]?.name ?? 'a metric';
      throw new MetricsInputError(metric, 'unreadable_input', `${metric}: reading the labels or the event threw`, {
        cause: error,
      });
    }
    for (const id of metricIds) {
      if (this.specs[id] !== undefined) this.drops.drop(id, UNREADABLE_INPUT, undefined);
    }
    return -1;
  }

  /** Drops counted for a metric and reason since start (or the last reset). */
  dropped(metricId: number, reason: DropReason): number {
    return this.drops.count(metricId, reason);
  }

  /**
   * Sets every value of the catalogue's metrics and of the drop counter back to 0, and forgets the
   * learned label values and the exemplars: the runtime is as new.
   */
  reset(): void {
    for (const data of this.data) data.fill(0);
    for (const storage of this.storage) if (storage instanceof Counter || storage instanceof Histogram) storage.exemplars = undefined;
    for (const family of this.families) family.forgetLearned();
    this.aggregateFamilies = undefined;
  }

  /**
   * Releases this runtime: its values, the exposition texts its scrapes built and the metrics
   * registered on its `registry`. Later recordings are ignored (never thrown, not even in strict
   * mode), and `expose` rejects. The process-wide default metrics stay for other runtimes. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const storage of this.storage) storage.release();
    this.drops.release();
    this.families = [];
    this.data = [];
    this.overflow = [];
    this.aggregateFamilies = undefined;
    this.registry.clear();
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The full exposition: the catalogue's metrics, the drop counter, then prom-client's registry.
   * Rejects only if a prom-client collector fails.
   */
  expose(format: TextExpositionFormat): Promise<string>;
  expose(format: 'protobuf'): Promise<Uint8Array>;
  expose(format: ExpositionFormat): Promise<string | Uint8Array>;
  async expose(format: ExpositionFormat): Promise<string | Uint8Array> {
    const started = performance.now();
    const foreign = await this.foreignMetrics();
    this.assertOpen();
    const body = render(this.families, this.data, foreign, format, this.exemplars());
    this.observeScrape(started);
    return body;
  }

  /** Each family's exemplars (the storage's, by the same index; none for the drop counter). */
  private exemplars(): (ExemplarStore | undefined)[] {
    return this.storage.map((storage) => (storage instanceof Counter || storage instanceof Histogram ? storage.exemplars : undefined));
  }

  /** The Content-Type header for a format. */
  contentType(format: ExpositionFormat): string {
    return contentType(format);
  }

  /** The format an Accept header asks for; see {@link negotiate}. */
  negotiate(acceptHeader: string | undefined): ExpositionFormat {
    return negotiate(acceptHeader);
  }

  /**
   * Every metric in prom-client's JSON shape, ours (aggregator `sum`) followed by the registry's, as
   * `Registry#getMetricsAsJSON` returns them. With `native`, also native histogram buckets as extra
   * samples only this runtime's cluster primary reads (see Family#toJSON): cluster workers send them;
   * prom-client's own primary, which cannot expose native histograms, is not given them.
   */
  async getMetricsAsJSON(options: { readonly native?: boolean } = {}): Promise<PromMetricJSON[]> {
    this.assertOpen();
    const ours = this.families.map((f, i) => f.toJSON(this.data[i]!, options.native === true));
    const foreign = await this.foreignMetrics();
    const taken = new Set(ours.map((m) => m.name));
    return [...ours, ...foreign.filter((m) => !taken.has(m.name))];
  }

  /**
   * @internal Renders an exposition from aggregated JSON (a cluster primary's view): metrics of this
   * catalogue are mapped back onto fresh typed arrays and rendered exactly like local ones, with the
   * latest of the processes' exemplars (see {@link clusterExemplars}) per series and bucket.
   */
  renderAggregate(metrics: readonly PromMetricJSON[], format: TextExpositionFormat, started: number, exemplars?: readonly unknown[]): string;
  renderAggregate(metrics: readonly PromMetricJSON[], format: ExpositionFormat, started: number, exemplars?: readonly unknown[]): string | Uint8Array;
  renderAggregate(metrics: readonly PromMetricJSON[], format: ExpositionFormat, started: number, exemplars: readonly unknown[] = []): string | Uint8Array {
    this.assertOpen();
    const families = (this.aggregateFamilies ??= this.families.map((f) => (f.hasLearned ? new Family(f.spec) : f)));
    const data = families.map((f) => new Float64Array(f.slots));
    const byName = new Map(families.map((f, i) => [f.name, i]));
    const foreign: PromMetricJSON[] = [];
    for (const metric of metrics) {
      const i = byName.get(metric.name);
      if (i === undefined) foreign.push(metric);
      else families[i]!.absorbJSON(metric, data[i]!);
    }
    const kept: (ExemplarStore | undefined)[] = families.map(() => undefined);
    for (const entry of exemplars) {
      const received = receivedExemplar(entry);
      const i = received === undefined ? undefined : byName.get(received.metric);
      if (received === undefined || i === undefined) continue;
      const family = families[i]!;
      const buckets = family.exemplarBuckets;
      if (received.bucket < 0 || received.bucket >= buckets) continue;
      const series = family.seriesOfLabels(received.labels);
      if (series < 0) continue;
      const store = (kept[i] ??= new Map());
      const key = exemplarKey(series, received.bucket, buckets);
      const held = store.get(key);
      if (held === undefined || held.timestampMs <= received.exemplar.timestampMs) store.set(key, received.exemplar);
    }
    const body = render(families, data, foreign, format, kept);
    this.observeScrape(started);
    return body;
  }

  /**
   * @internal This runtime's exemplars by metric name and label values, which cluster workers send
   * beside their JSON (prom-client's JSON has no place for them).
   */
  clusterExemplars(): ClusterExemplar[] {
    const out: ClusterExemplar[] = [];
    this.storage.forEach((storage, id) => {
      if (!(storage instanceof Counter || storage instanceof Histogram) || storage.exemplars === undefined) return;
      const family = this.families[id]!;
      const buckets = family.exemplarBuckets;
      const names = family.spec.labels.map((label) => label.name);
      for (const [key, exemplar] of storage.exemplars) {
        const values = family.labelValuesOf(Math.floor(key / buckets));
        if (values.includes(undefined)) continue;
        out.push({ metric: family.name, labels: Object.fromEntries(names.map((name, k) => [name, values[k]!])), bucket: key % buckets, exemplar });
      }
    });
    return out;
  }

  /** The process's default metrics (unless this registry took their name), then this runtime's registry. */
  private async foreignMetrics(): Promise<PromMetricJSON[]> {
    const own = (await this.registry.getMetricsAsJSON()) as unknown as PromMetricJSON[];
    if (this.defaults === undefined) return own;
    const defaults = (await this.defaults.getMetricsAsJSON()) as unknown as PromMetricJSON[];
    const taken = new Set(own.map((m) => m.name));
    return [...defaults.filter((m) => !taken.has(m.name)), ...own];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('this metrics runtime was closed');
  }

  private observeScrape(started: number): void {
    this.scrapeHistogram?.observe(0, (performance.now() - started) / 1000);
  }

  private storageOf<T extends Storage>(id: number, kind: new (...args: never[]) => T, type: string): T {
    const storage = this.storage[id];
    if (!(storage instanceof kind)) {
      throw new Error(`metric #${id} (${this.specs[id]?.name ?? 'no such metric'}) is not a ${type}`);
    }
    return storage;
  }
}

function render(
  families: readonly Family[],
  data: readonly Float64Array[],
  foreign: readonly PromMetricJSON[],
  format: ExpositionFormat,
  exemplars?: readonly (ExemplarStore | undefined)[],
): string | Uint8Array {
  return format === 'protobuf' ? renderProtobuf(families, data, foreign, exemplars) : renderExposition(families, data, foreign, format, exemplars);
}
