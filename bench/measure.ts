import { PerformanceObserver } from 'node:perf_hooks';

export interface Timing {
  /** Median nanoseconds per operation over the rounds. */
  readonly nsPerOp: number;
}

/**
 * Median ns/op of `run(iterations)` over `rounds`, after a warm-up round so both sides are
 * measured optimised. `run` does the loop itself, so the harness adds no call per operation.
 */
export function time(run: (iterations: number) => void, iterations: number, rounds = 7): Timing {
  run(Math.min(iterations, 200_000));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    run(iterations);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((a, b) => a - b);
  return { nsPerOp: samples[Math.floor(samples.length / 2)] ?? NaN };
}

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

/**
 * Garbage collections (of any kind) during `run`. A loop of millions of calls that allocates even a
 * few bytes each fills the young generation many times over, so zero collections means no
 * allocation per call. Also the heap growth per call, as a second witness.
 */
export async function allocation(run: () => void, calls: number): Promise<{ gcs: number; heapBytesPerCall: number }> {
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  run(); // warm up: compile and optimise before counting
  await new Promise((resolve) => setTimeout(resolve, 10));
  observer.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  run();
  const after = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 10)); // gc entries are delivered asynchronously
  observer.disconnect();
  return { gcs, heapBytesPerCall: Math.max(0, after - before) / calls };
}

export function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}
