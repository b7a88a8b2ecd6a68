/**
 * Everything about one metric that exposition needs besides its values. Nothing here is kept per
 * series: a series' text is composed at scrape time from parts kept per label value (`name{agent="x"`,
 * `,operation="y"`) and, for histograms, per bucket and format (`,le="0.5"} `), so memory grows with
 * the number of label values, not with their product. The parts are built on the first scrape: an
 * exporter never scraped keeps only its values.
 */
import {
  escapeHelpOpenMetrics,
  escapeHelpText,
  escapeLabelValue,
  formatOpenMetricsFloat,
  formatValue,
} from './format.js';
import type { ExemplarStore } from './exemplars.js';
import { exemplarKey, openMetricsExemplar } from './exemplars.js';
import type { PromMetricJSON, PromValueJSON } from './json.js';
import { LearnedValues, invalidLearnedValue } from './learned.js';
import type { MetricSpec } from './spec.js';
import { familyName, labelPositions, seriesCount } from './spec.js';
import { histogramExposesSum, histogramSampleNames } from './names.js';
import { NativeLayout } from './native-histogram.js';
import type { NativeHistogramSnapshot } from './native-histogram.js';

/**
 * Cluster messages carry a series' native buckets as extra samples of this name, one per bucket,
 * labelled `__native_bucket="zero"` or `"<p|n>/<schema>/<key>"`: prom-client's AggregatorRegistry
 * sums samples with equal labels, so workers at the same schema add up, and the primary brings
 * workers at different schemas down to the lowest before adding (see absorbJSON). A `__` label never
 * collides with a catalogue label.
 */
const NATIVE_JSON_LABEL = '__native_bucket';
const NATIVE_JSON_KEY = /^([pn])\/(-?\d+)\/(-?\d+)$/;

/** Exposition formats: Prometheus text 0.0.4, OpenMetrics 1.0.0, or delimited protobuf (runtime/protobuf.ts). */
export type ExpositionFormat = TextExpositionFormat | 'protobuf';
/** The two text formats, which {@link Family.render} writes. */
export type TextExpositionFormat = 'text' | 'openmetrics';

/** The text parts of one metric's exposition, built on its first scrape (see {@link Family}). */
interface ExpositionParts {
  /**
   * Per label, per position: `{name="value"` for the first label, `,name="value"` for the others;
   * undefined for a learned slot still free. Concatenated, they open a series' label set. A counter's
   * or gauge's first label also carries the metric name (`metric{name="value"`): one string fewer
   * to join per line.
   */
  readonly pairs: (string | undefined)[][];
  /** What follows a counter's or gauge's label set (or its name, without labels): `} ` or ` `. */
  readonly close: string;
  /**
   * Histograms: per bucket, `,le="0.5"} ` (or `{le="0.5"} ` without labels). Both formats write the
   * bound in OpenMetrics' canonical float form (`1.0`, `1e+06`), which is what Prometheus stores from
   * OpenMetrics and protobuf scrapes and what Prometheus 3 stores from every scrape: a series keeps its
   * `le` when Prometheus changes format (native histograms on, an upgrade), instead of starting anew.
   */
  readonly le: readonly string[];
  /** The help text escaped for each format: most often the spec's own string, unchanged. */
  readonly helpText: string;
  readonly helpOM: string;
  /** Histograms: the `_bucket`, `_sum` and `_count` sample names. */
  readonly histogramNames: readonly [bucket: string, sum: string, count: string];
}

/** The end of a line that may carry an exemplar: ` # {trace_id="…"} 0.5 1700000000.123` and the newline. */
function exemplarEnd(exemplars: ExemplarStore, key: number): string {
  const exemplar = exemplars.get(key);
  return exemplar === undefined ? '\n' : `${openMetricsExemplar(exemplar)}\n`;
}

/**
 * A new flat string of two or more parts. A template literal would keep a tree of V8 cons-strings
 * (32 bytes per join) for as long as the result lives; `Array#join` copies the characters once.
 */
function flat(...parts: string[]): string {
  return parts.join('');
}

export class Family {
  readonly name: string;
  /** OpenMetrics family name (counters lose `_total`). */
  readonly family: string;
  readonly series: number;
  /** Typed-array slots per series: 1, or buckets + 3 for a histogram (+ native slots, see NativeLayout). */
  readonly stride: number;
  /** A histogram's native buckets, after its classic `buckets + 3` slots in each series. */
  readonly native: NativeLayout | undefined;
  /** The metricName of native bucket samples in cluster messages (see NATIVE_JSON_LABEL). */
  private readonly nativeJSONName: string;
  readonly bounds: Float64Array;
  /** False for a histogram with a negative bound: it exposes buckets only (see histogramExposesSum). */
  readonly exposesSum: boolean;
  /** Exemplar keys per series (see exemplarKey): 1 for a counter, buckets + 1 for a histogram, 0 otherwise. */
  readonly exemplarBuckets: number;

  /**
   * Per label: its learned slots, or undefined for a label with declared values only. A series that
   * has a free slot among its positions does not exist yet: it is neither exposed nor sent to the
   * cluster primary.
   */
  readonly learned: readonly (LearnedValues | undefined)[];
  readonly hasLearned: boolean;
  /** Per label: number of positions (declared values, then learned slots). */
  private readonly radix: readonly number[];
  /** Built by the first scrape (or JSON export); see {@link parts}. */
  private exposition: ExpositionParts | undefined;
  /** @internal Info metrics: the label pairs and values of the one series, set by `Info#set`. */
  infoPairs = '';
  infoLabelValues: readonly string[] = [];
  /** Per label, value -> position; built on first use (learning, or mapping JSON back onto series). */
  private valueIndexes: ReadonlyMap<string, number>[] | undefined;

  constructor(readonly spec: MetricSpec) {
    this.name = spec.name;
    this.family = familyName(spec);
    this.series = seriesCount(spec);
    this.bounds = Float64Array.from(spec.buckets ?? []);
    this.native = spec.type === 'histogram' && spec.native !== undefined ? new NativeLayout(spec.native) : undefined;
    this.nativeJSONName = `${spec.name}:native`;
    this.stride = spec.type === 'histogram' ? this.bounds.length + 3 + (this.native?.slots ?? 0) : 1;
    this.exposesSum = histogramExposesSum(spec.buckets ?? []);
    this.exemplarBuckets = spec.type === 'histogram' ? this.bounds.length + 1 : spec.type === 'counter' ? 1 : 0;
    this.radix = spec.labels.map(labelPositions);
    this.learned = spec.labels.map((l) => (l.learned === undefined ? undefined : new LearnedValues(l.values.length, l.learned)));
    this.hasLearned = this.learned.some((l) => l !== undefined);
  }

  /** The exposition parts, built on first use; learned values learned since are added here. */
  private parts(): ExpositionParts {
    const parts = (this.exposition ??= this.buildParts());
    if (this.hasLearned) {
      this.learned.forEach((learned, k) => {
        if (learned === undefined) return;
        const pairs = parts.pairs[k]!;
        for (let position = pairs.length; position < this.radix[k]!; position++) {
          const value = learned.valueAt(position);
          if (value === undefined) break;
          pairs.push(this.pairText(k, value));
        }
      });
    }
    return parts;
  }

  private buildParts(): ExpositionParts {
    const labels = this.spec.labels;
    const hasLabels = labels.length > 0;
    const histogram = this.spec.type === 'histogram';
    const le = histogram ? [...[...this.bounds].map(formatOpenMetricsFloat), '+Inf'].map((bound) => flat(hasLabels ? ',' : '{', 'le="', bound, '"} ')) : [];
    // `flat` of the name and its suffix: `Array#join` returns a lone element as it is, here the
    // cons-string names.ts built.
    const sampleNames = histogram ? histogramSampleNames(this.name).map((n) => flat(this.name, n.slice(this.name.length))) : ['', '', ''];
    const help = this.spec.help;
    const helpText = escapeHelpText(help);
    const helpOM = escapeHelpOpenMetrics(help);
    return {
      helpText: helpText === help ? help : helpText,
      helpOM: helpOM === help ? help : helpOM,
      pairs: labels.map((label, k) => label.values.map((value) => this.pairText(k, value))),
      close: hasLabels ? '} ' : ' ',
      le,
      histogramNames: sampleNames as [string, string, string],
    };
  }

  private header(format: ExpositionFormat, parts: ExpositionParts): string {
    const { type, unit } = this.spec;
    if (format === 'openmetrics') {
      const family = this.family;
      const header = '# HELP ' + family + ' ' + parts.helpOM + '\n# TYPE ' + family + ' ' + type + '\n';
      return unit === '' ? header : header + '# UNIT ' + family + ' ' + unit + '\n';
    }
    // The text format 0.0.4 has no info type: an info metric is the gauge `<family>_info` there, as
    // client_golang, client_python and prom-client write it.
    return '# HELP ' + this.name + ' ' + parts.helpText + '\n# TYPE ' + this.name + ' ' + (type === 'info' ? 'gauge' : type) + '\n';
  }

  private pairText(k: number, value: string): string {
    const open = k > 0 ? ',' : this.spec.type === 'histogram' ? '{' : `${this.name}{`;
    return flat(open, this.spec.labels[k]!.name, '="', escapeLabelValue(value), '"');
  }

  private get valueIndex(): ReadonlyMap<string, number>[] {
    return (this.valueIndexes ??= this.spec.labels.map((l) => new Map(l.values.map((v, i) => [v, i]))));
  }

  /** Whether a series exists: every label value it stands for is declared or learned. */
  private exists(s: number): boolean {
    return !this.hasLearned || !this.labelValuesOf(s).includes(undefined);
  }

  /**
   * Position of a label value that is neither declared nor learned yet, learning it when the label
   * learns and has a free slot. Returns the position, `'invalid'` for a value that cannot be learned,
   * or `'full'` when no slot is free (the caller decides between overflow and a drop).
   */
  learn(labelPosition: number, value: unknown): number | 'invalid' | 'full' {
    const learned = this.learned[labelPosition];
    if (learned === undefined) return 'full';
    if (invalidLearnedValue(value) !== undefined) return 'invalid';
    // A declared value keeps its own position: learning it again would expose one series twice.
    const declared = this.valueIndex[labelPosition]!.get(value as string);
    if (declared !== undefined) return declared;
    const known = learned.positionOf(value as string);
    if (known !== undefined) return known;
    const position = learned.learn(value as string);
    return position < 0 ? 'full' : position;
  }

  /** Forgets every learned value (and the label texts built for them). */
  forgetLearned(): void {
    if (!this.hasLearned) return;
    for (const learned of this.learned) learned?.clear();
    const pairs = this.exposition?.pairs;
    if (pairs !== undefined) this.spec.labels.forEach((label, k) => (pairs[k]!.length = label.values.length));
  }

  /** Number of Float64Array slots this metric needs. */
  get slots(): number {
    return this.series * this.stride;
  }

  /** A series' native buckets as metrics.proto encodes them; undefined without native buckets. */
  nativeSnapshot(data: Float64Array, series: number): NativeHistogramSnapshot | undefined {
    if (this.native === undefined || !(series >= 0 && series < this.series)) return undefined;
    const base = series * this.stride;
    const n = this.bounds.length;
    return this.native.snapshot(data, base + n + 3, data[base + n + 2]!, data[base + n + 1]!);
  }

  /**
   * The label values of a series, by the mixed-radix rule (first label most significant); undefined
   * for a learned slot still free.
   */
  labelValuesOf(series: number): (string | undefined)[] {
    const labels = this.spec.labels;
    const out = new Array<string | undefined>(labels.length);
    let rest = series;
    for (let k = labels.length - 1; k >= 0; k--) {
      const radix = this.radix[k]!;
      const position = rest % radix;
      const values = labels[k]!.values;
      out[k] = position < values.length ? values[position] : this.learned[k]?.valueAt(position);
      rest = Math.floor(rest / radix);
    }
    return out;
  }

  /**
   * Appends this metric's exposition to `out`. `exemplars` (a counter's or histogram's) go on the
   * `_total` and `_bucket` lines of OpenMetrics only: the text format 0.0.4 has no syntax for them.
   */
  render(data: Float64Array, format: TextExpositionFormat, out: string[], exemplars?: ExemplarStore): void {
    const spec = this.spec;
    const parts = this.parts();
    out.push(this.header(format, parts));
    if (spec.type === 'info') {
      // No series until the application has set the values: an info sample without them would say nothing.
      if (data[0] === 1) out.push(`${this.name}{${this.infoPairs}} 1\n`);
      return;
    }
    const { pairs, close } = parts;
    // Exemplars are keyed by series (a counter's) or by series and bucket (a histogram's).
    const kept = format === 'openmetrics' && exemplars !== undefined && exemplars.size > 0 ? exemplars : undefined;
    const labelCount = pairs.length;
    const histogram = spec.type === 'histogram';
    const le = parts.le;
    const [bucketName, sumName, countName] = parts.histogramNames;
    const buckets = le.length;
    // Each line is the long head (name and labels, shared parts) joined to a tail built first: V8
    // copies a string shorter than 13 characters instead of making a cons-string, and the fewer
    // cons-strings a line has, the faster the final join flattens them.
    // The positions of series s, last label fastest, advanced like an odometer.
    const position = new Array<number>(labelCount).fill(0);
    for (let s = 0; s < this.series; s++) {
      let labels = '';
      let exists = true;
      for (let k = 0; k < labelCount; k++) {
        const pair = pairs[k]![position[k]!];
        if (pair === undefined) exists = false;
        else labels = k === 0 ? pair : labels + pair;
      }
      for (let k = labelCount - 1; k >= 0 && ++position[k]! === this.radix[k]!; k--) position[k] = 0;
      if (!exists) continue;
      if (!histogram) {
        out.push((labelCount === 0 ? this.name : labels) + (close + formatValue(data[s]!) + (kept === undefined ? '\n' : exemplarEnd(kept, s))));
        continue;
      }
      const base = s * this.stride;
      const bucket = bucketName + labels;
      let cumulative = 0;
      for (let b = 0; b < buckets; b++) {
        cumulative += data[base + b]!;
        out.push(bucket + (le[b]! + (formatValue(cumulative) + (kept === undefined ? '\n' : exemplarEnd(kept, exemplarKey(s, b, buckets))))));
      }
      if (!this.exposesSum) continue;
      out.push(sumName + labels + (close + formatValue(data[base + buckets]!) + '\n'));
      out.push(countName + labels + (close + formatValue(data[base + buckets + 1]!) + '\n'));
    }
  }

  /**
   * prom-client's JSON shape for this metric (what `Registry#getMetricsAsJSON` returns), so that
   * `AggregatorRegistry.aggregate` can sum it across cluster workers. Every metric of ours aggregates
   * by sum, gauges included: a gauge here measures a per-process amount (in-flight work, queue
   * length), and the application's amount is the sum over its processes.
   */
  toJSON(data: Float64Array, native = false): PromMetricJSON {
    const values: PromValueJSON[] = [];
    if (this.spec.type === 'info') {
      // Cluster workers send theirs; the primary serves its own values (one process build, one answer).
      const labels: Record<string, string> = {};
      (this.spec.infoLabels ?? []).forEach((name, i) => (labels[name] = this.infoLabelValues[i] ?? ''));
      if (data[0] === 1) values.push({ value: 1, labels });
      return { name: this.name, help: this.spec.help, type: 'gauge', values, aggregator: 'first' };
    }
    const labelNames = this.spec.labels.map((l) => l.name);
    const histogramNames = this.spec.type === 'histogram' ? this.parts().histogramNames : undefined;
    for (let s = 0; s < this.series; s++) {
      if (!this.exists(s)) continue;
      const labelValues = this.labelValuesOf(s);
      const labels = (): Record<string, string | number> => {
        const o: Record<string, string | number> = {};
        labelNames.forEach((n, k) => (o[n] = labelValues[k]!));
        return o;
      };
      if (this.spec.type !== 'histogram') {
        values.push({ value: data[s]!, labels: labels() });
        continue;
      }
      const base = s * this.stride;
      const n = this.bounds.length;
      let cumulative = 0;
      for (let b = 0; b <= n; b++) {
        cumulative += data[base + b]!;
        // prom-client puts `le` after the user labels, as a number, and '+Inf' as a string.
        values.push({
          value: cumulative,
          labels: { ...labels(), le: b < n ? this.bounds[b]! : '+Inf' },
          metricName: histogramNames![0],
        });
      }
      values.push({ value: data[base + n + 1]!, labels: labels(), metricName: histogramNames![1] });
      values.push({ value: data[base + n + 2]!, labels: labels(), metricName: histogramNames![2] });
      if (native && this.native !== undefined) this.nativeToJSON(data, base + n + 3, labels, values);
    }
    return { name: this.name, help: this.spec.help, type: this.spec.type, values, aggregator: 'sum' };
  }

  /**
   * Adds the values of a prom-client JSON metric (as produced by {@link toJSON}, possibly summed by
   * AggregatorRegistry) into `data`. Samples with label values this catalogue does not know, such as
   * those of a worker running another catalogue version, are ignored rather than guessed at.
   *
   * A learned label is merged by value, never by slot (each worker fills its slots in its own order):
   * this family learns the values as they come, so it must be one that lives across scrapes (the
   * primary's aggregate family), or a value could move between its series and the overflow from one
   * scrape to the next. Values beyond its slots go to the overflow value, or are left out.
   */
  absorbJSON(metric: PromMetricJSON, data: Float64Array): void {
    if (!Array.isArray(metric.values)) return;
    if (this.spec.type === 'info') {
      // The values are the primary's own (see toJSON); a worker's sample only says they were set.
      if (metric.values.length > 0 && this.infoLabelValues.length > 0) data[0] = 1;
      return;
    }
    const isHistogram = this.spec.type === 'histogram';
    const histogramNames = isHistogram ? this.parts().histogramNames : undefined;
    const n = this.bounds.length;
    // Bucket values arrive cumulative; collect them apart and de-cumulate at the end.
    const cumulative = isHistogram ? new Float64Array(this.series * (n + 1)) : undefined;
    for (const sample of metric.values) {
      if (typeof sample !== 'object' || sample === null || typeof sample.value !== 'number') continue;
      const series = this.seriesOfLabels(sample.labels);
      if (series < 0) continue;
      if (!isHistogram) {
        data[series]! += sample.value;
        continue;
      }
      const base = series * this.stride;
      switch (sample.metricName) {
        case histogramNames![0]: {
          const bucket = this.bucketOfLe(sample.labels?.le);
          if (bucket >= 0) cumulative![series * (n + 1) + bucket]! += sample.value;
          break;
        }
        case histogramNames![1]:
          data[base + n + 1]! += sample.value;
          break;
        case histogramNames![2]:
          data[base + n + 2]! += sample.value;
          break;
        case this.nativeJSONName:
          if (this.native !== undefined) this.absorbNativeSample(sample, data, base + n + 3);
          break;
        default:
          break;
      }
    }
    if (cumulative === undefined) return;
    for (let s = 0; s < this.series; s++) {
      let previous = 0;
      for (let b = 0; b <= n; b++) {
        const c = cumulative[s * (n + 1) + b]!;
        data[s * this.stride + b]! += c - previous;
        previous = c;
      }
    }
  }

  private nativeToJSON(data: Float64Array, at: number, labels: () => Record<string, string | number>, values: PromValueJSON[]): void {
    const native = this.native!;
    const metricName = this.nativeJSONName;
    const zero = native.zeroCount(data, at);
    if (zero > 0) values.push({ value: zero, labels: { ...labels(), [NATIVE_JSON_LABEL]: 'zero' }, metricName });
    const schema = native.schemaAt(data, at);
    for (const positive of [true, false]) {
      for (const [key, count] of native.buckets(data, at, positive)) {
        values.push({ value: count, labels: { ...labels(), [NATIVE_JSON_LABEL]: `${positive ? 'p' : 'n'}/${schema}/${key}` }, metricName });
      }
    }
  }

  /** One native bucket sample of a worker; a malformed one (another version, a hostile peer) is ignored. */
  private absorbNativeSample(sample: PromValueJSON, data: Float64Array, at: number): void {
    const native = this.native!;
    const label = sample.labels?.[NATIVE_JSON_LABEL];
    if (!(sample.value > 0) || !Number.isFinite(sample.value)) return;
    if (label === 'zero') {
      native.addZero(data, at, sample.value);
      return;
    }
    const match = typeof label === 'string' ? NATIVE_JSON_KEY.exec(label) : null;
    if (match === null) return;
    const schema = Number(match[2]);
    const key = Number(match[3]);
    if (!native.isValidKey(schema, key)) return;
    native.addBucket(data, at, match[1] === 'p', schema, key, sample.value);
  }

  /** @internal The series of a label set (learning a learned label's value); -1 for one it cannot hold. */
  seriesOfLabels(labels: PromValueJSON['labels'] | undefined): number {
    let index = 0;
    const specLabels = this.spec.labels;
    for (let k = 0; k < specLabels.length; k++) {
      const raw = labels?.[specLabels[k]!.name];
      let position = raw === undefined ? undefined : this.valueIndex[k]!.get(String(raw));
      if (position === undefined && this.learned[k] !== undefined && raw !== undefined) {
        const learned = this.learn(k, String(raw));
        const overflow = specLabels[k]!.overflow;
        position = typeof learned === 'number' ? learned : overflow === undefined ? undefined : this.valueIndex[k]!.get(overflow);
      }
      if (position === undefined) return -1;
      index = index * this.radix[k]! + position;
    }
    return index;
  }

  private bucketOfLe(le: unknown): number {
    const bound = typeof le === 'number' ? le : typeof le === 'string' ? (le === '+Inf' ? Infinity : Number(le)) : NaN;
    if (bound === Infinity) return this.bounds.length;
    return this.bounds.indexOf(bound);
  }
}
