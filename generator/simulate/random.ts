/**
 * A seedable random source for the demo and the simulator, so a run can be repeated (`--seed`) and the
 * end-to-end test sees the same workload every time.
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Normal with the given mean and standard deviation. */
  normal(mean: number, sd: number): number;
  /** Log-normal whose median is `median`; `spread` is the standard deviation of its logarithm. */
  logNormal(median: number, spread: number): number;
  /** Poisson-distributed count with mean `lambda` (small lambdas only: Knuth's method). */
  poisson(lambda: number): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** One item, each with the probability of its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** One item of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: a small, well-mixed 32-bit generator in [0, 1); the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tiny, fast and good enough for a simulation; `seed` is any 32-bit integer. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const normal = (mean: number, sd: number): number => {
    // Box-Muller; 1 - next() is in (0, 1], so the logarithm is finite.
    const u = 1 - next();
    const v = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    logNormal: (median, spread) => median * Math.exp(normal(0, spread)),
    poisson(lambda) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    weighted(items) {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let r = next() * total;
      for (const [item, weight] of items) {
        r -= weight;
        if (r < 0) return item;
      }
      const last = items.at(-1);
      if (last === undefined) throw new Error('weighted() needs at least one item');
      return last[0];
    },
    pick(items) {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick() needs at least one item');
      return item;
    },
  };
}

/**
 * Rare events at a steady pace: `take(p)` is true on average once every 1/p calls, evenly spaced
 * rather than clustered. Alerts on ratios and rates over short windows then see the configured
 * ratio from the first scrape on, instead of small-sample bursts that a real workload only shows
 * over windows far longer than a test can wait.
 */
export class Pacer {
  private credit: number;

  constructor(start = 0) {
    this.credit = start;
  }

  take(probability: number): boolean {
    this.credit += probability;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
