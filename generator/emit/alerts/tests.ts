/**
 * promtool unit tests of the generated alerts, one file beside the rules. The input series are
 * built from what each alert means (kind, threshold, window, `for`, floor, SLO windows) as the
 * model holds it, never from its expression, so a rule that drifts from its meaning fails them.
 *
 * A firing case checks the ALERTS series (every label: severity, routing labels, job and the
 * alert's `by`); the annotations are templates rendered with the alert's value, which the rules
 * file alone defines, and promtool's alert_rule_test would compare them exactly.
 */
import { stringify } from 'yaml';
import { generatedHeader } from '../../conventions.js';
import { histogramShape, matcherSelects } from '../../catalog/model.js';
import type { AlertModel, Catalog, LabelModel, Matchers, MetricModel } from '../../catalog/model.js';
import { parseDuration } from '../../catalog/duration.js';
import { BURN_RATES, scaledWindow } from '../../catalog/slo.js';
import { formatGoFloat } from '../../../runtime/format.js';
import { stringLiteral } from '../promql.js';

/** Every test evaluates the rules once a minute, and every input series has a sample a minute. */
const STEP_SECONDS = 60;
// Rules are evaluated less often than samples arrive: the day-long degradation cases stay quick.
const EVALUATION_MINUTES = 5;
const JOB = 'rule-test';
const INSTANCES = ['a:9464', 'b:9464'] as const;

/** A series without its job, which each case is given when its test group is assembled. */
interface InputSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly values: string;
}

type Check =
  | { readonly fires: true; readonly alert: string; readonly at: number; readonly labels: Readonly<Record<string, string>> }
  | { readonly fires: false; readonly alert: string; readonly at: number };

/** One promtool test group: input series and what each alert must do at given times. */
interface Case {
  readonly comment: string;
  /** Minutes between samples (1 unless the case spans days). */
  readonly stepMinutes?: number;
  readonly series: readonly InputSeries[];
  readonly checks: readonly Check[];
}

/** A level of a series over a stretch of minutes: a counter's rate per second, or a gauge's value. */
interface Phase {
  readonly level: number;
  readonly minutes: number;
}

/** `<rules>.test.yaml`: for each alert, cases that must fire and cases that must stay silent. */
export function emitRuleTests(catalog: Catalog): Map<string, string> {
  // Every input series carries the store's aggregation labels, as a cluster's series would.
  const stored = Object.fromEntries(catalog.aggregationLabels.map((name) => [name, JOB]));
  const alerts = catalog.metrics.flatMap((metric) => metric.alerts);
  const tests = testGroups(alerts.filter((alert) => !untestable(alert)).flatMap((alert) => alertCases(alert)), stored);
  // Written without alerts too (no tests): the file's path is on the model whatever the catalogue holds.
  const rulesName = catalog.files.rules.slice(catalog.files.rules.lastIndexOf('/') + 1);
  const body = stringify({ rule_files: [rulesName], evaluation_interval: `${EVALUATION_MINUTES}m`, tests }, { lineWidth: 0, indent: 2 });
  const skipped = alerts.filter(untestable).flatMap((alert) => alert.names);
  const note =
    skipped.length === 0
      ? ''
      : `# No tests for ${skipped.join(', ')}: they read a native-only histogram, and promtool 2.42 (Debian's) cannot\n` +
        '# write native histogram input series (the {{schema:... buckets:[...]}} notation came in a later Prometheus).\n';
  return new Map([[catalog.files.ruleTests, `${generatedHeader(catalog.sourceFile, '#')}\n${note}${body}`]]);
}

/**
 * Alerts on a native-only histogram: they read its native series, which promtool 2.42's input
 * series cannot hold. An absence alert also reads `_count` (what a text scrape stores), and is
 * tested through it; a histogram with classic buckets too is tested through its classic series
 * (the rules read whichever shape is stored).
 */
export function untestable(alert: AlertModel): boolean {
  return histogramShape(alert.metric) === 'native' && alert.kind !== 'absence';
}

/**
 * promtool evaluates every rule of the file at every step of a test group, so all cases sampled at
 * the same step share one group, each under a job of its own (`rule-test-1`...), and each check
 * selects its alert and its job. Cases whose alert carries no job (absence) keep a group each.
 */
function testGroups(cases: readonly Case[], stored: Readonly<Record<string, string>>): object[] {
  const byStep = new Map<number, Case[]>();
  const alone: Case[] = [];
  for (const c of cases) {
    if (c.checks.some((check) => check.fires && check.labels['job'] === undefined)) alone.push(c);
    else byStep.set(c.stepMinutes ?? 1, [...(byStep.get(c.stepMinutes ?? 1) ?? []), c]);
  }
  const group = (members: readonly Case[], step: number, jobOf: (index: number) => string | undefined) => ({
    name: members.map((c, i) => (jobOf(i) === undefined ? c.comment : `${jobOf(i)}: ${c.comment}`)).join('; '),
    interval: `${step}m`,
    input_series: members.flatMap((c, i) => c.series.map((s) => ({ series: seriesText(s.name, { job: jobOf(i) ?? JOB, ...stored, ...s.labels }), values: s.values }))),
    promql_expr_test: members.flatMap((c, i) =>
      c.checks.map((check) => {
        const job = jobOf(i);
        const selected = { alertname: check.alert, alertstate: 'firing', ...(job === undefined ? {} : { job }) };
        return {
          expr: seriesText('ALERTS', selected),
          eval_time: minutes(check.at),
          // An alert kept per job keeps the aggregation labels too; one without a job (absence) has neither.
          exp_samples: check.fires ? [{ labels: seriesText('ALERTS', { alertname: check.alert, alertstate: 'firing', ...check.labels, ...(job === undefined ? {} : { job, ...stored }) }), value: 1 }] : [],
        };
      }),
    ),
  });
  let next = 0;
  const shared = [...byStep].map(([step, members]) => {
    const first = next;
    next += members.length;
    return group(members, step, (i) => `${JOB}-${first + i + 1}`);
  });
  return [...shared, ...alone.map((c) => group([c], c.stepMinutes ?? 1, () => undefined))];
}

function minutes(count: number): string {
  return `${count}m`;
}

function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([label, value]) => `${label}=${stringLiteral(value)}`);
  return `${name}{${pairs.join(', ')}}`;
}

function windowMinutes(duration: string): number {
  return Math.ceil(parseDuration(duration) / 60);
}

/** Decimal arithmetic without binary noise in the written values. */
function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** A counter rising at each phase's rate per second, one sample a step. */
function counterValues(phases: readonly Phase[], stepMinutes = 1): string {
  let total = 0;
  const parts: string[] = [];
  for (const { level, minutes: length } of phases) {
    const count = Math.ceil(length / stepMinutes);
    const step = level * STEP_SECONDS * stepMinutes;
    parts.push(`${num(total)}+${num(step)}x${count - 1}`);
    total += step * count;
  }
  return parts.join(' ');
}

/** A gauge holding each phase's value (`slope`: rising by that much per second instead). */
function gaugeValues(phases: readonly Phase[], slope = false, stepMinutes = 1): string {
  if (!slope) return phases.map(({ level, minutes: length }) => `${num(level)}x${Math.ceil(length / stepMinutes) - 1}`).join(' ');
  return counterValues(phases, stepMinutes);
}

/** The series labels of a metric: the first value of each label that every matcher selects. */
function chooseLabels(metric: MetricModel, ...matcherSets: readonly Matchers[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const label of metric.labels) {
    const value = label.values.find((candidate) => matcherSets.every((set) => set.filter((m) => m.label === label).every((m) => matcherSelects(m, candidate))));
    if (value === undefined) return undefined;
    labels[label.name] = value;
  }
  return labels;
}

/** Matchers that select none of what `matchers` select, one label at a time (the other events). */
function complementOf(metric: MetricModel, base: Matchers, matchers: Matchers): Record<string, string> | undefined {
  for (const m of matchers) {
    const flipped: Matchers = [{ label: m.label, values: m.values, negated: !m.negated }];
    const labels = chooseLabels(metric, base.filter((b) => b.label !== m.label), flipped, base.filter((b) => b.label === m.label));
    if (labels) return labels;
  }
  return undefined;
}

function series(name: string, labels: Readonly<Record<string, string>>, instance: string, values: string): InputSeries {
  return { name, labels: { instance, ...labels }, values };
}

/** Labels the alert carries when it fires from series with `seriesLabels`. */
function firingLabels(alert: AlertModel, rule: string, seriesLabels: Readonly<Record<string, string>>): Record<string, string> {
  const severity = alert.rules.find((r) => r.name === rule)?.severity ?? alert.severity;
  const by = Object.fromEntries(alert.by.map((label: LabelModel) => [label.name, seriesLabels[label.name] ?? '']));
  return { job: JOB, ...by, ...Object.fromEntries(alert.labels.map(({ name, value }) => [name, value])), severity };
}

function alertCases(alert: AlertModel): Case[] {
  switch (alert.kind) {
    case 'threshold':
      return thresholdCases(alert);
    case 'absence':
      return absenceCases(alert);
    case 'degradation':
      return degradationCases(alert);
    case 'slo':
      return sloCases(alert);
    case 'quantile':
      return quantileCases(alert);
    case 'stall':
      return stallCases(alert);
    case 'anomaly':
      return anomalyCases(alert);
  }
}

function forMinutes(alert: AlertModel, rule = 0): number {
  return windowMinutes(alert.rules[rule]?.for ?? '0s');
}

/**
 * The series behind a signal at `level` (a rate per second, a gauge's value, a ratio, an average)
 * with `traffic` events per second where the signal is made of events; undefined when the
 * catalogue leaves no series that could carry it.
 */
type SignalSeries = (phases: readonly { level: number; traffic: number; minutes: number }[], stepMinutes?: number) => { series: InputSeries[]; labels: Record<string, string> } | undefined;

function signalSeries(alert: AlertModel): SignalSeries {
  const metric = alert.metric;
  switch (alert.of) {
    case 'value':
    case 'delta': {
      const labels = chooseLabels(metric, alert.match);
      return (phases, step = 1) => {
        if (!labels) return undefined;
        const slope = alert.of === 'delta';
        const scale = slope ? 1 / parseDuration(alert.window) : 1;
        // Summed gauges are split over two instances, so that neither alone reaches the level.
        const parts = alert.aggregate === 'sum' ? INSTANCES : INSTANCES.slice(0, 1);
        return {
          series: parts.map((instance) => series(metric.name, labels, instance, gaugeValues(phases.map((p) => ({ level: (p.level * scale) / parts.length, minutes: p.minutes })), slope, step))),
          labels,
        };
      };
    }
    case 'rate': {
      const labels = chooseLabels(metric, alert.match);
      return (phases, step = 1) => (labels ? { series: [series(metric.name, labels, INSTANCES[0], counterValues(phases, step))], labels } : undefined);
    }
    case 'average': {
      const labels = chooseLabels(metric, alert.match);
      const [, sum, count] = metric.samples;
      return (phases, step = 1) =>
        labels && sum && count
          ? {
              series: [
                series(sum, labels, INSTANCES[0], counterValues(phases.map((p) => ({ level: p.level * p.traffic, minutes: p.minutes })), step)),
                series(count, labels, INSTANCES[0], counterValues(phases.map((p) => ({ level: p.traffic, minutes: p.minutes })), step)),
              ],
              labels,
            }
          : undefined;
    }
    case 'ratio': {
      const ratio = alert.ratio;
      if (!ratio) return () => undefined;
      const numerator = chooseLabels(ratio.numerator, ratio.match, ratio.denominator === ratio.numerator ? ratio.denominatorMatch : []);
      const sameMetric = ratio.numerator === ratio.denominator;
      const other = sameMetric ? complementOf(ratio.denominator, ratio.denominatorMatch, ratio.match) : chooseLabels(ratio.denominator, ratio.denominatorMatch);
      return (phases, step = 1) => {
        if (!numerator || !other) return undefined;
        const events = counterValues(phases.map((p) => ({ level: p.level * p.traffic, minutes: p.minutes })), step);
        const rest = counterValues(phases.map((p) => ({ level: sameMetric ? (1 - p.level) * p.traffic : p.traffic, minutes: p.minutes })), step);
        // The `by` labels must agree between numerator and denominator series.
        const otherLabels = { ...other, ...Object.fromEntries(alert.by.filter((l) => numerator[l.name] !== undefined).map((l) => [l.name, numerator[l.name] ?? ''])) };
        return {
          series: [series(ratio.numerator.name, numerator, INSTANCES[0], events), series(ratio.denominator.name, otherLabels, INSTANCES[0], rest)],
          labels: numerator,
        };
      };
    }
    case undefined:
      return () => undefined;
  }
}

/** A level beyond the threshold (`fire`) or on its quiet side, for levels bounded to [0, 1] for ratios. */
function levels(limit: number, above: boolean, ratio: boolean): { fire: number; quiet: number } {
  if (ratio) return above ? { fire: (limit + 1) / 2, quiet: limit / 2 } : { fire: limit / 2, quiet: (limit + 1) / 2 };
  const margin = limit === 0 ? 1 : Math.abs(limit) / 2;
  return above ? { fire: limit + margin, quiet: limit - margin } : { fire: limit - margin, quiet: limit + margin };
}

function thresholdCases(alert: AlertModel): Case[] {
  const build = signalSeries(alert);
  const above = alert.above !== undefined;
  const limit = alert.above ?? alert.below ?? 0;
  const { fire, quiet } = levels(limit, above, alert.of === 'ratio');
  const floor = alert.of === 'value' || alert.of === 'delta' ? undefined : alert.minRate;
  const traffic = Math.max(1, (floor ?? 0) * 4);
  const duration = windowMinutes(alert.window) + forMinutes(alert) + 10;
  const at = duration - 1;
  const name = alert.rules[0]?.name ?? alert.name;
  const cases: Case[] = [];
  // A rate is its own traffic: the level is the traffic.
  const trafficOf = (level: number, t: number) => (alert.of === 'rate' ? level : t);
  const firing = build([{ level: fire, traffic: trafficOf(fire, traffic), minutes: duration }]);
  if (firing) cases.push({ comment: `${name}: ${above ? 'above' : 'below'} ${limit} for ${alert.window} and ${alert.rules[0]?.for}: fires`, series: firing.series, checks: [{ fires: true, alert: name, at, labels: firingLabels(alert, name, firing.labels) }] });
  const normal = build([{ level: quiet, traffic: trafficOf(quiet, traffic), minutes: duration }]);
  if (normal) cases.push({ comment: `${name}: on the quiet side of ${limit}: silent`, series: normal.series, checks: [{ fires: false, alert: name, at }] });
  if (floor !== undefined) {
    // Under the floor, yet beyond the threshold (a rate can be both only when the floor is further out).
    const thin = floor / 4;
    const level = alert.of === 'rate' ? thin : fire;
    const beyond = above ? level > limit : level < limit;
    const low = beyond ? build([{ level, traffic: thin, minutes: duration }]) : undefined;
    if (low) cases.push({ comment: `${name}: beyond ${limit} at ${num(thin)}/s, under the ${floor}/s floor: silent`, series: low.series, checks: [{ fires: false, alert: name, at }] });
  }
  const held = heldThresholdCase(alert, fire, quiet, traffic);
  if (held) cases.push(held);
  return cases;
}

/**
 * Beyond the threshold long enough to fire, then back on the quiet side for less than half the
 * window: over the window the signal is still beyond, so the alert still fires. The input is not
 * steady, so the value depends on the window: a rule over a shorter window has resolved by then.
 * A value threshold compares the value now, without a window: no such case.
 */
function heldThresholdCase(alert: AlertModel, fire: number, quiet: number, traffic: number): Case | undefined {
  if (alert.of === 'value') return undefined;
  const window = windowMinutes(alert.window);
  const above = alert.above !== undefined;
  const limit = alert.above ?? alert.below ?? 0;
  const back = (limit + quiet) / 2;
  const name = alert.rules[0]?.name ?? alert.name;
  const trafficOf = (level: number) => (alert.of === 'rate' ? level : traffic);
  for (let after = Math.floor(window / 2); after >= 2; after--) {
    // The window's mean: `after` minutes back on the quiet side, the rest still beyond.
    const mean = ((window - after) * fire + after * back) / window;
    const beyond = above ? mean - limit : limit - mean;
    if (beyond < Math.abs(fire - limit) / 10) continue;
    if (alert.of === 'rate' && alert.minRate !== undefined && mean < alert.minRate) continue;
    const at = roundUp(window + forMinutes(alert) + 10 + after, EVALUATION_MINUTES);
    const built = signalSeries(alert)([
      { level: fire, traffic: trafficOf(fire), minutes: at - after },
      { level: back, traffic: trafficOf(back), minutes: after + EVALUATION_MINUTES },
    ]);
    if (!built) return undefined;
    return {
      comment: `${name}: back to ${num(back)} for ${after}m after firing, less than its ${alert.window} window: still fires`,
      series: built.series,
      checks: [{ fires: true, alert: name, at, labels: firingLabels(alert, name, built.labels) }],
    };
  }
  return undefined;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function absenceCases(alert: AlertModel): Case[] {
  const metric = alert.metric;
  const labels = chooseLabels(metric, alert.match);
  if (!labels) return [];
  const name = alert.rules[0]?.name ?? alert.name;
  const sample = metric.type === 'histogram' ? (metric.samples[2] ?? metric.name) : metric.name;
  const present = 20;
  const gone = windowMinutes(alert.window) + forMinutes(alert) + 10;
  const at = present + gone - 1;
  const fixed = Object.fromEntries(alert.match.flatMap((m) => (!m.negated && m.values.length === 1 ? [[m.label.name, m.values[0] ?? '']] : [])));
  const severity = alert.rules[0]?.severity ?? alert.severity;
  return [
    {
      comment: `${name}: no series for ${alert.window} and ${alert.rules[0]?.for}: fires`,
      series: [series(sample, labels, INSTANCES[0], `${counterValues([{ level: 1, minutes: present }])} _x${gone}`)],
      checks: [
        // Gone for less than the window (`for` included): not yet absent.
        { fires: false, alert: name, at: present + windowMinutes(alert.window) - 2 + forMinutes(alert) },
        { fires: true, alert: name, at, labels: { ...fixed, ...Object.fromEntries(alert.labels.map(({ name: n, value }) => [n, value])), severity } },
      ],
    },
    {
      comment: `${name}: scraped all along: silent`,
      series: [series(sample, labels, INSTANCES[0], counterValues([{ level: 1, minutes: present + gone }]))],
      checks: [{ fires: false, alert: name, at }],
    },
  ];
}

function degradationCases(alert: AlertModel): Case[] {
  const build = signalSeries(alert);
  const name = alert.rules[0]?.name ?? alert.name;
  const keep = 1 - (alert.dropPercent ?? 0) / 100;
  // A day of samples a minute apart would make these the slowest cases: a step of at most a
  // sixth of the window keeps the window's rate exact.
  const step = Math.max(1, Math.min(5, Math.floor(windowMinutes(alert.window) / 6)));
  const roundUp = (m: number) => Math.ceil(m / step) * step;
  const offset = roundUp(windowMinutes(alert.offset));
  const after = roundUp(windowMinutes(alert.window) + forMinutes(alert) + 10);
  const at = offset + after - 1;
  const floor = alert.of === 'value' || alert.of === 'delta' ? undefined : alert.minRate;
  const baseline = alert.of === 'rate' ? Math.max(1, (floor ?? 0) * 4) : 10;
  const traffic = Math.max(1, (floor ?? 0) * 4);
  const trafficOf = (level: number, t: number) => (alert.of === 'rate' ? level : t);
  const run = (then: number, now: number, t: number) =>
    build([
      { level: then, traffic: trafficOf(then, t), minutes: offset },
      { level: now, traffic: trafficOf(now, t), minutes: after },
    ], step);
  const cases: Case[] = [];
  const push = (comment: string, built: ReturnType<SignalSeries>, fires: boolean) => {
    if (!built) return;
    cases.push({ comment: `${name}: ${comment}`, stepMinutes: step, series: built.series, checks: [fires ? { fires, alert: name, at, labels: firingLabels(alert, name, built.labels) } : { fires, alert: name, at }] });
  };
  push(`drops to half of ${keep} x its value ${alert.offset} earlier: fires`, run(baseline, (baseline * keep) / 2, traffic), true);
  push(`collapses to near zero: fires`, run(baseline, baseline / 1000, traffic), true);
  push(`stays within ${alert.dropPercent}% of its value ${alert.offset} earlier: silent`, run(baseline, (baseline * (1 + keep)) / 2, traffic), false);
  if (floor !== undefined) {
    const thin = floor / 4;
    push(`collapses from ${num(thin)}/s, under the ${floor}/s floor: silent`, run(alert.of === 'rate' ? thin : baseline, alert.of === 'rate' ? thin / 1000 : baseline / 1000, thin), false);
  }
  return cases;
}

/** Good and bad events of an SLO at error ratio `errors` and `traffic` events per second. */
function sloSeries(alert: AlertModel, phases: readonly { errors: number; traffic: number; minutes: number }[], stepMinutes = 1): { series: InputSeries[]; labels: Record<string, string> } | undefined {
  const metric = alert.metric;
  const totalOf = (f: (p: (typeof phases)[number]) => number) => counterValues(phases.map((p) => ({ level: f(p), minutes: p.minutes })), stepMinutes);
  if (alert.latencyBelow !== undefined) {
    const labels = chooseLabels(metric, alert.match);
    const [bucket, , count] = metric.samples;
    if (!labels || !bucket || !count) return undefined;
    return {
      series: [
        series(bucket, { ...labels, le: formatGoFloat(alert.latencyBelow) }, INSTANCES[0], totalOf((p) => (1 - p.errors) * p.traffic)),
        series(count, labels, INSTANCES[0], totalOf((p) => p.traffic)),
      ],
      labels,
    };
  }
  const counted = alert.bad !== undefined ? { metric: alert.badMetric ?? metric, matchers: alert.bad, ratio: (e: number) => e } : { metric: alert.goodMetric ?? metric, matchers: alert.good ?? [], ratio: (e: number) => 1 - e };
  if (counted.metric === metric) {
    const chosen = chooseLabels(metric, alert.match, counted.matchers);
    const rest = complementOf(metric, alert.match, counted.matchers);
    if (!chosen || !rest) return undefined;
    const restLabels = { ...rest, ...Object.fromEntries(alert.by.map((l) => [l.name, chosen[l.name] ?? ''])) };
    return {
      series: [
        series(metric.name, chosen, INSTANCES[0], totalOf((p) => counted.ratio(p.errors) * p.traffic)),
        series(metric.name, restLabels, INSTANCES[0], totalOf((p) => (1 - counted.ratio(p.errors)) * p.traffic)),
      ],
      labels: chosen,
    };
  }
  const total = chooseLabels(metric, alert.match);
  const events = chooseLabels(counted.metric, alert.match, counted.matchers);
  if (!total || !events) return undefined;
  const eventLabels = { ...events, ...Object.fromEntries(alert.by.map((l) => [l.name, total[l.name] ?? ''])) };
  return {
    series: [series(metric.name, total, INSTANCES[0], totalOf((p) => p.traffic)), series(counted.metric.name, eventLabels, INSTANCES[0], totalOf((p) => counted.ratio(p.errors) * p.traffic))],
    labels: total,
  };
}

function sloCases(alert: AlertModel): Case[] {
  const budget = 1 - (alert.objective ?? 1);
  const [fast, slow] = alert.rules;
  if (!fast || !slow || budget <= 0) return [];
  const scaled = (w: string) => windowMinutes(scaledWindow(w, alert.sloWindow));
  const [fast1, fast2] = BURN_RATES.fast;
  const [slow1, slow2] = BURN_RATES.slow;
  const floor = alert.minRate;
  const traffic = Math.max(1, (floor ?? 0) * 4);
  const cases: Case[] = [];
  const push = (comment: string, phases: { errors: number; traffic: number; minutes: number }[], checks: (labels: Record<string, string>, at: number) => Check[]) => {
    const built = sloSeries(alert, phases);
    if (!built) return;
    const at = phases.reduce((sum, p) => sum + p.minutes, 0) - 1;
    cases.push({ comment: `${alert.name}: ${comment}`, series: built.series, checks: checks(built.labels, at) });
  };
  const fires = (rule: string) => (labels: Record<string, string>, at: number): Check => ({ fires: true, alert: rule, at, labels: firingLabels(alert, rule, labels) });
  const silent = (rule: string) => (_: Record<string, string>, at: number): Check => ({ fires: false, alert: rule, at });
  const margin = 10;
  // Fast burn, first pair only: a burst above its factor as long as its long window, which leaves
  // the second pair's long window under that pair's factor.
  if (fast1 && fast2) {
    const burst = Math.min(1, ((fast1.factor + fast2.factor * scaled(fast2.long) / scaled(fast1.long)) / 2) * budget);
    const burstMinutes = scaled(fast1.long) + forMinutes(alert, 0) + margin;
    const before = scaled(fast2.long) - burstMinutes + margin;
    if (burst > fast1.factor * budget && (burst * burstMinutes) / scaled(fast2.long) < fast2.factor * budget && before > 0) {
      push(`a ${num(burst * 100)}% error burst over ${fast1.short} and ${fast1.long} (not ${fast2.long}): fast burn fires`, [{ errors: 0, traffic, minutes: before }, { errors: burst, traffic, minutes: burstMinutes }], (l, at) => [fires(fast.name)(l, at)]);
    }
    const between = ((fast1.factor + fast2.factor) / 2) * budget;
    if (between < 1) {
      push(`${num(between * 100)}% errors over ${fast2.short} and ${fast2.long}, under the first pair's factor: fast burn fires`, [{ errors: between, traffic, minutes: scaled(fast2.long) + forMinutes(alert, 0) + margin }], (l, at) => [fires(fast.name)(l, at)]);
    }
  }
  if (slow1 && slow2 && fast2) {
    const second = ((slow1.factor + slow2.factor) / 2) * budget;
    push(`${num(second * 100)}% errors over ${slow2.short} and ${slow2.long}: slow burn fires, fast burn silent`, [{ errors: second, traffic, minutes: scaled(slow2.short) + forMinutes(alert, 1) + margin }], (l, at) => [fires(slow.name)(l, at), silent(fast.name)(l, at)]);
    const first = ((slow1.factor + fast2.factor) / 2) * budget;
    push(`${num(first * 100)}% errors over ${slow1.short} and ${slow1.long}: slow burn fires, fast burn silent`, [{ errors: first, traffic, minutes: scaled(slow1.short) + forMinutes(alert, 1) + margin }], (l, at) => [fires(slow.name)(l, at), silent(fast.name)(l, at)]);
  }
  // A spike four short windows long (so that the shortest is over its factor for `for` at the
  // coarse evaluation steps), far too short to lift any long window over its factor.
  const spike = Math.min(1, 15 * budget);
  if (fast1 && spike > fast1.factor * budget) {
    push(`a ${num(spike * 100)}% error spike shorter than every long window: silent`, [{ errors: 0, traffic, minutes: scaled('6h') }, { errors: spike, traffic, minutes: 4 * scaled('5m') }], (l, at) => [silent(fast.name)(l, at), silent(slow.name)(l, at)]);
  }
  // After a quiet day, a burst between the slow and the fast factors for a little longer than the
  // slow pairs' short windows: no long window reaches its factor. Sampled every 5 minutes (a day).
  if (slow1 && fast2) {
    const burst = 5 * budget;
    const day = scaled(slow1.long);
    const length = Math.ceil((scaled(slow1.short) + forMinutes(alert, 1) + margin) / 5) * 5;
    if (burst < fast2.factor * budget && burst < 1) {
      const built = sloSeries(alert, [{ errors: 0, traffic, minutes: day }, { errors: burst, traffic, minutes: length }], 5);
      const at = day + length - 1;
      if (built) cases.push({ comment: `${alert.name}: a ${num(burst * 100)}% error burst over ${slow1.short} after a quiet ${slow1.long}: silent`, stepMinutes: 5, series: built.series, checks: [silent(fast.name)(built.labels, at), silent(slow.name)(built.labels, at)] });
    }
  }
  const normalMinutes = scaled('6h') + forMinutes(alert, 1) + margin;
  push(`${num((budget / 2) * 100)}% errors, within the budget: silent`, [{ errors: budget / 2, traffic, minutes: normalMinutes }], (l, at) => [silent(fast.name)(l, at), silent(slow.name)(l, at)]);
  if (floor !== undefined) {
    push(`every event fails at ${num(floor / 4)}/s, under the ${floor}/s floor: silent`, [{ errors: 1, traffic: floor / 4, minutes: normalMinutes }], (l, at) => [silent(fast.name)(l, at), silent(slow.name)(l, at)]);
  }
  return cases;
}

function quantileCases(alert: AlertModel): Case[] {
  const metric = alert.metric;
  const labels = chooseLabels(metric, alert.match);
  // A histogram with negative buckets exposes no _sum or _count: its buckets are all there is.
  const [bucket, , count] = metric.samples;
  const limit = alert.above ?? 0;
  if (!labels || !bucket) return [];
  const name = alert.rules[0]?.name ?? alert.name;
  const duration = windowMinutes(alert.window) + forMinutes(alert) + 10;
  const at = duration - 1;
  const floor = alert.minRate;
  const traffic = Math.max(1, (floor ?? 0) * 4);
  const bounds = [...metric.buckets, Infinity];
  // Every observation above the first bound over the limit (the quantile is then at least that
  // bound), or at most the last bound under it (the quantile is then at most the limit).
  const over = bounds.findIndex((b) => b > limit);
  const under = bounds.findLastIndex((b) => b <= limit);
  const build = (slot: number, rate: number) => [
    ...bounds.map((b, i) => series(bucket, { ...labels, le: b === Infinity ? '+Inf' : formatGoFloat(b) }, INSTANCES[0], counterValues([{ level: i >= slot ? rate : 0, minutes: duration }]))),
    ...(count === undefined ? [] : [series(count, labels, INSTANCES[0], counterValues([{ level: rate, minutes: duration }]))]),
  ];
  const cases: Case[] = [];
  if (over >= 0 && over + 1 < bounds.length) {
    cases.push({ comment: `${name}: every observation above ${bounds[over]}: fires`, series: build(over + 1, traffic), checks: [{ fires: true, alert: name, at, labels: firingLabels(alert, name, labels) }] });
    if (floor !== undefined) cases.push({ comment: `${name}: every observation above ${bounds[over]} at ${num(floor / 4)}/s, under the ${floor}/s floor: silent`, series: build(over + 1, floor / 4), checks: [{ fires: false, alert: name, at }] });
  }
  if (under >= 0) cases.push({ comment: `${name}: every observation at most ${bounds[under]}: silent`, series: build(under, traffic), checks: [{ fires: false, alert: name, at }] });
  // Slow long enough to fire, then fast for less than the window: while fast observations are
  // fewer than the quantile's share of the window, the quantile stays in a slow bucket and the
  // alert still fires; a rule over a shorter window has resolved by then.
  const window = windowMinutes(alert.window);
  const after = Math.min(Math.floor(window / 2), Math.ceil((alert.quantile ?? 0) * window) - 1);
  if (over >= 0 && over + 1 < bounds.length && under >= 0 && after >= 2) {
    const heldAt = roundUp(window + forMinutes(alert) + 10 + after, EVALUATION_MINUTES);
    const phases = (slow: boolean, fast: boolean) => [
      { level: slow ? traffic : 0, minutes: heldAt - after },
      { level: fast ? traffic : 0, minutes: after + EVALUATION_MINUTES },
    ];
    cases.push({
      comment: `${name}: every observation at most ${bounds[under]} for ${after}m after firing, less than its ${alert.window} window: still fires`,
      series: [
        ...bounds.map((b, i) => series(bucket, { ...labels, le: b === Infinity ? '+Inf' : formatGoFloat(b) }, INSTANCES[0], counterValues(phases(i >= over + 1, i >= under)))),
        ...(count === undefined ? [] : [series(count, labels, INSTANCES[0], counterValues(phases(true, true)))]),
      ],
      checks: [{ fires: true, alert: name, at: heldAt, labels: firingLabels(alert, name, labels) }],
    });
  }
  return cases;
}

function stallCases(alert: AlertModel): Case[] {
  const metric = alert.metric;
  const labels = chooseLabels(metric, alert.match);
  if (!labels) return [];
  const name = alert.rules[0]?.name ?? alert.name;
  const window = windowMinutes(alert.window);
  // Its last increase lands where an evaluation `window` later sees none for the first time.
  const active = roundUp(30 + window, EVALUATION_MINUTES) - window;
  const flat = window + forMinutes(alert) + 10;
  const at = active + flat - 1;
  // Flat for the window, then pending for `for`: one evaluation before that it has not fired yet.
  const notYet = active + window + roundUp(forMinutes(alert), EVALUATION_MINUTES) - EVALUATION_MINUTES;
  return [
    {
      comment: `${name}: no increase for ${alert.window}: fires, not before ${alert.window} and ${alert.rules[0]?.for}`,
      series: [series(metric.name, labels, INSTANCES[0], counterValues([{ level: 1, minutes: active }, { level: 0, minutes: flat }]))],
      checks: [
        { fires: false, alert: name, at: notYet },
        { fires: true, alert: name, at, labels: firingLabels(alert, name, labels) },
      ],
    },
    { comment: `${name}: increasing all along: silent`, series: [series(metric.name, labels, INSTANCES[0], counterValues([{ level: 1, minutes: active + flat }]))], checks: [{ fires: false, alert: name, at }] },
  ];
}

/**
 * An anomaly alert compares its recorded signal with the mean and standard deviation of that
 * signal over its baseline. Every case starts with one baseline of normal noise: the first half a
 * standard deviation above a mean, the second half one below. Then the signal spikes far beyond
 * `z` deviations for its window and `for` (fires; under the traffic floor: silent), or comes back
 * to half of `z` deviations above the mean, well within the noise of the whole baseline, though
 * far above the last half of it (silent: a shorter baseline would see a spike).
 */
function anomalyCases(alert: AlertModel): Case[] {
  const z = alert.z;
  if (z === undefined || z <= 0) return [];
  const build = signalSeries(alert);
  const name = alert.rules[0]?.name ?? alert.name;
  const window = windowMinutes(alert.window);
  // Samples as far apart as the evaluations when the window still holds three of them (two if a
  // range leaves out its start, as in Prometheus 3): a day of baseline a minute apart would make
  // these the slowest cases. A value anomaly has no window in its signal.
  const spaced = alert.of === 'value' || (window >= 2 * EVALUATION_MINUTES && window % EVALUATION_MINUTES === 0);
  const step = spaced ? EVALUATION_MINUTES : 1;
  const half = roundUp(windowMinutes(alert.baseline) / 2, step);
  const after = roundUp(window + forMinutes(alert) + 10, step);
  const at = 2 * half + after - step;
  const floor = alert.of === 'value' || alert.of === 'delta' ? undefined : alert.minRate;
  // A rate is its own traffic; the other signals are a mean or a ratio of `traffic` events a second.
  const scale = alert.of === 'rate' ? 10 * Math.max(1, (floor ?? 0) * 4) : alert.of === 'ratio' ? 0.02 : 1;
  const traffic = Math.max(1, (floor ?? 0) * 4);
  const mean = 10 * scale;
  const deviation = scale;
  // The spike is part of its own baseline (the recorded signal is sampled once an evaluation):
  // it must stand out by more than `z` deviations of a baseline that includes it.
  const spike = 4 * z + 4;
  const share = after / EVALUATION_MINUTES / (2 * half / EVALUATION_MINUTES + 1);
  const variance = 1 - share + share * spike * spike - (share * spike) ** 2;
  const reached = (spike * (1 - share)) / Math.sqrt(variance);
  const trafficOf = (level: number, t: number) => (alert.of === 'rate' ? level : t);
  const run = (then: number, t: number) => {
    const levels = [mean + deviation, mean - deviation, mean + then * deviation];
    // Under a floor a rate is thin as a whole: every level scaled down to `t` at most.
    const factor = alert.of === 'rate' && t < traffic ? t / Math.max(...levels) : 1;
    if (alert.of === 'ratio' && Math.max(...levels) > 1) return undefined;
    return build(
      levels.map((level, i) => ({ level: level * factor, traffic: trafficOf(level * factor, t), minutes: i < 2 ? half : after })),
      step,
    );
  };
  const deviations = (count: number) => `${num(count)} standard deviation${count === 1 ? '' : 's'}`;
  const cases: Case[] = [];
  const push = (comment: string, built: ReturnType<SignalSeries>, fires: boolean) => {
    if (!built) return;
    cases.push({ comment: `${name}: ${comment}`, stepMinutes: step, series: built.series, checks: [fires ? { fires, alert: name, at, labels: firingLabels(alert, name, built.labels) } : { fires, alert: name, at }] });
  };
  if (reached > 1.25 * z) {
    push(`${deviations(spike)} above its ${alert.baseline} mean for ${alert.window} and ${alert.rules[0]?.for}: fires`, run(spike, traffic), true);
    if (floor !== undefined) push(`the same spike at ${num(floor / 4)}/s, under the ${floor}/s floor: silent`, run(spike, floor / 4), false);
  }
  push(`back to ${deviations(z / 2)} above its ${alert.baseline} mean, after the lower half of that ${alert.baseline}: silent`, run(z / 2, traffic), false);
  // It watches rises only: a drop as far below the mean (9 deviations at most, which keeps every
  // level above zero) stays silent.
  const drop = Math.min(spike, 9);
  push(`${deviations(drop)} below its ${alert.baseline} mean: silent, it watches rises`, run(-drop, traffic), false);
  return cases;
}
