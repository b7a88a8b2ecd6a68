/**
 * Synthetic but plausible values for every series of any catalogue, recorded through the runtime.
 *
 * The plan is read from the catalogue alone. Every label value gets a share of the traffic (the
 * first values most, an overflow value little); counters grow at a steady rate by unit; gauges
 * wander around a level that suits their unit (ratios inside 0..1); histograms observe values
 * spread over their buckets. Events are simulated as events: one occurrence picks its label fields
 * and numbers, then applies the event's records, so the metrics an event ties together stay
 * consistent (a request counted is a request timed). Alerts shape the plan so that, without a
 * fault, none of them fires: error ratios and SLO bad sides stay well inside their limits,
 * quantiles and averages well below their thresholds, gauges away from theirs.
 *
 * Everything random comes from one seeded source and time only enters as the `seconds` passed to
 * `advance`, so the same seed and the same steps record the same values.
 *
 * A fraction of the counter increments and histogram observations carry an exemplar (a made-up
 * trace and span id, as a traced service would attach), so Prometheus and Grafana show exemplars
 * for any catalogue. Whether one is attached and its ids come from a second seeded source: the
 * values recorded are the same with exemplars or without.
 */
import type { AlertModel, Catalog, EventModel, LabelModel, Matchers, MetricModel } from '../catalog/model.js';
import { matcherSelects } from '../catalog/model.js';
import type { Counter, Exemplar, Gauge, Histogram, MetricSpec } from '../../runtime/index.js';
import type { CatalogueRuntime } from './specs.js';
import type { FaultDefinition, FaultSet } from './faults.js';
import { clamp, createRandom, Pacer } from './random.js';
import type { Random } from './random.js';

export const SIMULATION_FAULTS = {
  errors: { description: 'the bad side of every ratio and SLO alert grows far past its limit' },
  slow: { description: 'every histogram observes values near the top of its buckets, or past its alert thresholds when it has none (quantile, average and latency SLO alerts)' },
  silence: { description: 'nothing is recorded any more, while the exporter still serves' },
} as const satisfies Record<string, FaultDefinition>;

export type SimulationFault = keyof typeof SIMULATION_FAULTS;

/** Events per second of one event, and the default total rate of a counter in its unit per second. */
const EVENT_RATE = 10;
const COUNTER_RATE: Readonly<Record<string, number>> = { count: 20, none: 5, seconds: 0.5, bytes: 200_000, usd: 0.02, ratio: 0.5, score: 5 };
/** One increment of a counter in its unit, as an event's number field (`inc ... by`). */
const INCREMENT_MEDIAN: Readonly<Record<string, number>> = { count: 2, none: 2, seconds: 0.05, bytes: 2_000, usd: 0.002, ratio: 0.05, score: 1 };
/** Observations per second of a histogram no event records. */
const HISTOGRAM_RATE = 10;
/** An overflow value's weight against the sum of the declared values' weights. */
const OVERFLOW_WEIGHT = 0.02;
/** Share of the bad side against what an alert tolerates: a quarter of the limit, and 4 times past it under the `errors` fault. */
const CALM = 0.25;
const FAULTED = 4;
/** Where the median sits between the first and last bucket under the `slow` fault (0: first, 1: last). */
const SLOW_POSITION = 0.85;
/** The calm values' quantile kept under a quantile alert's threshold (with the margin), whatever the alert's. */
const CALM_QUANTILE_CEILING = 0.999;
/** Period of the gauges' wandering, seconds. */
const GAUGE_PERIOD = 60;
/** Never simulate more than this much missed time at once (after a suspended laptop, say). */
const MAX_STEP_SECONDS = 5;
/** Share of the increments and observations that carry an exemplar by default: one in 20. */
export const EXEMPLAR_FRACTION = 1 / 20;
/** Seeds the exemplars' source apart from the values' one (any constant: the golden ratio's bits). */
const EXEMPLAR_SEED_SALT = 0x9e3779b9;

type Distribution = { readonly kind: 'lognormal'; readonly median: number; readonly spread: number } | { readonly kind: 'normal'; readonly mean: number; readonly sd: number };

interface HistogramPlan {
  readonly storage: Histogram;
  readonly distribution: Distribution;
  /** Under the `slow` fault: values near the top of the buckets, past any threshold the alerts allow. */
  readonly slowDistribution: Distribution;
  readonly min: number;
  readonly max: number;
  /** Per series: a factor on the values, so series differ as routes or agents would. */
  readonly seriesFactor: Float64Array;
  readonly pacers: Pacer[];
}

interface GaugePlan {
  readonly center: number;
  readonly amplitude: number;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly seriesFactor: Float64Array;
  readonly phase: Float64Array;
}

interface MetricPlan {
  readonly id: number;
  readonly model: MetricModel;
  readonly spec: MetricSpec;
  /** Recorded by an event; no direct recording except the first touch of every series. */
  readonly byEvent: boolean;
  readonly counter?: { readonly storage: Counter; rate: number; faultedRate: number; readonly pacers: Pacer[] };
  readonly histogram?: HistogramPlan;
  readonly gauge?: GaugePlan & { readonly storage: Gauge };
}

interface EventPlan {
  readonly model: EventModel;
  readonly rate: number;
  readonly pacer: Pacer;
}

export interface SimulatorOptions {
  readonly seed: number;
  readonly faults?: FaultSet<SimulationFault>;
  /** Share of the increments and observations with an exemplar, 0 to 1 (default {@link EXEMPLAR_FRACTION}; 0: none). */
  readonly exemplars?: number;
}

export class Simulator {
  private readonly random: Random;
  /** Draws only whether a recording carries an exemplar, and its ids: never the values' source. */
  private readonly exemplarRandom: Random;
  private readonly exemplarFraction: number;
  private readonly metrics: MetricPlan[] = [];
  private readonly byKey = new Map<string, MetricPlan>();
  private readonly events: EventPlan[] = [];
  /** Per label id: shares of its values, calm and under the `errors` fault. */
  private readonly shares = new Map<string, { calm: number[]; faulted: number[] }>();
  /** Shares set by alerts, per `label id NUL value index`. */
  private readonly constrained = new Map<string, { calm: number; faulted: number }>();
  private readonly faults: FaultSet<SimulationFault> | undefined;
  private elapsed = 0;
  private occurrences = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly target: CatalogueRuntime,
    options: SimulatorOptions,
  ) {
    this.random = createRandom(options.seed);
    this.exemplarRandom = createRandom((options.seed ^ EXEMPLAR_SEED_SALT) >>> 0);
    this.exemplarFraction = clamp(options.exemplars ?? EXEMPLAR_FRACTION, 0, 1);
    this.faults = options.faults;
    for (const label of catalog.labels) this.shares.set(label.id, baseShares(label));
    const recordedByEvents = new Set(catalog.events.flatMap((e) => e.records.map((r) => r.metric.key)));
    target.keys.forEach((key, id) => {
      const model = catalog.metrics.find((m) => m.key === key);
      const spec = target.specs[id];
      // The runtime observes the scrape-duration histogram itself, on every scrape.
      if (model === undefined || spec === undefined || model.role === 'scrape_duration') return;
      // An info metric says what runs: set once, with values that read like a build's.
      if (model.type === 'info') {
        target.runtime.info(id).set(model.infoLabels.map((label, i) => simulatedInfoValue(label.name, i)));
        return;
      }
      const plan = this.planMetric(id, model, spec, recordedByEvents.has(key));
      this.metrics.push(plan);
      this.byKey.set(key, plan);
    });
    this.applyRatioAlerts();
    this.learnEveryValue();
    for (const event of catalog.events) {
      const counter = event.records.map((r) => this.byKey.get(r.metric.key)?.counter).find((c) => c !== undefined);
      this.events.push({ model: event, rate: counter && event.records.some((r) => r.operation === 'inc' && r.valueField === undefined) ? counter.rate : EVENT_RATE, pacer: new Pacer(0.5) });
    }
    this.touchEverySeries();
  }

  /**
   * A label that learns its values gets made-up ones (see {@link simulatedValue}), learned in
   * position order by every metric that has it, so the positions the simulator computes are the
   * runtime's.
   */
  private learnEveryValue(): void {
    for (const plan of this.metrics) {
      plan.model.labels.forEach((label, k) => {
        for (let p = label.values.length; p < label.positions; p++) this.target.runtime.unknownLabel(plan.id, k, simulatedValue(label, p));
      });
    }
  }

  /** Event occurrences simulated so far. */
  get eventsRecorded(): number {
    return this.occurrences;
  }

  /** Simulates `seconds` more of traffic (at most 5 s at once). */
  advance(seconds: number): void {
    const dt = clamp(seconds, 0, MAX_STEP_SECONDS);
    this.elapsed += dt;
    if (this.faults?.has('silence')) return;
    const errors = this.faults?.has('errors') === true;
    for (const plan of this.metrics) {
      if (plan.gauge) this.updateGauge(plan, plan.gauge);
      if (plan.byEvent) continue;
      if (plan.counter) this.driveCounter(plan, plan.counter, dt, errors);
      if (plan.histogram) this.driveHistogram(plan, plan.histogram, dt, errors);
    }
    for (const event of this.events) {
      const credit = event.rate * dt * clamp(this.random.normal(1, 0.05), 0.8, 1.2);
      const occurrences = this.take(event.pacer, credit);
      for (let i = 0; i < occurrences; i++) this.occur(event.model, errors);
    }
  }

  private take(pacer: Pacer, credit: number): number {
    let n = 0;
    let remaining = credit;
    // Pacer.take accepts probabilities up to 1: feed it the credit in slices.
    while (remaining > 0) {
      const slice = Math.min(1, remaining);
      if (pacer.take(slice)) n++;
      remaining -= slice;
    }
    return n;
  }

  private planMetric(id: number, model: MetricModel, spec: MetricSpec, byEvent: boolean): MetricPlan {
    const r = this.random;
    const series = Math.max(1, model.labels.reduce((n, l) => n * l.positions, 1));
    const factors = (spread: number): Float64Array => Float64Array.from({ length: series }, () => Math.exp(r.normal(0, spread)));
    const pacers = (): Pacer[] => Array.from({ length: series }, () => new Pacer(r.next()));
    if (model.type === 'counter') {
      const storage = this.target.runtime.counter(id);
      let rate = COUNTER_RATE[model.unit] ?? 1;
      for (const alert of model.alerts) {
        if (alert.kind !== 'threshold' || alert.of !== 'rate') continue;
        const biggestGroup = alert.by.reduce((share, label) => share * Math.max(...(this.shares.get(label.id)?.calm ?? [1])), 1);
        if (alert.above !== undefined) rate = Math.min(rate, (alert.above * CALM * 2) / biggestGroup);
        if (alert.below !== undefined) rate = Math.max(rate, alert.below / CALM);
      }
      return { id, model, spec, byEvent, counter: { storage, rate, faultedRate: rate, pacers: pacers() } };
    }
    if (model.type === 'histogram') {
      return { id, model, spec, byEvent, histogram: { storage: this.target.runtime.histogram(id), ...histogramDistribution(model), seriesFactor: factors(0.15), pacers: pacers() } };
    }
    const gauge = gaugeLevel(model, r);
    return { id, model, spec, byEvent, gauge: { storage: this.target.runtime.gauge(id), ...gauge, seriesFactor: factors(0.1), phase: Float64Array.from({ length: series }, () => r.next() * 2 * Math.PI) } };
  }

  /**
   * Ratio and SLO alerts on counters: the matched label value of the bad (or good) side gets the
   * share that keeps the alert calm, and a far larger (smaller) one under the `errors` fault. A
   * ratio over another metric scales the numerator's rate instead.
   */
  private applyRatioAlerts(): void {
    for (const plan of this.metrics) {
      for (const alert of plan.model.alerts) {
        if (plan.model.type !== 'counter') continue;
        if (alert.kind === 'slo' && (alert.good !== undefined || alert.bad !== undefined)) {
          const bad = (1 - (alert.objective ?? 0.99)) * CALM;
          const faulted = Math.min(0.9, (1 - (alert.objective ?? 0.99)) * FAULTED * 4);
          if (alert.bad !== undefined) this.setShare(plan.model, alert.bad, bad, faulted);
          else if (alert.good !== undefined) this.setShare(plan.model, alert.good, 1 - bad, 1 - faulted);
          continue;
        }
        const ratio = alert.kind === 'threshold' && alert.of === 'ratio' ? alert.ratio : undefined;
        if (ratio === undefined) continue;
        const [calm, faulted] = ratioTargets(alert);
        if (ratio.denominator === plan.model && ratio.match.length > 0) {
          this.setShare(plan.model, ratio.match, calm, faulted);
        } else if (ratio.denominator !== plan.model) {
          const numerator = this.byKey.get(ratio.numerator.key)?.counter;
          const denominator = this.byKey.get(ratio.denominator.key)?.counter;
          if (numerator === undefined || denominator === undefined) continue;
          // Label shares are per label, so both metrics split by `by` alike: the totals set the ratio.
          const matched = ratio.match.reduce((share, m) => share * m.label.values.filter((v) => matcherSelects(m, v)).reduce((sum, v) => sum + this.shareOf(m.label, v, false), 0), 1);
          numerator.rate = (denominator.rate * calm) / matched;
          numerator.faultedRate = (denominator.rate * faulted) / matched;
        }
      }
    }
  }

  private setShare(metric: MetricModel, match: Matchers, calm: number, faulted: number): void {
    // One label carries the whole share; matching on several is rare and this keeps the product right.
    // A matcher on several values (or a negation) spreads the share over values: left calm here.
    const first = match[0];
    const label = first?.label;
    const value = first !== undefined && !first.negated && first.values.length === 1 ? first.values[0] : undefined;
    if (label === undefined || value === undefined || !metric.labels.includes(label)) return;
    const index = label.values.indexOf(value);
    const current = this.shares.get(label.id);
    if (index < 0 || current === undefined) return;
    // Two alerts on one value (a ratio alert and an SLO on 5xx, say): the calmer share keeps both
    // calm, and the wilder one makes both fire under the fault. A good side is the complement.
    const key = `${label.id}\u0000${index}`;
    const before = this.constrained.get(key);
    const good = calm > faulted;
    const pick = (a: number, b: number, calmSide: boolean): number => (calmSide === good ? Math.max(a, b) : Math.min(a, b));
    const next = before === undefined ? { calm, faulted } : { calm: pick(before.calm, calm, true), faulted: pick(before.faulted, faulted, false) };
    this.constrained.set(key, next);
    this.shares.set(label.id, { calm: withShare(current.calm, index, next.calm), faulted: withShare(current.faulted, index, next.faulted) });
  }

  private shareOf(label: LabelModel, value: string, faulted: boolean): number {
    const shares = this.shares.get(label.id);
    const index = label.values.indexOf(value);
    return (faulted ? shares?.faulted : shares?.calm)?.[index] ?? 1;
  }

  /** Share of a series: the product of its label values' shares. */
  private seriesShare(plan: MetricPlan, series: number, faulted: boolean): number {
    let share = 1;
    let rest = series;
    for (let k = plan.model.labels.length - 1; k >= 0; k--) {
      const label = plan.model.labels[k]!;
      const position = rest % label.positions;
      rest = Math.floor(rest / label.positions);
      const shares = this.shares.get(label.id);
      share *= (faulted ? shares?.faulted : shares?.calm)?.[position] ?? 1 / label.positions;
    }
    return share;
  }

  /** One increment, one observation or one level for every series, so that each exists from the first scrape. */
  private touchEverySeries(): void {
    for (const plan of this.metrics) {
      const series = plan.histogram?.seriesFactor.length ?? plan.counter?.pacers.length ?? plan.gauge?.phase.length ?? 0;
      for (let s = 0; s < series; s++) {
        if (plan.counter) plan.counter.storage.incWithExemplar(s, plan.model.unit === 'count' || plan.model.unit === 'none' ? 1 : this.increment(plan.model), this.exemplar());
        if (plan.histogram) plan.histogram.storage.observeWithExemplar(s, this.draw(plan.histogram, s, false), this.exemplar());
      }
      if (plan.gauge) this.updateGauge(plan, plan.gauge);
    }
  }

  private driveCounter(plan: MetricPlan, counter: NonNullable<MetricPlan['counter']>, dt: number, errors: boolean): void {
    const rate = errors ? counter.faultedRate : counter.rate;
    const whole = plan.model.unit === 'count' || plan.model.unit === 'none';
    for (let s = 0; s < counter.pacers.length; s++) {
      const amount = rate * this.seriesShare(plan, s, errors) * dt * clamp(this.random.normal(1, 0.1), 0.5, 1.5);
      if (!whole) counter.storage.incWithExemplar(s, amount, this.exemplar());
      else {
        const n = this.take(counter.pacers[s]!, amount);
        if (n > 0) counter.storage.incWithExemplar(s, n, this.exemplar());
      }
    }
  }

  private driveHistogram(plan: MetricPlan, histogram: HistogramPlan, dt: number, errors: boolean): void {
    const slow = this.faults?.has('slow') === true;
    for (let s = 0; s < histogram.pacers.length; s++) {
      const n = this.take(histogram.pacers[s]!, HISTOGRAM_RATE * this.seriesShare(plan, s, errors) * dt);
      for (let i = 0; i < n; i++) histogram.storage.observeWithExemplar(s, this.draw(histogram, s, slow), this.exemplar());
    }
  }

  private updateGauge(plan: MetricPlan, gauge: NonNullable<MetricPlan['gauge']>): void {
    for (let s = 0; s < gauge.phase.length; s++) gauge.storage.set(s, this.gaugeValue(gauge, s));
  }

  private gaugeValue(gauge: GaugePlan, series: number): number {
    const wave = Math.sin((2 * Math.PI * this.elapsed) / GAUGE_PERIOD + gauge.phase[series]!);
    const value = clamp(gauge.center * gauge.seriesFactor[series]! * (1 + gauge.amplitude * wave + this.random.normal(0, gauge.amplitude / 10)), gauge.min, gauge.max);
    return gauge.integer ? Math.round(value) : value;
  }

  private draw(histogram: HistogramPlan, series: number, slow: boolean): number {
    const d = slow ? histogram.slowDistribution : histogram.distribution;
    const factor = histogram.seriesFactor[series] ?? 1;
    const value = d.kind === 'lognormal' ? this.random.logNormal(d.median * factor, d.spread) : this.random.normal(d.mean * factor, d.sd);
    return clamp(value, histogram.min, histogram.max);
  }

  /**
   * An exemplar for one recording, or undefined for most: a 32-hex trace id and a 16-hex span id,
   * as OpenTelemetry writes them, drawn from the exemplars' own source.
   */
  private exemplar(): Exemplar | undefined {
    if (this.exemplarFraction === 0 || this.exemplarRandom.next() >= this.exemplarFraction) return undefined;
    return { traceId: this.hex(4), spanId: this.hex(2) };
  }

  /** `words` 32-bit words of the exemplars' source in lowercase hex, 8 characters each. */
  private hex(words: number): string {
    let text = '';
    for (let i = 0; i < words; i++) text += Math.floor(this.exemplarRandom.next() * 2 ** 32).toString(16).padStart(8, '0');
    return text;
  }

  private increment(model: MetricModel): number {
    return this.random.logNormal(INCREMENT_MEDIAN[model.unit] ?? 1, 0.5);
  }

  /** One occurrence of an event: its fields drawn, then each of its records applied. */
  private occur(event: EventModel, errors: boolean): void {
    const labels = new Map<string, string>();
    const numbers = new Map<string, number>();
    for (const field of event.fields) {
      if (field.kind === 'label') labels.set(field.id, simulatedValue(field.label, this.pickIndex(field.label, errors)));
    }
    const slow = this.faults?.has('slow') === true;
    // One occurrence is one unit of traced work: every record of it carries the same exemplar, if any.
    const exemplar = this.exemplar();
    for (const record of event.records) {
      const plan = this.byKey.get(record.metric.key);
      if (plan === undefined) continue;
      const values = record.labels.map((binding) => (binding.kind === 'fixed' ? binding.value : (labels.get(binding.field) ?? '')));
      const series = seriesOf(plan.model, values);
      if (series < 0) continue;
      let value = 1;
      if (record.valueField !== undefined) {
        const known = numbers.get(record.valueField);
        value =
          known ??
          (plan.histogram ? this.draw(plan.histogram, series, slow) : plan.gauge ? this.gaugeValue(plan.gauge, series) : this.increment(plan.model));
        numbers.set(record.valueField, value);
      }
      if (record.operation === 'observe') plan.histogram?.storage.observeWithExemplar(series, value, exemplar);
      else if (record.operation === 'set') plan.gauge?.storage.set(series, value);
      else if (record.operation === 'inc') {
        if (plan.counter) plan.counter.storage.incWithExemplar(series, value, exemplar);
        else plan.gauge?.storage.inc(series, value);
      }
      else plan.gauge?.storage.dec(series, value);
    }
    this.occurrences++;
  }

  private pickIndex(label: LabelModel, errors: boolean): number {
    const shares = this.shares.get(label.id);
    const list = (errors ? shares?.faulted : shares?.calm) ?? Array.from({ length: label.positions }, () => 1 / label.positions);
    let x = this.random.next();
    for (let i = 0; i < list.length; i++) {
      x -= list[i]!;
      if (x < 0) return i;
    }
    return list.length - 1;
  }
}

/**
 * The value at a position of a label: a declared one, or for a learned slot a made-up value
 * (`<label>-1`, `<label>-2`, ...; with `-` no declared value of a snake_case catalogue looks like it).
 */
function simulatedValue(label: LabelModel, position: number): string {
  return position < label.values.length ? label.values[position]! : `${label.name}-${position - label.values.length + 1}`;
}

/** Shares of a label's values: falling with position (Zipf), an overflow value rare. */
function baseShares(label: LabelModel): { calm: number[]; faulted: number[] } {
  const declared = label.overflow === undefined ? label.values.length : label.values.length - 1;
  // Declared values first, then learned slots, in one Zipf tail; the overflow value sits between them.
  const weights = Array.from({ length: label.positions }, (_, i) => (i < declared ? 1 / (i + 1) : i >= label.values.length ? 1 / (i + (label.overflow === undefined ? 1 : 0)) : 0));
  const sum = weights.reduce((a, b) => a + b, 0);
  if (label.overflow !== undefined) weights[declared] = sum * OVERFLOW_WEIGHT;
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => w / total);
  return { calm: shares, faulted: [...shares] };
}

/** `shares` with `index` set to `share` and the others scaled to fill the rest. */
function withShare(shares: readonly number[], index: number, share: number): number[] {
  const others = shares.reduce((sum, s, i) => (i === index ? sum : sum + s), 0);
  return shares.map((s, i) => (i === index ? share : others > 0 ? (s / others) * (1 - share) : (1 - share) / (shares.length - 1)));
}

/** Numerator shares of a ratio alert: calm, and under the `errors` fault. */
function ratioTargets(alert: AlertModel): [number, number] {
  if (alert.above !== undefined) return [alert.above * CALM, Math.min(0.95, alert.above * FAULTED)];
  if (alert.below !== undefined) return [alert.below + (1 - alert.below) * (1 - CALM), alert.below / FAULTED];
  return [0.5, 0.5];
}

/** Series index of label values by the runtime's mixed-radix rule (first label most significant). */
function seriesOf(metric: MetricModel, values: readonly string[]): number {
  let index = 0;
  for (let k = 0; k < metric.labels.length; k++) {
    const label = metric.labels[k]!;
    let position = label.values.indexOf(values[k] ?? '');
    if (position < 0 && label.learned !== undefined) {
      const made = Array.from({ length: label.learned }, (_, j) => simulatedValue(label, label.values.length + j)).indexOf(values[k] ?? '');
      position = made < 0 ? -1 : label.values.length + made;
    }
    if (position < 0) return -1;
    index = index * label.positions + position;
  }
  return index;
}

/**
 * Values spread over the buckets: log-normal between the first and last bound when they are
 * positive, normal otherwise, then pulled down until the catalogue's quantile, average and latency
 * SLO alerts on the metric have a wide margin.
 */
function histogramDistribution(model: MetricModel): { distribution: Distribution; slowDistribution: Distribution; min: number; max: number } {
  const [lo, hi] = model.buckets.length > 0 ? [model.buckets[0]!, model.buckets.at(-1)!] : nativeRange(model);
  const min = model.unit === 'ratio' ? 0 : lo > 0 ? 0 : -Infinity;
  const max = model.unit === 'ratio' ? 1 : Infinity;
  if (!(lo > 0)) {
    let mean = lo + (hi - lo) * 0.5;
    const sd = hi > lo ? (hi - lo) / 5 : 1;
    for (const alert of model.alerts) {
      const z = alert.kind === 'quantile' ? normalQuantile(alert.quantile ?? 0.5) : 0;
      if ((alert.kind === 'quantile' || (alert.kind === 'threshold' && alert.of === 'average')) && alert.above !== undefined) mean = Math.min(mean, alert.above - (z + 2) * sd);
    }
    return { distribution: { kind: 'normal', mean, sd }, slowDistribution: { kind: 'normal', mean: lo + (hi - lo) * SLOW_POSITION, sd }, min, max };
  }
  const span = Math.log(hi / lo);
  const spread = span > 0 ? span / 5 : 0.5;
  let median = lo * Math.exp(span * 0.4);
  // Series factors reach about e^0.3 above the median: keep the margin beyond that.
  const margin = 2;
  for (const alert of model.alerts) {
    // A quantile estimated from the first few observations of a window is about their largest: keep
    // the 99.9th percentile, not only the alert's, under the threshold, so that a calm start never
    // sets the alert off (not even pending).
    if (alert.kind === 'quantile' && alert.above !== undefined) median = Math.min(median, alert.above / margin / Math.exp(normalQuantile(Math.max(alert.quantile ?? 0.5, CALM_QUANTILE_CEILING)) * spread));
    if (alert.kind === 'threshold' && alert.of === 'average' && alert.above !== undefined) median = Math.min(median, alert.above / margin / Math.exp((spread * spread) / 2));
    if (alert.kind === 'threshold' && alert.of === 'average' && alert.below !== undefined) median = Math.max(median, alert.below * margin);
    if (alert.kind === 'slo' && alert.latencyBelow !== undefined) {
      const bad = (1 - (alert.objective ?? 0.99)) * CALM;
      median = Math.min(median, alert.latencyBelow / margin / Math.exp(normalQuantile(1 - bad) * spread));
    }
  }
  const slowDistribution: Distribution = { kind: 'lognormal', median: lo * Math.exp(span * SLOW_POSITION), spread };
  return { distribution: { kind: 'lognormal', median, spread }, slowDistribution, min, max };
}

/** Ranges a native-only histogram's values span by unit, when no alert says where they matter. */
const NATIVE_RANGE: Readonly<Record<string, readonly [number, number]>> = { seconds: [0.005, 2.5], bytes: [100, 1e6], ratio: [0.01, 1] };
const DEFAULT_NATIVE_RANGE = [1, 1000] as const;
/** How far above the highest alert threshold a native-only range reaches, and how many times its top its bottom is. */
const NATIVE_TOP_PAST_THRESHOLD = 4;
const NATIVE_DECADES = 2;

/**
 * First and last "bucket" of a histogram that has no classic buckets (native only): two decades
 * whose top is well past its alerts' thresholds (quantile and average bounds, the latency SLO's
 * bound), so that the `slow` fault's median lands past every one of them and the calm values stay
 * far below; without alerts, a range that suits the unit.
 */
function nativeRange(model: MetricModel): [number, number] {
  const thresholds = model.alerts
    .flatMap((alert) => {
      if (alert.kind === 'quantile') return [alert.above];
      if (alert.kind === 'threshold' && alert.of === 'average') return [alert.above, alert.below];
      return alert.kind === 'slo' ? [alert.latencyBelow] : [];
    })
    .filter((value): value is number => value !== undefined && value > 0);
  if (thresholds.length === 0) {
    const [lo, hi] = NATIVE_RANGE[model.unit] ?? DEFAULT_NATIVE_RANGE;
    return [lo, hi];
  }
  const hi = model.unit === 'ratio' ? 1 : Math.max(...thresholds) * NATIVE_TOP_PAST_THRESHOLD;
  return [hi / 10 ** NATIVE_DECADES, hi];
}

/** Level and swing of a gauge by its unit, kept away from the thresholds of its alerts. */
function gaugeLevel(model: MetricModel, r: Random): Omit<GaugePlan, 'seriesFactor' | 'phase'> {
  const logUniform = (lo: number, hi: number): number => lo * Math.exp(r.next() * Math.log(hi / lo));
  let center: number;
  let amplitude = 0.2;
  let min = 0;
  let max = Infinity;
  switch (model.unit) {
    case 'ratio':
      center = 0.3 + 0.3 * r.next();
      max = 1;
      break;
    case 'bytes':
      center = logUniform(2 ** 20, 2 ** 30);
      break;
    case 'seconds':
      center = logUniform(0.5, 60);
      break;
    case 'usd':
      center = logUniform(1, 100);
      break;
    case 'score':
      center = 50 + 40 * r.next();
      break;
    default:
      center = logUniform(5, 50);
  }
  for (const alert of model.alerts) {
    if (alert.kind === 'threshold' && alert.of === 'value') {
      if (alert.above !== undefined) center = Math.min(center, alert.above / 2);
      if (alert.below !== undefined) center = Math.max(center, model.unit === 'ratio' ? (1 + alert.below) / 2 : alert.below * 2);
    }
    if (alert.kind === 'threshold' && alert.of === 'delta' && alert.above !== undefined) amplitude = Math.min(amplitude, alert.above / (8 * center));
  }
  if (model.unit === 'ratio') amplitude = Math.min(amplitude, (1 - center) / (2 * center), 0.5);
  return { center, amplitude, min, max, integer: model.unit === 'count' };
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = clamp(p, 1e-12, 1 - 1e-12);
  const tail = (x: number): number => (((((c[0]! * x + c[1]!) * x + c[2]!) * x + c[3]!) * x + c[4]!) * x + c[5]!) / ((((d[0]! * x + d[1]!) * x + d[2]!) * x + d[3]!) * x + 1);
  if (q < 0.02425) return tail(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - q)));
  const x = q - 0.5;
  const s = x * x;
  return ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * x) / (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1);
}

/** A plausible value for an info label: a version, a commit, else the label's own name. */
function simulatedInfoValue(labelName: string, position: number): string {
  if (/version/.test(labelName)) return '1.4.2';
  if (/commit|revision|sha/.test(labelName)) return '3f9c2e1';
  return `${labelName}-${position + 1}`;
}
