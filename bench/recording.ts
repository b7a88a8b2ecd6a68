/**
 * Recording and scrape cost, as users record: labels in a random order, fractional values over the
 * buckets, events as inline object literals. Each case runs every client in the same process, in
 * interleaved rounds, timed in CPU time: the generated module (ours), a hand-written floor, prom-client
 * 15, @prometheus-io/client 0.16 (only under Node >= 22, which it requires) and the OpenTelemetry SDK.
 *
 * `npm run bench` imports it under Node 20 and runs it again in a Node 22 child with `--json`. Run on
 * its own: `node --expose-gc --conditions=lazybird-metrics:source --import tsx bench/recording.ts
 * [--case <id>[,<id>]] [--json]`, or `--native` for native histogram observe next to classic.
 */
import client from 'prom-client';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { METRIC_SPECS, createMetrics, createRecorder } from '../generated/metrics.js';
import type { AgentCallEvent } from '../generated/metrics.js';
import { DROP_REASONS, MetricsRuntime, seriesIndexOf } from '../runtime/index.js';
import type { NativeHistogram } from '../runtime/index.js';
import type { MetricSpec } from '../runtime/index.js';
import { CPU_CLOCK, interleavedCpu, median } from './measure.js';
import type { Contender } from './measure.js';
import { SEED, SEQUENCE_MASK as M, labelValues, mulberry32, randomChoices, specNamed, valuesOverBuckets } from './random-input.js';

export const CLIENTS = ['ours', 'floor', 'prom-client 15', '@prometheus-io/client 0.16', 'OpenTelemetry SDK'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  /** Per client: CPU ns per operation, one per round, rounds paired across clients. */
  readonly samples: Partial<Record<ClientName, readonly number[]>>;
  readonly note: string;
}

export interface SuiteResult {
  readonly node: string;
  readonly cpuClock: string;
  readonly rounds: number;
  readonly cases: readonly CaseResult[];
}

export const CASES = [
  { id: 'counter-inc', title: 'labeled counter inc, 2 labels, random order' },
  { id: 'histogram-observe', title: 'labeled histogram observe, random labels and values' },
  { id: 'record-agent-call', title: 'recordAgentCall (inline literal) vs the same 5 calls' },
  { id: 'counter-inc-periodic', title: 'labeled counter inc, 2 labels, periodic i % 20 (old bench)' },
  { id: 'scrape-text', title: 'scrape, every series touched once, text' },
  { id: 'scrape-openmetrics', title: 'scrape, every series touched once, OpenMetrics' },
] as const;
export type CaseId = (typeof CASES)[number]['id'];

const nodeMajor = Number(process.versions.node.split('.')[0]);
/** @prometheus-io/client 0.16 declares Node >= 22 and is only loaded there. */
export const HAS_PROMETHEUS_IO = nodeMajor >= 22;

// ------------------------------------------------------------------ input, shared by every client
const callsSpec = specNamed(METRIC_SPECS, 'lazybird_agent_calls_total');
const latencySpec = specNamed(METRIC_SPECS, 'lazybird_agent_latency_seconds');
const callCostSpec = specNamed(METRIC_SPECS, 'lazybird_agent_call_cost_usd');
type Agent = AgentCallEvent['agent'];
type Operation = AgentCallEvent['operation'];
const AGENTS = labelValues(callsSpec, 'agent') as readonly Agent[];
const OPERATIONS = labelValues(callsSpec, 'operation') as readonly Operation[];
const random = mulberry32(SEED);
const A: readonly Agent[] = randomChoices(random, AGENTS);
const O: readonly Operation[] = randomChoices(random, OPERATIONS);
const L = valuesOverBuckets(random, latencySpec.buckets ?? []);
const C = valuesOverBuckets(random, callCostSpec.buckets ?? []);
const T = Int32Array.from({ length: M + 1 }, () => 50 + Math.floor(random() * 20_000));
/** The random sequences every client reads, for the other benches (allocation). */
export const INPUT = { agents: A, operations: O, latencySeconds: L, costUsd: C, tokens: T } as const;
/** The old bench's order: 20 label pairs in turn. */
const PERIODIC = AGENTS.slice(0, 5).flatMap((agent) => OPERATIONS.slice(0, 4).map((operation) => ({ agent, operation })));

// ------------------------------------------------------------------ the hand-written floor
// What the generated code would cost with nothing extra: the same Float64Array layout and writes,
// a string switch per label, each label of an event resolved once, no validation at all.
function agentSlot(agent: string): number {
  switch (agent) {
    case 'claude': return 0;
    case 'gemini': return 1;
    case 'copilot': return 2;
    case 'codex': return 3;
    case 'local': return 4;
    case 'other': return 5;
    default: return -1;
  }
}
function operationSlot(operation: string): number {
  switch (operation) {
    case 'generate': return 0;
    case 'refine': return 1;
    case 'review': return 2;
    case 'fix': return 3;
    case 'other': return 4;
    default: return -1;
  }
}
const OPERATION_COUNT = 5;
export function createFloor() {
  // The floor's switches are written by hand; they must still be the catalogue's values.
  AGENTS.forEach((v, i) => { if (agentSlot(v) !== i) throw new Error(`floor: agent ${v} out of date with the catalogue`); });
  if (OPERATIONS.length !== OPERATION_COUNT) throw new Error('floor: operations out of date with the catalogue');
  OPERATIONS.forEach((v, i) => { if (operationSlot(v) !== i) throw new Error(`floor: operation ${v} out of date with the catalogue`); });
  const histogram = (bounds: readonly number[], series: number) => ({ bounds: Float64Array.from(bounds), data: new Float64Array(series * (bounds.length + 3)) });
  const observeInto = (h: { bounds: Float64Array; data: Float64Array }, series: number, v: number): void => {
    const n = h.bounds.length;
    let bucket = 0;
    while (bucket < n && v > h.bounds[bucket]!) bucket++;
    const base = series * (n + 3);
    h.data[base + bucket]! += 1;
    h.data[base + n + 1]! += v;
    h.data[base + n + 2]! += 1;
  };
  const calls = new Float64Array(AGENTS.length * OPERATIONS.length);
  const cost = new Float64Array(AGENTS.length * OPERATIONS.length);
  const tokens = new Float64Array(AGENTS.length);
  const latency = histogram(latencySpec.buckets ?? [], AGENTS.length);
  const callCost = histogram(callCostSpec.buckets ?? [], AGENTS.length);
  return {
    inc(labels: { readonly agent: string; readonly operation: string }): void {
      const series = agentSlot(labels.agent) * OPERATION_COUNT + operationSlot(labels.operation);
      calls[series]! += 1;
    },
    observe(labels: { readonly agent: string }, v: number): void {
      observeInto(latency, agentSlot(labels.agent), v);
    },
    recordAgentCall(event: AgentCallEvent): void {
      const agent = agentSlot(event.agent);
      const series = agent * OPERATION_COUNT + operationSlot(event.operation);
      observeInto(latency, agent, event.latencySeconds);
      calls[series]! += 1;
      cost[series]! += event.costUsd;
      tokens[agent]! += event.tokens;
      observeInto(callCost, agent, event.costUsd);
    },
  };
}

// ------------------------------------------------------------------ prom-client and its successor
type PromModule = typeof client;
/** Key of the drop counter in a twin's map: a space never occurs in a metric name. */
const DROP_COUNTER = ' drop counter';

export interface PromTwin {
  readonly registry: client.Registry<client.RegistryContentType>;
  readonly metrics: Map<string, client.Metric>;
}

/**
 * Metrics with the catalogue's names, labels and buckets in one registry of `module`. With
 * `dropCounter` (ours's drop counter's name) also that counter, so that once every series is touched
 * both sides expose the same series: ours always exposes its drop counter, one series per metric and
 * reason.
 */
export function promTwin(module: PromModule, specs: readonly MetricSpec[], options: { contentType?: string; dropCounter?: string } = {}): PromTwin {
  const registry = new module.Registry<client.RegistryContentType>();
  if (options.contentType) registry.setContentType(options.contentType as client.RegistryContentType);
  const metrics = new Map<string, client.Metric>();
  if (options.dropCounter) {
    const help = 'Recording calls the exporter dropped instead of creating a series outside the catalogue, by metric and reason.';
    metrics.set(DROP_COUNTER, new module.Counter({ name: options.dropCounter, help, labelNames: ['metric', 'reason'], registers: [registry] }));
  }
  for (const spec of specs) {
    const common = { name: spec.name, help: spec.help, labelNames: spec.labels.map((l) => l.name), registers: [registry] };
    metrics.set(
      spec.name,
      spec.type === 'counter'
        ? new module.Counter(common)
        : spec.type === 'gauge'
          ? new module.Gauge(common)
          : new module.Histogram({ ...common, buckets: [...(spec.buckets ?? [])] }),
    );
  }
  return { registry, metrics };
}

function combinations(spec: MetricSpec): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const label of spec.labels) out = out.flatMap((base) => label.values.map((value) => ({ ...base, [label.name]: value })));
  return out;
}

/** Records 1 into every series of every metric (0 into the drop counter's), through prom-client's API. */
export function touchEveryPromSeries(specs: readonly MetricSpec[], metrics: Map<string, client.Metric>): void {
  const dropped = metrics.get(DROP_COUNTER) as client.Counter | undefined;
  for (const spec of dropped ? specs : []) for (const reason of DROP_REASONS) dropped!.inc({ metric: spec.name, reason }, 0);
  for (const spec of specs) {
    const metric = metrics.get(spec.name);
    for (const labels of combinations(spec)) {
      if (spec.type === 'counter') (metric as client.Counter).inc(labels, 1);
      else if (spec.type === 'gauge') (metric as client.Gauge).set(labels, 1);
      else (metric as client.Histogram).observe(labels, 1);
    }
  }
}

/** Records 1 into every series of every metric of ours, by series number (the runtime the generated code calls). */
export function touchEveryOwnSeries(specs: readonly MetricSpec[], metrics: ReturnType<typeof createMetrics>): void {
  specs.forEach((spec, id) => {
    for (const labels of combinations(spec)) {
      const series = seriesIndexOf(spec, spec.labels.map((l) => labels[l.name]!));
      if (spec.type === 'counter') metrics.runtime.counter(id).inc(series, 1);
      else if (spec.type === 'gauge') metrics.runtime.gauge(id).set(series, 1);
      else metrics.runtime.histogram(id).observe(series, 1);
    }
  });
}

async function loadPrometheusIo(): Promise<PromModule> {
  const module = (await import('@prometheus-io/client')) as unknown as { default: PromModule };
  return module.default;
}

// ------------------------------------------------------------------ OpenTelemetry
/** A pull reader, as the Prometheus exporter is: nothing exported on a timer. */
class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function createOtel() {
  const meter = new MeterProvider({ readers: [new PullReader()] }).getMeter('bench');
  const histogram = (spec: MetricSpec) => meter.createHistogram(spec.name, { unit: 's', advice: { explicitBucketBoundaries: [...(spec.buckets ?? [])] } });
  return {
    calls: meter.createCounter('lazybird_agent_calls'),
    cost: meter.createCounter('lazybird_api_cost_usd'),
    tokens: meter.createCounter('lazybird_agent_tokens'),
    latency: histogram(latencySpec),
    callCost: histogram(callCostSpec),
  };
}

// ------------------------------------------------------------------ the cases
type Loops = Partial<Record<ClientName, (n: number) => void | Promise<void>>>;

async function loopsOf(id: CaseId): Promise<{ loops: Loops; note: string }> {
  const prom = promTwin(client, METRIC_SPECS).metrics;
  const io = HAS_PROMETHEUS_IO ? promTwin(await loadPrometheusIo(), METRIC_SPECS).metrics : undefined;
  const metrics = createMetrics({ defaultMetrics: false });
  const recorder = createRecorder(metrics);
  const floor = createFloor();
  const otel = createOtel();
  const counter = (m: Map<string, client.Metric> | undefined, name: string) => m?.get(`lazybird_${name}`) as client.Counter;
  const histogram = (m: Map<string, client.Metric> | undefined, name: string) => m?.get(`lazybird_${name}`) as client.Histogram;
  const onlyIo = <T>(loop: T): { '@prometheus-io/client 0.16'?: T } => (io ? { '@prometheus-io/client 0.16': loop } : {});

  switch (id) {
    case 'counter-inc': {
      const ioCalls = counter(io, 'agent_calls_total');
      const promCalls = counter(prom, 'agent_calls_total');
      return {
        note: 'agent_calls_total{agent, operation}',
        loops: {
          ours: (n) => { for (let i = 0; i < n; i++) metrics.agentCallsTotal.inc({ agent: A[i & M]!, operation: O[i & M]! }); },
          floor: (n) => { for (let i = 0; i < n; i++) floor.inc({ agent: A[i & M]!, operation: O[i & M]! }); },
          'prom-client 15': (n) => { for (let i = 0; i < n; i++) promCalls.inc({ agent: A[i & M]!, operation: O[i & M]! }); },
          ...onlyIo((n: number) => { for (let i = 0; i < n; i++) ioCalls.inc({ agent: A[i & M]!, operation: O[i & M]! }); }),
          'OpenTelemetry SDK': (n) => { for (let i = 0; i < n; i++) otel.calls.add(1, { agent: A[i & M]!, operation: O[i & M]! }); },
        },
      };
    }
    case 'counter-inc-periodic': {
      const ioCalls = counter(io, 'agent_calls_total');
      const promCalls = counter(prom, 'agent_calls_total');
      return {
        note: 'the same counter, 20 prebuilt label objects in turn',
        loops: {
          ours: (n) => { for (let i = 0; i < n; i++) metrics.agentCallsTotal.inc(PERIODIC[i % 20]!); },
          floor: (n) => { for (let i = 0; i < n; i++) floor.inc(PERIODIC[i % 20]!); },
          'prom-client 15': (n) => { for (let i = 0; i < n; i++) promCalls.inc(PERIODIC[i % 20]!); },
          ...onlyIo((n: number) => { for (let i = 0; i < n; i++) ioCalls.inc(PERIODIC[i % 20]!); }),
          'OpenTelemetry SDK': (n) => { for (let i = 0; i < n; i++) otel.calls.add(1, PERIODIC[i % 20]!); },
        },
      };
    }
    case 'histogram-observe': {
      const ioLatency = histogram(io, 'agent_latency_seconds');
      const promLatency = histogram(prom, 'agent_latency_seconds');
      return {
        note: 'agent_latency_seconds{agent}, 9 buckets, values over every bucket',
        loops: {
          ours: (n) => { for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe({ agent: A[i & M]! }, L[i & M]!); },
          floor: (n) => { for (let i = 0; i < n; i++) floor.observe({ agent: A[i & M]! }, L[i & M]!); },
          'prom-client 15': (n) => { for (let i = 0; i < n; i++) promLatency.observe({ agent: A[i & M]! }, L[i & M]!); },
          ...onlyIo((n: number) => { for (let i = 0; i < n; i++) ioLatency.observe({ agent: A[i & M]! }, L[i & M]!); }),
          'OpenTelemetry SDK': (n) => { for (let i = 0; i < n; i++) otel.latency.record(L[i & M]!, { agent: A[i & M]! }); },
        },
      };
    }
    case 'record-agent-call': {
      const twin = (m: Map<string, client.Metric> | undefined) => ({
        latency: histogram(m, 'agent_latency_seconds'),
        calls: counter(m, 'agent_calls_total'),
        cost: counter(m, 'api_cost_usd_total'),
        tokens: counter(m, 'agent_tokens_total'),
        callCost: histogram(m, 'agent_call_cost_usd'),
      });
      const p = twin(prom);
      const q = twin(io);
      return {
        note: '5 metrics; latency and cost fractional, tokens integer; prom-client and OTel: the 5 calls with label literals',
        loops: {
          ours: (n) => { for (let i = 0; i < n; i++) recorder.recordAgentCall({ agent: A[i & M]!, operation: O[i & M]!, latencySeconds: L[i & M]!, costUsd: C[i & M]!, tokens: T[i & M]! }); },
          floor: (n) => { for (let i = 0; i < n; i++) floor.recordAgentCall({ agent: A[i & M]!, operation: O[i & M]!, latencySeconds: L[i & M]!, costUsd: C[i & M]!, tokens: T[i & M]! }); },
          'prom-client 15': (n) => {
            for (let i = 0; i < n; i++) {
              const agent = A[i & M]!;
              const operation = O[i & M]!;
              const costUsd = C[i & M]!;
              p.latency.observe({ agent }, L[i & M]!);
              p.calls.inc({ agent, operation });
              p.cost.inc({ agent, operation }, costUsd);
              p.tokens.inc({ agent }, T[i & M]!);
              p.callCost.observe({ agent }, costUsd);
            }
          },
          ...onlyIo((n: number) => {
            for (let i = 0; i < n; i++) {
              const agent = A[i & M]!;
              const operation = O[i & M]!;
              const costUsd = C[i & M]!;
              q.latency.observe({ agent }, L[i & M]!);
              q.calls.inc({ agent, operation });
              q.cost.inc({ agent, operation }, costUsd);
              q.tokens.inc({ agent }, T[i & M]!);
              q.callCost.observe({ agent }, costUsd);
            }
          }),
          'OpenTelemetry SDK': (n) => {
            for (let i = 0; i < n; i++) {
              const agent = A[i & M]!;
              const operation = O[i & M]!;
              const costUsd = C[i & M]!;
              otel.latency.record(L[i & M]!, { agent });
              otel.calls.add(1, { agent, operation });
              otel.cost.add(costUsd, { agent, operation });
              otel.tokens.add(T[i & M]!, { agent });
              otel.callCost.record(costUsd, { agent });
            }
          },
        },
      };
    }
    case 'scrape-text':
    case 'scrape-openmetrics': {
      const openMetrics = id === 'scrape-openmetrics';
      const ours = createMetrics({ defaultMetrics: false });
      touchEveryOwnSeries(METRIC_SPECS, ours);
      const format = openMetrics ? 'openmetrics' : 'text';
      const twinOptions = (contentType: string) => (openMetrics ? { contentType, dropCounter: ours.runtime.droppedMetricName } : { dropCounter: ours.runtime.droppedMetricName });
      const theirs = promTwin(client, METRIC_SPECS, twinOptions(client.openMetricsContentType));
      touchEveryPromSeries(METRIC_SPECS, theirs.metrics);
      const ioModule = HAS_PROMETHEUS_IO ? await loadPrometheusIo() : undefined;
      const ioTwin = ioModule ? promTwin(ioModule, METRIC_SPECS, twinOptions(ioModule.openMetricsContentType)) : undefined;
      if (ioTwin) touchEveryPromSeries(METRIC_SPECS, ioTwin.metrics);
      const reference = samplesOf(await ours.runtime.expose(format));
      const compare = (name: string, text: string) => `${name}: ${comparison(reference, samplesOf(text))}`;
      const lines = [`ours: ${reference.length} samples`, compare('prom-client', await theirs.registry.metrics())];
      if (ioTwin) lines.push(compare('@prometheus-io', await ioTwin.registry.metrics()));
      return {
        note: `seed catalogue, every series touched once; samples compared after normalising: ${lines.join(', ')}`,
        loops: {
          ours: async (n) => { for (let i = 0; i < n; i++) await ours.runtime.expose(format); },
          'prom-client 15': async (n) => { for (let i = 0; i < n; i++) await theirs.registry.metrics(); },
          ...onlyIo(async (n: number) => { for (let i = 0; i < n; i++) await ioTwin!.registry.metrics(); }),
        },
      };
    }
  }
}

/**
 * The samples of an exposition, each normalised so that equal content compares equal whatever the
 * client's spelling: labels sorted, `le` and values as numbers (OpenMetrics writes `le="5.0"`).
 */
function samplesOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`unexpected exposition line: ${line}`);
    const labels = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=)/)
      .filter(Boolean)
      .map((pair) => (pair.startsWith('le=') ? `le="${Number(pair.slice(4, -1))}"` : pair))
      .sort();
    out.push(`${match[1]}{${labels.join(',')}} ${Number(match[3])}`);
  }
  return out.sort();
}

/**
 * Whether a client's samples are ours. The one difference expected: the `_sum` and `_count` of a
 * histogram with a negative bucket bound, which the other clients write and ours leaves out
 * (OpenMetrics forbids that `_sum`; see runtime/names.ts histogramExposesSum).
 */
function comparison(ours: readonly string[], theirs: readonly string[]): string {
  const mine = new Set(ours);
  const extra = theirs.filter((line) => !mine.has(line));
  const missing = ours.length - (theirs.length - extra.length);
  const negativeBound = (line: string) => {
    const name = /^(\S+?)_(sum|count)\{/.exec(line)?.[1];
    return name !== undefined && !ours.some((l) => l.startsWith(`${name}_sum{`)) && ours.some((l) => l.startsWith(`${name}_bucket{`) && /le="-/.test(l));
  };
  if (missing === 0 && extra.length === 0) return `the same ${theirs.length} samples`;
  if (missing === 0 && extra.every(negativeBound)) return `the same ${ours.length} samples, plus the _sum and _count of a histogram with a negative bound that ours leaves out (${extra.length})`;
  return `DIFFERENT: ${theirs.length} samples, ${extra.length} not ours, ${missing} of ours missing`;
}

export async function runRecordingSuite(options: { cases?: readonly string[]; rounds?: number; targetMs?: number } = {}): Promise<SuiteResult> {
  const rounds = options.rounds ?? 9;
  const targetMs = options.targetMs ?? 25;
  const results: CaseResult[] = [];
  for (const { id, title } of CASES) {
    if (options.cases && !options.cases.includes(id)) continue;
    const { loops, note } = await loopsOf(id);
    const contenders: Contender[] = CLIENTS.flatMap((name) => {
      const run = loops[name];
      return run ? [{ name, run }] : [];
    });
    const measured = await interleavedCpu(contenders, rounds, id.startsWith('scrape') ? targetMs * 2 : targetMs);
    const samples: Partial<Record<ClientName, readonly number[]>> = {};
    for (const [name, result] of measured) samples[name as ClientName] = result.nsPerOp;
    results.push({ id, title, samples, note });
  }
  return { node: process.version, cpuClock: CPU_CLOCK, rounds, cases: results };
}

/** Ratio of medians, and its range over the rounds (rounds are paired: interleaved in time). */
export function ratioOf(result: CaseResult, slower: ClientName, faster: ClientName): { median: number; min: number; max: number } | undefined {
  const a = result.samples[slower];
  const b = result.samples[faster];
  if (!a || !b) return undefined;
  const perRound = a.map((v, i) => v / b[i]!);
  return { median: median(a) / median(b), min: Math.min(...perRound), max: Math.max(...perRound) };
}

// ------------------------------------------------------------------ native histograms (issue 15)
/** Rows of the native observe comparison, in print order. */
export const NATIVE_ROWS = [
  'ours classic, generated API',
  'ours classic, runtime storage',
  'ours native only, runtime storage',
  'ours classic + native, runtime storage',
  'prom-client 15 classic',
] as const;

export interface NativeObserveResult {
  readonly node: string;
  readonly rounds: number;
  readonly note: string;
  /** Per row: CPU ns per observe, one per round, rounds paired across rows. */
  readonly samples: Partial<Record<(typeof NATIVE_ROWS)[number], readonly number[]>>;
}

/**
 * Native observe next to classic observe: agent_latency_seconds's labels and values (random agent,
 * values log-uniform over its 9 buckets and beyond, about 80 native buckets at schema 3), recorded
 * through runtime storage with the series from the floor's label switch, so the rows differ only in
 * what observe does; the generated API's classic observe and prom-client's as references.
 */
export async function runNativeObserveSuite(options: { rounds?: number; targetMs?: number } = {}): Promise<NativeObserveResult> {
  const rounds = options.rounds ?? 9;
  const native = { schema: 3, maxBuckets: 160, zeroThreshold: 2 ** -128 };
  const { native: _classicHasNone, ...classicSpec } = latencySpec;
  const specs: MetricSpec[] = [
    classicSpec,
    { ...classicSpec, name: 'bench_native_latency_seconds', buckets: [], native },
    { ...classicSpec, name: 'bench_both_latency_seconds', native },
  ];
  const runtime = new MetricsRuntime(specs, { defaultMetrics: false });
  const [classic, nativeOnly, both] = [0, 1, 2].map((id) => runtime.histogram(id));
  const metrics = createMetrics({ defaultMetrics: false });
  const promLatency = promTwin(client, METRIC_SPECS).metrics.get('lazybird_agent_latency_seconds') as client.Histogram;
  const loops: Record<(typeof NATIVE_ROWS)[number], (n: number) => void> = {
    'ours classic, generated API': (n) => { for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe({ agent: A[i & M]! }, L[i & M]!); },
    'ours classic, runtime storage': (n) => { for (let i = 0; i < n; i++) classic!.observe(agentSlot(A[i & M]!), L[i & M]!); },
    'ours native only, runtime storage': (n) => { for (let i = 0; i < n; i++) nativeOnly!.observe(agentSlot(A[i & M]!), L[i & M]!); },
    'ours classic + native, runtime storage': (n) => { for (let i = 0; i < n; i++) both!.observe(agentSlot(A[i & M]!), L[i & M]!); },
    'prom-client 15 classic': (n) => { for (let i = 0; i < n; i++) promLatency.observe({ agent: A[i & M]! }, L[i & M]!); },
  };
  const measured = await interleavedCpu(NATIVE_ROWS.map((name) => ({ name, run: loops[name] })), rounds, options.targetMs ?? 25);
  const samples: NativeObserveResult['samples'] = {};
  for (const [name, result] of measured) samples[name as (typeof NATIVE_ROWS)[number]] = result.nsPerOp;
  const snapshot = (nativeOnly as NativeHistogram).nativeSnapshot(0)!;
  const buckets = snapshot.positiveDeltas.length;
  runtime.close();
  return {
    node: process.version,
    rounds,
    note: `agent_latency_seconds{agent}, values over its buckets; native schema 3 (max 160 buckets): series 0 ended at schema ${snapshot.schema} with ${buckets} buckets (gaps included)`,
    samples,
  };
}

// ------------------------------------------------------------------ exemplars
/** The rows of the exemplar pair, each the same labeled observe on the same random input. */
export const EXEMPLAR_ROWS = [
  'ours: observe, no exemplar',
  'ours, storage only: Histogram#observe (no exemplar parameter)',
  'ours, storage only: Histogram#observeWithExemplar, exemplar undefined',
  'ours: observe with an exemplar (inline literal)',
  'prom-client 15: observe, no exemplar (exemplars enabled)',
  'prom-client 15: observe with exemplarLabels',
] as const;

/**
 * Labeled histogram observe without and with an exemplar, interleaved like the other cases: the
 * first row shows that the exemplar parameter costs calls without one nothing measurable (compare
 * with `histogram-observe`'s "ours"), the second what keeping one costs (a validated label pair, a
 * snapshot object and a Map write). prom-client 15 with `enableExemplars` for reference.
 */
export async function runExemplarCase(options: { rounds?: number; targetMs?: number } = {}): Promise<Map<string, readonly number[]>> {
  const metrics = createMetrics({ defaultMetrics: false });
  const registry = new client.Registry<client.OpenMetricsContentType>();
  registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  const prom = new client.Histogram({
    name: latencySpec.name,
    help: latencySpec.help,
    labelNames: ['agent'],
    buckets: [...(latencySpec.buckets ?? [])],
    enableExemplars: true,
    registers: [registry],
  });
  const traceRandom = mulberry32(SEED ^ 0x7ace);
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(traceRandom() * 16).toString(16)).join('');
  const TRACES = Array.from({ length: M + 1 }, () => hex(32));
  const SPANS = Array.from({ length: M + 1 }, () => hex(16));
  // The storage pair isolates what the parameter adds to a call without one: the wrappers call the
  // second, which tests `exemplar === undefined` and calls the first.
  const store = metrics.runtime.histogram(METRIC_SPECS.indexOf(latencySpec));
  const S = Int32Array.from(A, (agent) => AGENTS.indexOf(agent));
  const loops: Record<(typeof EXEMPLAR_ROWS)[number], (n: number) => void> = {
    'ours, storage only: Histogram#observe (no exemplar parameter)': (n) => { for (let i = 0; i < n; i++) store.observe(S[i & M]!, L[i & M]!); },
    'ours, storage only: Histogram#observeWithExemplar, exemplar undefined': (n) => { for (let i = 0; i < n; i++) store.observeWithExemplar(S[i & M]!, L[i & M]!, undefined); },
    'ours: observe, no exemplar': (n) => { for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe({ agent: A[i & M]! }, L[i & M]!); },
    'ours: observe with an exemplar (inline literal)': (n) => { for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe({ agent: A[i & M]! }, L[i & M]!, { traceId: TRACES[i & M]!, spanId: SPANS[i & M]! }); },
    'prom-client 15: observe, no exemplar (exemplars enabled)': (n) => { for (let i = 0; i < n; i++) prom.observe({ labels: { agent: A[i & M]! }, value: L[i & M]! }); },
    'prom-client 15: observe with exemplarLabels': (n) => { for (let i = 0; i < n; i++) prom.observe({ labels: { agent: A[i & M]! }, value: L[i & M]!, exemplarLabels: { traceId: TRACES[i & M]!, spanId: SPANS[i & M]! } as client.LabelValues<'agent'> }); },
  };
  const measured = await interleavedCpu(
    EXEMPLAR_ROWS.map((name) => ({ name, run: loops[name] })),
    options.rounds ?? 9,
    options.targetMs ?? 25,
  );
  return new Map([...measured].map(([name, result]) => [name, result.nsPerOp]));
}

// ------------------------------------------------------------------ standalone
if (import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv.includes('--native')) {
    const result = await runNativeObserveSuite();
    console.log(`${result.node}, ${result.rounds} interleaved rounds; CPU ns per observe: median [min–max]\n${result.note}`);
    for (const [name, values] of Object.entries(result.samples)) {
      console.log(`  ${name.padEnd(40)} ${median(values).toFixed(1).padStart(8)} [${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]`);
    }
    process.exit(0);
  }
  const caseArg = argv.indexOf('--case');
  const cases = caseArg >= 0 ? (argv[caseArg + 1] ?? '').split(',') : undefined;
  const unknown = cases?.filter((c) => !CASES.some((k) => k.id === c));
  if (unknown?.length) {
    console.error(`unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.id).join(', ')}`);
    process.exit(2);
  }
  const suite = await runRecordingSuite(cases ? { cases } : {});
  if (argv.includes('--json')) console.log(JSON.stringify(suite));
  else {
    console.log(`${suite.node}, ${suite.cpuClock}, ${suite.rounds} interleaved rounds; CPU ns per operation (µs per scrape): median [min–max]`);
    for (const c of suite.cases) {
      console.log(`\n${c.title} (${c.note})`);
      const unit = c.id.startsWith('scrape') ? 1000 : 1;
      for (const [name, values] of Object.entries(c.samples)) {
        const show = (v: number) => (v / unit).toFixed(1);
        console.log(`  ${name.padEnd(28)} ${show(median(values)).padStart(10)} [${show(Math.min(...values))}–${show(Math.max(...values))}]`);
      }
    }
  }
}
