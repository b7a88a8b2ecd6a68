/**
 * npm run bench: generation time, and the generated exporter side by side with prom-client 15 doing
 * the same work in the same process. Ratios matter, not absolute numbers: this machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import client from 'prom-client';
import { compileCatalog } from '../generator/catalog/index.js';
import { emitAll } from '../generator/emit/index.js';
import { METRIC_SPECS, createMetrics, createRecorder } from '../generated/metrics.js';
import { MetricsRuntime } from '../runtime/index.js';
import type { MetricSpec } from '../runtime/index.js';
import { largeCatalogYaml } from './large-catalog.js';
import { allocation, heapUsedAfterGc, time, timeAsync } from './measure.js';

const rows: string[][] = [];
function row(...cells: (string | number)[]): void {
  rows.push(cells.map(String));
}
function printTable(title: string, header: string[]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  console.log(`\n## ${title}\n`);
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
  rows.length = 0;
}
const ns = (v: number) => v.toFixed(1);
const ms = (v: number) => (v / 1e6).toFixed(1);

// ---------------------------------------------------------------- generation
{
  const seed = readFileSync(new URL('../metrics.yaml', import.meta.url), 'utf8');
  const large = largeCatalogYaml(1000);
  const generate = (text: string) => () => {
    const { catalog } = compileCatalog(text, 'metrics.yaml');
    if (!catalog) throw new Error('catalogue invalid');
    emitAll(catalog);
  };
  const seedTime = await timeAsync(async () => generate(seed)(), 10);
  const largeTime = await timeAsync(async () => generate(large)(), 5);
  row('seed catalogue (41 metrics)', ms(seedTime.nsPerOp), '');
  row('1000-metric catalogue', ms(largeTime.nsPerOp), largeTime.nsPerOp < 2e9 ? 'under 2 s: met' : 'over 2 s: NOT met');
  printTable('Validate and generate (median, in process)', ['catalogue', 'ms', 'goal']);
}

// ---------------------------------------------------------------- the CLI as a user runs it
{
  // `generate` on the seed catalogue in a new process each run, as `npx lazybird-metrics generate`
  // runs it: the compiled CLI (dist/, built by `npm run bench` first) under plain node, and the
  // TypeScript sources through tsx for comparison. A fixed number of runs; median and range.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), 'lb-bench-cli-'));
  try {
    const wallTimes = (argv: readonly string[], runs: number): number[] => {
      const samples: number[] = [];
      for (let run = 0; run < runs; run++) {
        const start = process.hrtime.bigint();
        const child = spawnSync(process.execPath, [...argv, 'generate', '--catalog', 'metrics.yaml', '--out', out], { cwd: root, encoding: 'utf8' });
        samples.push(Number(process.hrtime.bigint() - start));
        if (child.status !== 0) throw new Error(`generate failed (exit ${child.status}): ${child.stderr}`);
      }
      return samples.sort((a, b) => a - b);
    };
    const seconds = (v: number) => (v / 1e9).toFixed(2);
    const describe = (samples: readonly number[]) => [seconds(samples[Math.floor(samples.length / 2)] ?? NaN), `${seconds(samples[0] ?? NaN)}–${seconds(samples.at(-1) ?? NaN)}`, String(samples.length)];
    const compiled = wallTimes([join(root, 'dist/generator/cli.js')], 11);
    const median = compiled[Math.floor(compiled.length / 2)] ?? NaN;
    row('node dist/generator/cli.js generate (compiled: the package bin)', ...describe(compiled), median < 0.5e9 ? 'under 0.5 s: met' : 'over 0.5 s: NOT met');
    row('tsx generator/cli.ts generate (sources, for comparison)', ...describe(wallTimes(['--import', 'tsx', join(root, 'generator/cli.ts')], 5)), '');
    printTable('CLI wall time, seed catalogue, one process per run', ['command', 'median s', 'range s', 'runs', 'goal']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- recording
const metrics = createMetrics({ defaultMetrics: false });
const recorder = createRecorder(metrics);
const registry = new client.Registry();
const prom = promClientTwin(METRIC_SPECS, registry);

const agents = ['claude', 'gemini', 'copilot', 'codex', 'local'] as const;
const operations = ['generate', 'refine', 'review', 'fix'] as const;
const callLabels = agents.flatMap((agent) => operations.map((operation) => ({ agent, operation })));
const agentLabels = agents.map((agent) => ({ agent }));
const N = 2_000_000;

function compare(name: string, ours: (n: number) => void, theirs: (n: number) => void, goal: number, iterations = N): void {
  const a = time(ours, iterations);
  const b = time(theirs, Math.max(50_000, Math.floor(iterations / 10)));
  const ratio = b.nsPerOp / a.nsPerOp;
  row(name, ns(a.nsPerOp), ns(b.nsPerOp), `${ratio.toFixed(1)}×`, `≥ ${goal}×: ${ratio >= goal ? 'met' : 'NOT met'}`);
}

const promCalls = prom.get('lazybird_agent_calls_total') as client.Counter;
compare(
  'labeled counter inc',
  (n) => {
    for (let i = 0; i < n; i++) metrics.agentCallsTotal.inc(callLabels[i % 20]!);
  },
  (n) => {
    for (let i = 0; i < n; i++) promCalls.inc(callLabels[i % 20]!);
  },
  20,
);
const promLatency = prom.get('lazybird_agent_latency_seconds') as client.Histogram;
compare(
  'labeled histogram observe',
  (n) => {
    for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe(agentLabels[i % 5]!, (i % 97) * 0.3);
  },
  (n) => {
    for (let i = 0; i < n; i++) promLatency.observe(agentLabels[i % 5]!, (i % 97) * 0.3);
  },
  5,
);
const promCost = prom.get('lazybird_api_cost_usd_total') as client.Counter;
const promTokens = prom.get('lazybird_agent_tokens_total') as client.Counter;
const promCallCost = prom.get('lazybird_agent_call_cost_usd') as client.Histogram;
const events = callLabels.map((l, i) => ({ ...l, latencySeconds: 0.5 + (i % 7), costUsd: 0.001 * (i + 1), tokens: 100 + i }));
compare(
  'event recordAgentCall (5 metrics)',
  (n) => {
    for (let i = 0; i < n; i++) recorder.recordAgentCall(events[i % 20]!);
  },
  (n) => {
    for (let i = 0; i < n; i++) {
      const e = events[i % 20]!;
      promLatency.observe({ agent: e.agent }, e.latencySeconds);
      promCalls.inc({ agent: e.agent, operation: e.operation });
      promCost.inc({ agent: e.agent, operation: e.operation }, e.costUsd);
      promTokens.inc({ agent: e.agent }, e.tokens);
      promCallCost.observe({ agent: e.agent }, e.costUsd);
    }
  },
  5,
  N / 4,
);
printTable('Recording (ns/op, median of 7 rounds)', ['operation', 'ours', 'prom-client', 'speed-up', 'goal']);

// ---------------------------------------------------------------- scrape
touchEverySeries(metrics, METRIC_SPECS, prom);
{
  const ours = await timeAsync(() => metrics.runtime.expose('text'), 50);
  const theirs = await timeAsync(() => registry.metrics(), 50);
  const ratio = theirs.nsPerOp / ours.nsPerOp;
  const series = METRIC_SPECS.reduce((sum, s) => sum + seriesOf(s), 0);
  const us = (v: number) => `${(v / 1e3).toFixed(1)} µs`;
  row(`seed catalogue, ${series} series, all touched`, us(ours.nsPerOp), us(theirs.nsPerOp), `${ratio.toFixed(1)}×`, `≥ 3×: ${ratio >= 3 ? 'met' : 'NOT met'}`);
  printTable('Scrape (text format, median of 50)', ['exposition', 'ours', 'prom-client', 'speed-up', 'goal']);
}

// ---------------------------------------------------------------- allocation and memory
{
  const calls = 5_000_000;
  const counter = await allocation(() => {
    for (let i = 0; i < calls; i++) metrics.agentCallsTotal.inc(callLabels[i % 20]!);
  }, calls);
  const histogram = await allocation(() => {
    for (let i = 0; i < calls; i++) metrics.agentLatencySeconds.observe(agentLabels[i % 5]!, (i % 97) * 0.3);
  }, calls);
  const event = await allocation(() => {
    for (let i = 0; i < calls; i++) recorder.recordAgentCall(events[i % 20]!);
  }, calls);
  const promCounter = await allocation(() => {
    for (let i = 0; i < calls / 10; i++) promCalls.inc(callLabels[i % 20]!);
  }, calls / 10);
  row('labeled counter inc', counter.gcs, counter.heapBytesPerCall.toFixed(3), `prom-client: ${promCounter.gcs} GCs in ${calls / 10} calls`);
  row('labeled histogram observe', histogram.gcs, histogram.heapBytesPerCall.toFixed(3), '');
  row('event recordAgentCall', event.gcs, event.heapBytesPerCall.toFixed(3), '');
  printTable(`Allocation over ${calls} calls (goal: zero)`, ['operation', 'GCs during the loop', 'heap bytes/call', 'reference']);

  const series = METRIC_SPECS.reduce((sum, s) => sum + seriesOf(s), 0);
  const before = heapUsedAfterGc();
  const kept = Array.from({ length: 20 }, () => createMetrics({ defaultMetrics: false }));
  const ours = (heapUsedAfterGc() - before) / kept.length / series;
  const before2 = heapUsedAfterGc();
  const keptProm = Array.from({ length: 20 }, () => {
    const r = new client.Registry();
    const twin = promClientTwin(METRIC_SPECS, r);
    touchEverySeries(undefined, METRIC_SPECS, twin);
    return r;
  });
  const theirs = (heapUsedAfterGc() - before2) / keptProm.length / series;
  row('heap bytes per series (every series present)', ours.toFixed(0), theirs.toFixed(0), `${(theirs / ours).toFixed(1)}×`);
  printTable('Memory (needs node --expose-gc, as npm run bench runs it)', ['measure', 'ours', 'prom-client', 'ratio']);
  void kept;
}

// ---------------------------------------------------------------- scale
{
  const { catalog } = compileCatalog(largeCatalogYaml(1000), 'metrics.yaml');
  if (!catalog) throw new Error('large catalogue invalid');
  const outputs = emitAll(catalog);
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-'));
  try {
    mkdirSync(join(dir, 'generated'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // ESM, as in the project
    // The generated module imports the runtime by package name: this folder's node_modules holds the package.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(fileURLToPath(new URL('..', import.meta.url)), join(dir, 'node_modules', 'lazybird-metrics'), 'dir');
    const file = join(dir, 'generated', 'metrics.ts');
    writeFileSync(file, outputs.get('generated/metrics.ts') ?? '');
    const started = process.hrtime.bigint();
    const config = ts.readConfigFile(fileURLToPath(new URL('../tsconfig.json', import.meta.url)), ts.sys.readFile);
    const options = ts.parseJsonConfigFileContent(config.config, ts.sys, fileURLToPath(new URL('..', import.meta.url))).options;
    const errors = ts.getPreEmitDiagnostics(ts.createProgram([file], options)).length;
    const typecheck = Number(process.hrtime.bigint() - started);
    if (errors > 0) throw new Error(`the generated TypeScript of the 1000-metric catalogue has ${errors} type errors`);
    const large = (await import(pathToFileURL(file).href)) as typeof import('../generated/metrics.js');
    const exporter = large.createMetrics({ defaultMetrics: false });
    const series = large.METRIC_SPECS.reduce((sum, spec) => sum + seriesOf(spec), 0);
    const scrape = await timeAsync(() => exporter.runtime.expose('text'), 20);
    row('type-check generated/metrics.ts', ms(typecheck) + ' ms', `${(outputs.get('generated/metrics.ts')?.length ?? 0) / 1000 | 0} kB, ${errors} errors`);
    row(`scrape its exporter (${series} series)`, ms(scrape.nsPerOp) + ' ms', 'text format, median of 20');
    printTable('Scale: a 1000-metric catalogue', ['measure', 'time', 'note']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- learned label values
{
  // A counter whose `route` label learns up to 50 values at run time (overflow `other`), recorded the
  // way generated code does: the declared value by its switch, any other through the runtime, which
  // learns it on first sight and afterwards finds it with one Map lookup. prom-client with the same
  // label does the same work.
  const spec: MetricSpec = { name: 'bench_requests_total', type: 'counter', help: 'Requests.', unit: '', labels: [{ name: 'route', values: ['other'], overflow: 'other', learned: 50 }] };
  const runtime = new MetricsRuntime([spec], { defaultMetrics: false });
  const counter = runtime.counter(0);
  const series = (route: string): number => (route === 'other' ? 0 : runtime.unknownLabel(0, 0, route));
  const routes = Array.from({ length: 20 }, (_, i) => `/api/v1/resource-${i}/{id}`);
  const routeLabels = routes.map((route) => ({ route }));
  const promRequests = new client.Counter({ name: 'bench_requests_total', help: 'Requests.', labelNames: ['route'], registers: [new client.Registry()] });
  compare(
    'learned-label counter inc (value already learned)',
    (n) => {
      for (let i = 0; i < n; i++) counter.inc(series(routes[i % 20]!));
    },
    (n) => {
      for (let i = 0; i < n; i++) promRequests.inc(routeLabels[i % 20]!);
    },
    5,
  );
  printTable('Learned label values: recording (ns/op, median of 7 rounds)', ['operation', 'ours', 'prom-client', 'speed-up', 'goal']);
  const calls = 5_000_000;
  const learnedAllocation = await allocation(() => {
    for (let i = 0; i < calls; i++) counter.inc(series(routes[i % 20]!));
  }, calls);
  // First sight: fresh runtimes (built before timing) each learn 50 new values, so every call learns.
  const firstSightRounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const fresh = Array.from({ length: 200 }, (_, r) => ({
      runtime: new MetricsRuntime([spec], { defaultMetrics: false }),
      values: Array.from({ length: 50 }, (_, i) => `/fresh/${round}/${r}/${i}`),
    }));
    const start = process.hrtime.bigint();
    for (const { runtime: r, values } of fresh) {
      for (const value of values) r.counter(0).inc(r.unknownLabel(0, 0, value));
    }
    firstSightRounds.push(Number(process.hrtime.bigint() - start) / (200 * 50));
  }
  const firstSight = firstSightRounds.sort((x, y) => x - y)[2]!;
  row('learned-label counter inc (value already learned)', `${learnedAllocation.gcs} GCs, ${learnedAllocation.heapBytesPerCall.toFixed(3)} heap bytes/call over ${calls} calls`);
  row('first sight of a value (learns it), median of 5 rounds of 10000', `${ns(firstSight)} ns/value`);
  printTable('Learned label values: allocation and first sight', ['operation', 'measure']);
}

// ---------------------------------------------------------------- helpers
function seriesOf(spec: MetricSpec): number {
  const combinations = spec.labels.reduce((p, l) => p * l.values.length, 1);
  return spec.type === 'histogram' ? combinations * ((spec.buckets?.length ?? 0) + 3) : combinations;
}

/** prom-client metrics with the same names, labels and buckets as the catalogue's. */
function promClientTwin(specs: readonly MetricSpec[], register: client.Registry): Map<string, client.Metric> {
  const twin = new Map<string, client.Metric>();
  for (const spec of specs) {
    const common = { name: spec.name, help: spec.help, labelNames: spec.labels.map((l) => l.name), registers: [register] };
    const metric =
      spec.type === 'counter'
        ? new client.Counter(common)
        : spec.type === 'gauge'
          ? new client.Gauge(common)
          : new client.Histogram({ ...common, buckets: [...(spec.buckets ?? [])] });
    twin.set(spec.name, metric);
  }
  return twin;
}

function combinations(spec: MetricSpec): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const label of spec.labels) out = out.flatMap((base) => label.values.map((value) => ({ ...base, [label.name]: value })));
  return out;
}

/** Record once into every series of both sides, so both expose the same series. */
function touchEverySeries(ours: ReturnType<typeof createMetrics> | undefined, specs: readonly MetricSpec[], theirs: Map<string, client.Metric>): void {
  specs.forEach((spec, id) => {
    for (const labels of combinations(spec)) {
      const metric = theirs.get(spec.name);
      if (spec.type === 'counter') (metric as client.Counter).inc(labels, 1);
      else if (spec.type === 'gauge') (metric as client.Gauge).set(labels, 1);
      else (metric as client.Histogram).observe(labels, 1);
      if (!ours) continue;
      const index = combinationIndex(spec, labels);
      if (spec.type === 'counter') ours.runtime.counter(id).inc(index, 1);
      else if (spec.type === 'gauge') ours.runtime.gauge(id).set(index, 1);
      else ours.runtime.histogram(id).observe(index, 1);
    }
  });
}

function combinationIndex(spec: MetricSpec, labels: Record<string, string>): number {
  return spec.labels.reduce((index, label) => index * label.values.length + label.values.indexOf(labels[label.name] ?? ''), 0);
}
