/**
 * Everything about one metric that does not change after construction: its series' label strings in
 * both formats, the headers, and the maps back from label values to series. Exposition then is a
 * loop of string concatenations over precomputed prefixes and the values in the typed array.
 */
import {
  escapeHelpOpenMetrics,
  escapeHelpText,
  escapeLabelValue,
  formatGoFloat,
  formatOpenMetricsFloat,
  formatValue,
} from './format.js';
import type { ExemplarStore } from './exemplars.js';
import { openMetricsExemplar } from './exemplars.js';
import type { PromMetricJSON, PromValueJSON } from './json.js';
import { LearnedValues, invalidLearnedValue } from './learned.js';
import type { NativeHistogramSnapshot } from './native-histogram.js';
import type { MetricSpec } from './spec.js';
import { familyName, labelPositions, seriesCount } from './spec.js';
import { histogramExposesSum, histogramSampleNames } from './names.js';

/** Exposition formats: Prometheus text 0.0.4, OpenMetrics 1.0.0, or delimited protobuf (runtime/protobuf.ts). */
export type ExpositionFormat = TextExpositionFormat | 'protobuf';
/** The two text formats, which {@link Family.render} writes. */
export type TextExpositionFormat = 'text' | 'openmetrics';

export class Family {
  readonly name: string;
  /** OpenMetrics family name (counters lose `_total`). */
  readonly family: string;
  readonly series: number;
  /** Typed-array slots per series: 1, or buckets + 3 for a histogram. */
  readonly stride: number;
  readonly bounds: Float64Array;
  /** False for a histogram with a negative bound: it exposes buckets only (see histogramExposesSum). */
  readonly exposesSum: boolean;
  /** A histogram's `_bucket`, `_sum` and `_count` series names. */
  private readonly histogramNames: readonly [bucket: string, sum: string, count: string];

  private readonly textHeader: string;
  private readonly omHeader: string;
  /**
   * Per label: its learned slots, or undefined for a label with declared values only. A series that
   * has a free slot among its positions does not exist yet: it is neither exposed nor sent to the
   * cluster primary, and its prefixes are built when its last slot is learned.
   */
  readonly learned: readonly (LearnedValues | undefined)[];
  readonly hasLearned: boolean;
  /** Per label: number of positions (declared values, then learned slots). */
  private readonly radix: readonly number[];
  /** The leText/leOM bound texts, kept for series whose prefixes are built late. */
  private readonly leText: readonly string[];
  private readonly leOM: readonly string[];
  /** Counters and gauges: `name{labels} ` per series (identical in both formats). */
  private readonly samplePrefix: string[] = [];
  /** Histograms: `name_bucket{labels,le="..."} ` per series and bucket, per format. */
  private readonly bucketPrefixText: string[] = [];
  private readonly bucketPrefixOM: string[] = [];
  private readonly sumPrefix: string[] = [];
  private readonly countPrefix: string[] = [];
  /** @internal Info metrics: the label pairs and values of the one series, set by `Info#set`. */
  infoPairs = '';
  infoLabelValues: readonly string[] = [];
  /** Per label, value -> position; used to map prom-client JSON back onto series. */
  private readonly valueIndex: ReadonlyMap<string, number>[];

  constructor(readonly spec: MetricSpec) {
    this.name = spec.name;
    this.family = familyName(spec);
    this.histogramNames = histogramSampleNames(spec.name);
    this.series = seriesCount(spec);
    this.bounds = Float64Array.from(spec.buckets ?? []);
    this.stride = spec.type === 'histogram' ? this.bounds.length + 3 : 1;
    this.exposesSum = histogramExposesSum(spec.buckets ?? []);
    this.valueIndex = spec.labels.map((l) => new Map(l.values.map((v, i) => [v, i])));
    this.radix = spec.labels.map(labelPositions);
    this.learned = spec.labels.map((l) => (l.learned === undefined ? undefined : new LearnedValues(l.values.length, l.learned)));
    this.hasLearned = this.learned.some((l) => l !== undefined);

    // The text format 0.0.4 has no info type: an info metric is the gauge `<family>_info` there, as
    // client_golang, client_python and prom-client write it.
    const textType = spec.type === 'info' ? 'gauge' : spec.type;
    this.textHeader = `# HELP ${spec.name} ${escapeHelpText(spec.help)}\n# TYPE ${spec.name} ${textType}\n`;
    this.omHeader =
      `# HELP ${this.family} ${escapeHelpOpenMetrics(spec.help)}\n# TYPE ${this.family} ${spec.type}\n` +
      (spec.unit === '' ? '' : `# UNIT ${this.family} ${spec.unit}\n`);

    this.leText = [...this.bounds].map(formatGoFloat).concat('+Inf');
    this.leOM = [...this.bounds].map(formatOpenMetricsFloat).concat('+Inf');
    for (let s = 0; s < this.series; s++) this.buildPrefixes(s);
  }

  /**
   * Builds the exposition prefixes of a series whose label values are all known; returns false,
   * building nothing, while one of its learned slots is free.
   */
  private buildPrefixes(s: number): boolean {
    const values = this.labelValuesOf(s);
    if (values.includes(undefined)) return false;
    const spec = this.spec;
    const pairs = values.map((v, k) => `${spec.labels[k]!.name}="${escapeLabelValue(v!)}"`).join(',');
    const braces = pairs === '' ? '' : `{${pairs}}`;
    if (spec.type !== 'histogram') {
      this.samplePrefix[s] = `${spec.name}${braces} `;
      return true;
    }
    const sep = pairs === '' ? '' : ',';
    const buckets = this.leText.length;
    for (let b = 0; b < buckets; b++) {
      this.bucketPrefixText[s * buckets + b] = `${this.histogramNames[0]}{${pairs}${sep}le="${this.leText[b]}"} `;
      this.bucketPrefixOM[s * buckets + b] = `${this.histogramNames[0]}{${pairs}${sep}le="${this.leOM[b]}"} `;
    }
    this.sumPrefix[s] = `${this.histogramNames[1]}${braces} `;
    this.countPrefix[s] = `${this.histogramNames[2]}${braces} `;
    return true;
  }

  /** Whether a series exists: every label value it stands for is declared or learned. */
  private exists(s: number): boolean {
    return (this.spec.type === 'histogram' ? this.sumPrefix[s] : this.samplePrefix[s]) !== undefined || this.buildPrefixes(s);
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

  /** Forgets every learned value (and the prefixes of the series they made). */
  forgetLearned(): void {
    if (!this.hasLearned) return;
    for (const learned of this.learned) learned?.clear();
    for (let s = 0; s < this.series; s++) {
      if (!this.labelValuesOf(s).includes(undefined)) continue;
      delete this.samplePrefix[s];
      delete this.sumPrefix[s];
      delete this.countPrefix[s];
      const buckets = this.leText.length;
      for (let b = 0; b < buckets; b++) {
        delete this.bucketPrefixText[s * buckets + b];
        delete this.bucketPrefixOM[s * buckets + b];
      }
    }
  }

  /** Number of Float64Array slots this metric needs. */
  get slots(): number {
    return this.series * this.stride;
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
    out.push(format === 'openmetrics' ? this.omHeader : this.textHeader);
    const withExemplars = format === 'openmetrics' && exemplars !== undefined && exemplars.size > 0;
    if (withExemplars) return this.renderWithExemplars(data, out, exemplars);
    if (this.spec.type === 'info') {
      // No series until the application has set the values: an info sample without them would say nothing.
      if (data[0] === 1) out.push(`${this.name}{${this.infoPairs}} 1\n`);
      return;
    }
    if (this.spec.type !== 'histogram') {
      for (let s = 0; s < this.series; s++) {
        if (!this.exists(s)) continue;
        out.push(`${this.samplePrefix[s]}${formatValue(data[s]!)}\n`);
      }
      return;
    }
    const buckets = this.bounds.length + 1;
    const prefixes = format === 'openmetrics' ? this.bucketPrefixOM : this.bucketPrefixText;
    for (let s = 0; s < this.series; s++) {
      if (!this.exists(s)) continue;
      const base = s * this.stride;
      let cumulative = 0;
      for (let b = 0; b < buckets; b++) {
        cumulative += data[base + b]!;
        out.push(`${prefixes[s * buckets + b]}${formatValue(cumulative)}\n`);
      }
      if (!this.exposesSum) continue;
      out.push(`${this.sumPrefix[s]}${formatValue(data[base + buckets]!)}\n`);
      out.push(`${this.countPrefix[s]}${formatValue(data[base + buckets + 1]!)}\n`);
    }
  }

  /** {@link render} in OpenMetrics for a counter or histogram some of whose series hold exemplars. */
  private renderWithExemplars(data: Float64Array, out: string[], exemplars: ExemplarStore): void {
    const suffix = (key: number): string => {
      const exemplar = exemplars.get(key);
      return exemplar === undefined ? '\n' : `${openMetricsExemplar(exemplar)}\n`;
    };
    if (this.spec.type === 'counter') {
      for (let s = 0; s < this.series; s++) {
        if (this.exists(s)) out.push(`${this.samplePrefix[s]}${formatValue(data[s]!)}${suffix(s)}`);
      }
      return;
    }
    const buckets = this.bounds.length + 1;
    for (let s = 0; s < this.series; s++) {
      if (!this.exists(s)) continue;
      const base = s * this.stride;
      let cumulative = 0;
      for (let b = 0; b < buckets; b++) {
        cumulative += data[base + b]!;
        out.push(`${this.bucketPrefixOM[s * buckets + b]}${formatValue(cumulative)}${suffix(s * buckets + b)}`);
      }
      if (!this.exposesSum) continue;
      out.push(`${this.sumPrefix[s]}${formatValue(data[base + buckets]!)}\n`);
      out.push(`${this.countPrefix[s]}${formatValue(data[base + buckets + 1]!)}\n`);
    }
  }

  /**
   * The native buckets of a histogram series, for the protobuf exposition; undefined for a
   * classic-only histogram and for other types. (Stub until native histograms are recorded.)
   */
  nativeSnapshot(_data: Float64Array, _series: number): NativeHistogramSnapshot | undefined {
    return undefined;
  }

  /**
   * prom-client's JSON shape for this metric (what `Registry#getMetricsAsJSON` returns), so that
   * `AggregatorRegistry.aggregate` can sum it across cluster workers. Every metric of ours aggregates
   * by sum, gauges included: a gauge here measures a per-process amount (in-flight work, queue
   * length), and the application's amount is the sum over its processes.
   */
  toJSON(data: Float64Array): PromMetricJSON {
    const values: PromValueJSON[] = [];
    if (this.spec.type === 'info') {
      // Cluster workers send theirs; the primary serves its own values (one process build, one answer).
      const labels: Record<string, string> = {};
      (this.spec.infoLabels ?? []).forEach((name, i) => (labels[name] = this.infoLabelValues[i] ?? ''));
      if (data[0] === 1) values.push({ value: 1, labels });
      return { name: this.name, help: this.spec.help, type: 'gauge', values, aggregator: 'first' };
    }
    const labelNames = this.spec.labels.map((l) => l.name);
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
          metricName: this.histogramNames[0],
        });
      }
      values.push({ value: data[base + n + 1]!, labels: labels(), metricName: this.histogramNames[1] });
      values.push({ value: data[base + n + 2]!, labels: labels(), metricName: this.histogramNames[2] });
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
        case this.histogramNames[0]: {
          const bucket = this.bucketOfLe(sample.labels?.le);
          if (bucket >= 0) cumulative![series * (n + 1) + bucket]! += sample.value;
          break;
        }
        case this.histogramNames[1]:
          data[base + n + 1]! += sample.value;
          break;
        case this.histogramNames[2]:
          data[base + n + 2]! += sample.value;
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
