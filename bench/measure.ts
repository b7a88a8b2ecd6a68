import { PerformanceObserver } from 'node:perf_hooks';

export interface Timing {
  /** Median nanoseconds per operation over the rounds. */
  readonly nsPerOp: number;
}

/** Median wall nanoseconds of `run()` over `rounds`, after 5 warm-up runs. */
export async function timeAsync(run: () => Promise<unknown>, rounds = 30): Promise<Timing> {
  for (let i = 0; i < 5; i++) await run();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start));
  }
  samples.sort((a, b) => a - b);
  return { nsPerOp: samples[Math.floor(samples.length / 2)] ?? NaN };
}

/** Garbage collections (of any kind) while `run` runs. */
async function collectionsDuring(run: () => void): Promise<number> {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  run();
  await new Promise((resolve) => setTimeout(resolve, 10)); // gc entries are delivered asynchronously
  observer.disconnect();
  return gcs;
}

/**
 * Allocation per call of `run(calls)`, two witnesses. Garbage collections over `calls` calls: a loop
 * of millions of calls that allocates even a few bytes each fills the young generation many times
 * over, so zero collections means no allocation per call. And heap bytes per call over short runs
 * (`probeCalls`, small enough to fit in the young generation; over a long run collections would hide
 * what was allocated), the median of those no collection interrupted; NaN if every one was. The two
 * can disagree when V8 compiles the long loop (on-stack replacement) differently from `run` itself:
 * whether an inline event literal is allocated depends on what the optimiser inlined.
 */
export async function allocation(run: (calls: number) => void, calls: number, probeCalls = 4096): Promise<{ gcs: number; heapBytesPerCall: number }> {
  run(calls); // warm up: compile and optimise before counting
  await new Promise((resolve) => setTimeout(resolve, 10));
  const gcs = await collectionsDuring(() => run(calls));
  // Short runs enter `run` afresh: call it often enough that `run` itself is optimised, not only its
  // long loop (on-stack replacement). No forced collection before a probe (it can make V8 drop
  // optimised code); instead a probe that a collection interrupted is discarded and tried again.
  for (let i = 0; i < 300; i++) run(probeCalls);
  const collections: { startTime: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const probes: { from: number; to: number; bytes: number }[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const from = performance.now();
    const before = process.memoryUsage().heapUsed;
    run(probeCalls);
    const middle = process.memoryUsage().heapUsed;
    run(0); // what measuring itself allocates
    const after = process.memoryUsage().heapUsed;
    probes.push({ from, to: performance.now(), bytes: middle - before - (after - middle) });
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  observer.disconnect();
  const clean = probes.filter((p) => !collections.some((c) => c.startTime + c.duration >= p.from && c.startTime <= p.to));
  const bytes = clean.length > 0 ? median(clean.map((p) => p.bytes)) : NaN;
  const probeGcs = clean.length > 0 ? 0 : 1;
  return { gcs, heapBytesPerCall: probeGcs === 0 ? Math.max(0, bytes) / probeCalls : NaN };
}

export function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

type CpuUsageReader = () => NodeJS.CpuUsage;
/** This thread's CPU time when Node has it (22.19+, 23.9+), else the whole process's. */
const threadCpuUsage = (process as { threadCpuUsage?: CpuUsageReader }).threadCpuUsage;
export const CPU_CLOCK = threadCpuUsage ? 'process.threadCpuUsage' : 'process.cpuUsage';

/** CPU microseconds (user + system) consumed so far: waiting for a core on a loaded machine does not count. */
export function cpuMicros(): number {
  const usage = threadCpuUsage ? threadCpuUsage.call(process) : process.cpuUsage();
  return usage.user + usage.system;
}

export interface Contender {
  readonly name: string;
  /** Runs `iterations` operations; may be async (a scrape). */
  readonly run: (iterations: number) => void | Promise<void>;
}

export interface RoundSamples {
  /** CPU nanoseconds per operation, one per round, in round order (paired across contenders). */
  readonly nsPerOp: readonly number[];
  readonly iterations: number;
}

/**
 * Every contender measured in the same rounds, their order rotated each round, so a burst of load
 * from elsewhere on the machine falls on all of them alike and ratios can be taken round by round.
 * Each contender runs enough operations for about `targetMs` of CPU per round, found after warm-up
 * (so each is measured optimised).
 */
export async function interleavedCpu(contenders: readonly Contender[], rounds: number, targetMs: number): Promise<Map<string, RoundSamples>> {
  const iterations = new Map<string, number>();
  for (const contender of contenders) {
    let n = 1000;
    for (;;) {
      const start = cpuMicros();
      await contender.run(n);
      const used = cpuMicros() - start;
      if (used >= 10_000 || n >= 1 << 26) {
        iterations.set(contender.name, Math.max(1, Math.round((n * targetMs * 1000) / Math.max(used, 1))));
        break;
      }
      n *= 4;
    }
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      const n = iterations.get(contender.name)!;
      const start = cpuMicros();
      await contender.run(n);
      samples.get(contender.name)!.push(((cpuMicros() - start) * 1000) / n);
    }
  }
  return new Map(contenders.map((c) => [c.name, { nsPerOp: samples.get(c.name)!, iterations: iterations.get(c.name)! }]));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
