/**
 * The shape of a metric as the generated code hands it to the runtime.
 *
 * The generator resolves the catalogue into these objects, so the runtime never sees YAML. It still
 * validates them at construction: a malformed spec is a generator bug, and failing fast at start-up
 * is far cheaper than writing a broken exposition for weeks.
 */

/** The metric types the catalogue can declare. */
import { familyName as familyNameOf } from './names.js';
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info';

/** One label of a metric with its closed set of values, or values learned at run time. */
export interface LabelSpec {
  /** Exposition label name, e.g. `agent`. */
  readonly name: string;
  /** Allowed values in index order; the overflow value, if any, is included in this list. */
  readonly values: readonly string[];
  /** The value unknown inputs are mapped to; must be one of `values`. */
  readonly overflow?: string;
  /**
   * How many further values the label learns at run time, first come first served: positions
   * `values.length` to `values.length + learned - 1`. Once they are taken, other values go to the
   * overflow value, or are dropped and counted without one. Runtime API 2 and later.
   */
  readonly learned?: number;
}

/** Positions of a label: its declared values, then its learned slots. */
export function labelPositions(label: LabelSpec): number {
  return label.values.length + (label.learned ?? 0);
}

/** Native (sparse, exponential) buckets of a histogram. Runtime API 3 and later. */
export interface NativeHistogramSpec {
  /** -4..8: each power of two is split into 2^schema buckets. */
  readonly schema: number;
  /** Most buckets a series keeps before its resolution is halved. */
  readonly maxBuckets: number;
  /** Observations with |v| <= zeroThreshold go to the zero bucket. */
  readonly zeroThreshold: number;
}

/** One metric, fully resolved by the generator. */
export interface MetricSpec {
  /** Full name, e.g. `lazybird_agent_calls_total` (counters end with `_total`). */
  readonly name: string;
  readonly type: MetricType;
  /** Arbitrary text: may contain backslashes, newlines, quotes and non-ASCII. */
  readonly help: string;
  /** OpenMetrics unit (`seconds`, `bytes`, `ratio`, ...) or `''` for none. */
  readonly unit: string;
  readonly labels: readonly LabelSpec[];
  /** Histograms only: finite, strictly increasing upper bounds, without `+Inf`. */
  readonly buckets?: readonly number[];
  /** Histograms only: native buckets, beside the classic `buckets` (which may then be empty). */
  readonly native?: NativeHistogramSpec;
  /**
   * Info metrics only: names of the labels whose values the application sets at run time (a
   * version, a commit). An info metric has one series, value 1, once its values are set.
   */
  readonly infoLabels?: readonly string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const UNIT = /^[a-zA-Z0-9_]+$/;

/**
 * Number of series a metric has: the product of its labels' value counts (1 without labels).
 */
export function seriesCount(spec: MetricSpec): number {
  let n = 1;
  for (const label of spec.labels) n *= labelPositions(label);
  return n;
}

/**
 * Series index of a combination of label values, by the mixed-radix rule the generated code uses
 * (first label most significant). Returns -1 when a value is not allowed or the count is wrong.
 * This is the slow path, for tests and hand-written callers; generated code computes the index
 * with `switch` statements instead. A learned label's values are known to the runtime only: here
 * they count as not allowed.
 */
export function seriesIndexOf(spec: MetricSpec, labelValues: readonly string[]): number {
  if (labelValues.length !== spec.labels.length) return -1;
  let index = 0;
  for (let k = 0; k < spec.labels.length; k++) {
    const label = spec.labels[k]!;
    const position = label.values.indexOf(labelValues[k]!);
    if (position < 0) return -1;
    index = index * labelPositions(label) + position;
  }
  return index;
}

/**
 * The OpenMetrics family name: a counter's name without its `_total` suffix, any other metric's name.
 */
export function familyName(spec: Pick<MetricSpec, 'name' | 'type'>): string {
  return familyNameOf(spec.name, spec.type);
}

/**
 * Throws an Error naming the first offending metric when the specs cannot be exposed correctly.
 */
export function validateSpecs(specs: readonly MetricSpec[]): void {
  const seen = new Set<string>();
  specs.forEach((spec, id) => {
    const where = `metric spec #${id} (${String(spec?.name)})`;
    const fail = (message: string): never => {
      throw new Error(`invalid ${where}: ${message}`);
    };
    if (typeof spec !== 'object' || spec === null) fail('not an object');
    if (typeof spec.name !== 'string' || !METRIC_NAME.test(spec.name)) fail('invalid metric name');
    if (seen.has(spec.name)) fail('duplicate metric name');
    seen.add(spec.name);
    if (spec.type !== 'counter' && spec.type !== 'gauge' && spec.type !== 'histogram' && spec.type !== 'info') fail(`unknown type ${String(spec.type)}`);
    if (spec.type === 'info') validateInfo(spec, fail);
    else if (spec.infoLabels !== undefined) fail('only info metrics have infoLabels');
    if (typeof spec.help !== 'string') fail('help must be a string');
    if (spec.type === 'counter' && !spec.name.endsWith('_total')) fail('counter names must end with _total');
    if (typeof spec.unit !== 'string') fail('unit must be a string');
    if (spec.unit !== '') {
      if (!UNIT.test(spec.unit)) fail(`invalid unit ${spec.unit}`);
      // OpenMetrics requires the family name to end with the unit whenever a UNIT line is written.
      if (!familyName(spec).endsWith(`_${spec.unit}`)) fail(`family name must end with _${spec.unit}`);
    }
    if (!Array.isArray(spec.labels)) fail('labels must be an array');
    const labelNames = new Set<string>();
    for (const label of spec.labels) {
      if (typeof label.name !== 'string' || !LABEL_NAME.test(label.name) || label.name.startsWith('__')) {
        fail(`invalid label name ${String(label.name)}`);
      }
      if (labelNames.has(label.name)) fail(`duplicate label ${label.name}`);
      labelNames.add(label.name);
      if (spec.type === 'histogram' && label.name === 'le') fail('histograms cannot have a label named le');
      const learned = label.learned;
      if (learned !== undefined && (typeof learned !== 'number' || !Number.isInteger(learned) || learned < 1)) {
        fail(`label ${label.name}: learned must be a positive integer`);
      }
      if (!Array.isArray(label.values) || (label.values.length === 0 && learned === undefined)) fail(`label ${label.name} has no values`);
      if (label.values.some((v) => typeof v !== 'string')) fail(`label ${label.name} has a non-string value`);
      if (new Set(label.values).size !== label.values.length) fail(`label ${label.name} has duplicate values`);
      if (label.overflow !== undefined && !label.values.includes(label.overflow)) {
        fail(`overflow value of label ${label.name} is not among its values`);
      }
    }
    if (spec.type === 'histogram') {
      const buckets = spec.buckets;
      if (!Array.isArray(buckets)) fail('histograms need buckets');
      for (let i = 0; i < buckets!.length; i++) {
        const b = buckets![i]!;
        if (typeof b !== 'number' || !Number.isFinite(b)) fail('buckets must be finite numbers');
        if (i > 0 && !(b > buckets![i - 1]!)) fail('buckets must be strictly increasing');
      }
    } else if (spec.buckets !== undefined) {
      fail('only histograms have buckets');
    }
  });
}

/** OpenMetrics: an info family has no unit; its sample is `<family>_info`, labels only from infoLabels. */
function validateInfo(spec: MetricSpec, fail: (message: string) => never): void {
  if (!spec.name.endsWith('_info')) fail('info metric names must end with _info');
  if (spec.unit !== '') fail('info metrics have no unit');
  if (!Array.isArray(spec.labels) || spec.labels.length > 0) fail('info metrics take their labels from infoLabels');
  const names = spec.infoLabels;
  if (!Array.isArray(names) || names.length === 0) fail('info metrics need infoLabels');
  for (const name of names!) {
    if (typeof name !== 'string' || !LABEL_NAME.test(name) || name.startsWith('__')) fail(`invalid info label name ${String(name)}`);
  }
  if (new Set(names).size !== names!.length) fail('duplicate info label');
}
