/**
 * What a running exporter exposes, against what the catalogue says: metrics missing or unknown,
 * types, help texts, label names and values, buckets, and series against the budget. Pure.
 */
import type { Catalog, MetricModel } from '../../catalog/model.js';
import type { ExposedFamily, ParsedExposition } from './exposition.js';
import { parseValue } from './exposition.js';
import { LEARNED_VALUE_MAX_LENGTH, invalidLearnedValue } from '../../../runtime/learned.js';

export type LiveRule =
  | 'live-malformed'
  | 'live-metric-missing'
  | 'live-metric-unknown'
  | 'live-type'
  | 'live-help'
  | 'live-label-unknown'
  | 'live-label-missing'
  | 'live-label-value'
  | 'live-label-learned'
  | 'live-buckets'
  | 'live-series-limit'
  | 'live-series-budget';

export interface LiveFinding {
  readonly rule: LiveRule;
  /** The metric concerned, if any. */
  readonly metric: string | undefined;
  readonly message: string;
}

export interface CompareOptions {
  /**
   * Name prefixes of metrics exposed beside the catalogue's and not checked: the client library's
   * process and runtime metrics. Default `process_`, `nodejs_`.
   */
  readonly ignorePrefixes?: readonly string[];
}

export const DEFAULT_IGNORED_PREFIXES = ['process_', 'nodejs_'] as const;

export interface LiveReport {
  readonly findings: readonly LiveFinding[];
  /** Catalogue metrics found in the exposition. */
  readonly metrics: number;
  /** Samples of catalogue metrics in the exposition (histogram buckets, sums and counts each count). */
  readonly series: number;
}

/** Every difference between the exposition and the catalogue, metric by metric in catalogue order. */
export function compareExposition(catalog: Catalog, exposition: ParsedExposition, options: CompareOptions = {}): LiveReport {
  const ignored = options.ignorePrefixes ?? DEFAULT_IGNORED_PREFIXES;
  const findings: LiveFinding[] = [];
  for (const problem of exposition.problems) {
    findings.push({ rule: 'live-malformed', metric: undefined, message: `line ${problem.line}: ${problem.message}` });
  }
  const unlisted = exposition.problemCount - exposition.problems.length;
  if (unlisted > 0) findings.push({ rule: 'live-malformed', metric: undefined, message: `${unlisted} more malformed lines` });

  let series = 0;
  let found = 0;
  const declared = new Set<string>();
  for (const metric of catalog.metrics) {
    declared.add(metric.name);
    const family = exposition.families.get(metric.name);
    if (family === undefined || family.samples.length === 0) {
      findings.push({ rule: 'live-metric-missing', metric: metric.name, message: `${metric.name}: declared in the catalogue but not exposed` });
      continue;
    }
    found++;
    series += family.samples.length;
    // One by one: a spread of a family's findings (one per unknown label, say) could overflow the stack.
    for (const finding of compareFamily(metric, family)) findings.push(finding);
  }

  for (const family of exposition.families.values()) {
    if (declared.has(family.name) || ignored.some((prefix) => family.name.startsWith(prefix))) continue;
    // A HELP or TYPE line with no sample is metadata only; it still names a metric the catalogue lacks.
    findings.push({ rule: 'live-metric-unknown', metric: family.name, message: `${family.name}: exposed (${family.type}) but not in the catalogue` });
  }

  if (series > catalog.budget.totalSeries) {
    findings.push({
      rule: 'live-series-budget',
      metric: undefined,
      message: `${series} series of catalogue metrics exposed, over the catalogue's budget of ${catalog.budget.totalSeries}`,
    });
  }
  return { findings, metrics: found, series };
}

function compareFamily(metric: MetricModel, family: ExposedFamily): LiveFinding[] {
  const findings: LiveFinding[] = [];
  const add = (rule: LiveRule, message: string): void => void findings.push({ rule, metric: metric.name, message: `${metric.name}: ${message}` });

  // The text format, which the live check asks for, has no info type: an info metric is a gauge there.
  const textType = metric.type === 'info' ? 'gauge' : metric.type;
  if (family.type !== textType) add('live-type', `exposed as ${family.type}, declared as ${metric.type}${textType === metric.type ? '' : ` (a ${textType} in the text format)`}`);
  if (family.help === undefined) add('live-help', `exposed without help; the catalogue says ${JSON.stringify(metric.help)}`);
  else if (family.help !== metric.help) add('live-help', `exposed with help ${JSON.stringify(family.help)}; the catalogue says ${JSON.stringify(metric.help)}`);

  const histogram = metric.type === 'histogram';
  // An info metric's labels take any value (set at run time): undefined there means "any".
  const allowed = new Map<string, Set<string> | undefined>([
    ...metric.labels.map((label): [string, Set<string>] => [label.name, new Set(label.values)]),
    ...metric.infoLabels.map((label): [string, undefined] => [label.name, undefined]),
  ]);
  const unknownLabels = new Set<string>();
  const missingLabels = new Set<string>();
  const badValues = new Map<string, Set<string>>();
  /** Values outside the declared ones, per label that learns its values: any valid value, at most its max. */
  const learnedOf = new Map(metric.labels.filter((label) => label.learned !== undefined).map((label) => [label.name, new Set<string>()]));
  const bounds = new Set<number>();
  for (const sample of family.samples) {
    const bucket = histogram && sample.name === `${metric.name}_bucket`;
    for (const [name, value] of Object.entries(sample.labels)) {
      if (bucket && name === 'le') {
        const bound = parseValue(value);
        if (bound === undefined) add('live-buckets', `line ${sample.line}: le="${value}" is not a number`);
        else bounds.add(bound);
        continue;
      }
      const values = allowed.get(name);
      if (!allowed.has(name)) unknownLabels.add(name);
      else if (values === undefined) continue;
      else if (!values.has(value) && learnedOf.has(name) && invalidLearnedValue(value) === undefined) learnedOf.get(name)!.add(value);
      else if (!values.has(value)) {
        const bad = badValues.get(name) ?? new Set<string>();
        bad.add(value);
        badValues.set(name, bad);
      }
    }
    for (const name of allowed.keys()) if (!Object.hasOwn(sample.labels, name)) missingLabels.add(name);
    if (bucket && !Object.hasOwn(sample.labels, 'le')) add('live-buckets', `line ${sample.line}: a bucket without le`);
  }

  const declaredNames = [...allowed.keys()].join(', ') || 'none';
  for (const name of [...unknownLabels].sort()) add('live-label-unknown', `label ${name} is not declared for this metric (declared: ${declaredNames})`);
  for (const name of [...missingLabels].sort()) add('live-label-missing', `some series lack the declared label ${name}`);
  for (const label of metric.labels) {
    for (const value of [...(badValues.get(label.name) ?? [])].sort()) {
      const allowedText = label.learned === undefined ? label.values.join(', ') : `${[...label.values, `up to ${label.learned} learned values`].join(', ')}; a learned value is a non-empty string of at most ${LEARNED_VALUE_MAX_LENGTH} characters without control characters`;
      add('live-label-value', `label ${label.name}=${JSON.stringify(value)} is outside the allowed values (${allowedText})`);
    }
    const learned = learnedOf.get(label.name);
    if (label.learned !== undefined && learned !== undefined && learned.size > label.learned) {
      const shown = [...learned].sort().slice(0, 10).map((v) => JSON.stringify(v)).join(', ');
      add('live-label-learned', `label ${label.name} shows ${learned.size} learned values, over its maximum of ${label.learned}${label.overflow === undefined ? '' : ` (later values belong under ${JSON.stringify(label.overflow)})`}: ${shown}${learned.size > 10 ? ', ...' : ''}`);
    }
  }

  if (histogram) {
    const exposed = [...bounds].sort((a, b) => a - b);
    const expected = [...metric.buckets, Infinity];
    if (exposed.length !== expected.length || exposed.some((b, i) => b !== expected[i])) {
      add('live-buckets', `exposes buckets ${formatBounds(exposed)}; the catalogue says ${formatBounds(expected)}`);
    }
  }

  if (family.samples.length > metric.seriesLimit) {
    add('live-series-limit', `${family.samples.length} series exposed, over its limit of ${metric.seriesLimit}`);
  }
  return findings;
}

function formatBounds(bounds: readonly number[]): string {
  return bounds.length === 0 ? 'none' : bounds.map((b) => (b === Infinity ? '+Inf' : String(b))).join(', ');
}
