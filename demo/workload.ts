/**
 * A simulated LazyBird workload. Tasks arrive at a steady rate; each runs its iterations, checkpoint
 * gates, agent calls, cache lookups, evaluations and external calls, and everything it does is
 * recorded through the generated recorder and metrics only, as an application would.
 *
 * Time is compressed: a task that "took" 45 s is recorded the moment it is simulated, so the demo
 * shows hours of traffic shape in minutes. Values carry noise; rare events (failures, errors, cache
 * misses) are paced evenly rather than drawn at random, so ratios over short windows hold from the
 * first scrape on (see Pacer).
 */
import type { Agent, AgentOperation, CacheLayer, Checkpoint, DbOperation, ErrorType, Metrics, Recorder, Resource, Service } from '../generated/metrics.js';
import type { DemoFaults } from './faults.js';
import { clamp, Pacer } from '../generator/simulate/random.js';
import type { Random } from '../generator/simulate/random.js';

export interface WorkloadOptions {
  /** Tasks completed per second. */
  readonly rate: number;
  /**
   * Period in seconds of the load cycle that task durations follow (±8 s around 45 s), standing in
   * for a daily pattern. An anomaly alert compares durations with their own spread, so a workload
   * with a visible cycle is what keeps pure noise from looking like an anomaly.
   */
  readonly cycleSeconds: number;
  /** The service that fails during the `errors` fault. */
  readonly failingService: Service;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { rate: 2, cycleSeconds: 40, failingService: 'anthropic' };

const AGENTS: readonly (readonly [Agent, number])[] = [
  ['claude', 35],
  ['gemini', 20],
  ['copilot', 20],
  ['codex', 15],
  ['local', 10],
];
const AGENT_NAMES = AGENTS.map(([agent]) => agent);

/** Per agent: median latency of a call (s), price per 1000 tokens (USD), the provider it calls. */
const AGENT_PROFILE: Readonly<Record<Exclude<Agent, 'other'>, { latency: number; price: number; service: Service | undefined }>> = {
  claude: { latency: 6, price: 0.008, service: 'anthropic' },
  gemini: { latency: 4, price: 0.004, service: 'google' },
  copilot: { latency: 3, price: 0.006, service: 'github' },
  codex: { latency: 5, price: 0.007, service: 'openai' },
  local: { latency: 9, price: 0.0004, service: undefined },
};

/** Per service: median request duration (s) and requests made per task. */
const SERVICES: readonly (readonly [Exclude<Service, 'other'>, { latency: number; perTask: number }])[] = [
  ['github', { latency: 0.3, perTask: 12 }],
  ['anthropic', { latency: 2.5, perTask: 10 }],
  ['openai', { latency: 1.5, perTask: 10 }],
  ['google', { latency: 1.2, perTask: 10 }],
  ['sonarqube', { latency: 0.8, perTask: 10 }],
];
const ERROR_TYPES: readonly (readonly [ErrorType, number])[] = [
  ['timeout', 30],
  ['rate_limited', 25],
  ['server_error', 25],
  ['client_error', 10],
  ['network', 7],
  ['auth', 3],
];
/** Share of external calls that fail normally, and during the `errors` fault on the failing service. */
const BASE_ERROR_RATIO = 0.002;
const BURST_ERROR_RATIO = 0.3;

/** Cache layers tried in order; a miss falls through to the next. Hit ratio and median latency (s). */
const CACHE: readonly (readonly [CacheLayer, { hit: number; latency: number }])[] = [
  ['memory', { hit: 0.75, latency: 0.00008 }],
  ['redis', { hit: 0.6, latency: 0.0015 }],
  ['disk', { hit: 0.6, latency: 0.015 }],
];
const CACHE_LOOKUPS_PER_ITERATION = 10;

const DB_QUERIES: readonly (readonly [DbOperation, { perTask: number; latency: number }])[] = [
  ['select', { perTask: 20, latency: 0.003 }],
  ['insert', { perTask: 3, latency: 0.006 }],
  ['update', { perTask: 4, latency: 0.008 }],
  ['delete', { perTask: 1, latency: 0.005 }],
];

const CHECKPOINTS: readonly Checkpoint[] = ['1', '2', '3'];
/** Per task and gate; rare enough to stay far below CheckpointFailureRateHigh at the default rate. */
const CHECKPOINT_FAILURE_RATIO = 0.0005;
/** Share of completed tasks that fail (kept under the 95% success objective's budget). */
const TASK_FAILURE_RATIO = 0.015;
const AGENT_SWITCH_RATIO = 0.05;
const EMBEDDING_HIT_RATIO = 0.7;

const MEAN_TASK_SECONDS = 45;
const CYCLE_AMPLITUDE_SECONDS = 8;
const SPIKE_SECONDS = 40;
const DEGRADATION_FACTOR = 0.8;

/** Never simulate more than this much missed time at once (after a suspended laptop, say). */
const MAX_CATCH_UP_SECONDS = 5;

export class Workload {
  private taskCredit = 0;
  private readonly failurePacer = new Pacer(0.5);
  private readonly switchPacer = new Pacer();
  private readonly embeddingPacer = new Pacer();
  private readonly checkpointPacers = CHECKPOINTS.map(() => new Pacer());
  private readonly cachePacers = CACHE.map(() => new Pacer());
  private readonly errorPacers = new Map<Service, Pacer>(SERVICES.map(([service]) => [service, new Pacer()]));
  private readonly startedAt: number;
  private lastTick: number;
  private cacheBytes = { memory: 48e6, redis: 380e6, disk: 3.2e9 };
  private completed = 0;

  constructor(
    private readonly metrics: Metrics,
    private readonly recorder: Recorder,
    private readonly random: Random,
    private readonly faults: DemoFaults,
    private readonly options: WorkloadOptions,
    now: number,
  ) {
    this.startedAt = now;
    this.lastTick = now;
  }

  /** Tasks completed since start. */
  get tasksCompleted(): number {
    return this.completed;
  }

  /** Advance the simulation to `now` (milliseconds, monotonic). */
  tick(now: number): void {
    const elapsed = Math.min(MAX_CATCH_UP_SECONDS, Math.max(0, (now - this.lastTick) / 1000));
    this.lastTick = now;
    const t = (now - this.startedAt) / 1000;
    this.updateGauges(t, elapsed);
    if (this.faults.has('silence')) return;
    // The arrival rate is steady with a little noise; the pacer turns it into whole tasks.
    this.taskCredit += this.options.rate * elapsed * clamp(this.random.normal(1, 0.05), 0.8, 1.2);
    const tasks = Math.floor(this.taskCredit);
    this.taskCredit -= tasks;
    for (let i = 0; i < tasks; i++) this.runTask(t);
  }

  private runTask(t: number): void {
    const r = this.random;
    const agent = r.weighted(AGENTS);
    const profile = AGENT_PROFILE[agent as Exclude<Agent, 'other'>];

    // Duration follows the load cycle; the spike fault adds far more than its spread.
    const cycle = CYCLE_AMPLITUDE_SECONDS * Math.sin((2 * Math.PI * t) / this.options.cycleSeconds);
    const duration = Math.max(5, MEAN_TASK_SECONDS + cycle + r.normal(0, 3) + (this.faults.has('spike') ? SPIKE_SECONDS : 0));

    let outcome: 'success' | 'failure' = 'success';
    let costUsd = 0;
    const iterations = r.int(3, 7);

    this.guidelines();
    this.embeddings();
    for (let gate = 0; gate < CHECKPOINTS.length; gate++) {
      const checkpoint = CHECKPOINTS[gate]!;
      this.metrics.checkpointDurationSeconds.observe({ checkpoint }, r.logNormal(0.3, 0.5));
      if (this.checkpointPacers[gate]!.take(CHECKPOINT_FAILURE_RATIO)) {
        this.recorder.recordCheckpointFailure({ checkpoint });
        outcome = 'failure';
        break;
      }
    }

    const ran = outcome === 'failure' ? Math.max(1, Math.floor(iterations / 2)) : iterations;
    for (let i = 0; i < ran; i++) {
      this.metrics.iterationDurationSeconds.observe(Math.max(0.5, (duration / iterations) * r.normal(1, 0.1)));
      costUsd += this.agentCall(agent, i === 0 ? 'generate' : 'refine');
      for (let k = 0; k < CACHE_LOOKUPS_PER_ITERATION; k++) this.cacheLookup();
      const defects = this.evaluation();
      if (defects > 2) costUsd += this.agentCall(agent, 'fix');
    }
    costUsd += this.agentCall(r.pick(AGENT_NAMES), 'review');

    if (this.switchPacer.take(AGENT_SWITCH_RATIO)) {
      const to = r.pick(AGENT_NAMES.filter((a) => a !== agent));
      const toProfile = AGENT_PROFILE[to as Exclude<Agent, 'other'>];
      this.recorder.recordAgentSwitch({
        fromAgent: agent,
        toAgent: to,
        qualityImprovement: r.normal(4, 4),
        costRatio: (toProfile.price / profile.price) * clamp(r.normal(1, 0.05), 0.8, 1.2),
      });
      costUsd += this.agentCall(to, 'refine');
    }

    this.externalCalls();
    this.databaseQueries();

    if (outcome === 'success' && this.failurePacer.take(TASK_FAILURE_RATIO)) outcome = 'failure';
    const quality = clamp(r.normal(85, 2), 0, 100) * (this.faults.has('degradation') ? DEGRADATION_FACTOR : 1);
    this.recorder.recordTaskCompletion({
      outcome,
      agent,
      durationSeconds: duration,
      qualityScore: quality,
      costUsd,
      testCoverageRatio: clamp(r.normal(0.82, 0.05), 0, 1),
    });
    this.metrics.costSavingsUsdTotal.inc(costUsd * clamp(r.normal(0.15, 0.03), 0, 1));
    this.completed++;
  }

  /** One agent call; returns its cost. */
  private agentCall(agent: Agent, operation: AgentOperation): number {
    const r = this.random;
    const profile = AGENT_PROFILE[agent as Exclude<Agent, 'other'>];
    const tokens = Math.round(clamp(r.normal(1500, 400), 100, 8000));
    const costUsd = (tokens / 1000) * profile.price;
    this.recorder.recordAgentCall({ agent, operation, latencySeconds: r.logNormal(profile.latency, 0.35), costUsd, tokens });
    return costUsd;
  }

  /** A lookup that tries memory, then redis, then disk, stopping at the first hit. */
  private cacheLookup(): void {
    for (let i = 0; i < CACHE.length; i++) {
      const [cacheLayer, layer] = CACHE[i]!;
      const hit = this.cachePacers[i]!.take(layer.hit);
      this.recorder.recordCacheLookup({ cacheLayer, result: hit ? 'hit' : 'miss', durationSeconds: this.random.logNormal(layer.latency, 0.4) });
      if (hit) return;
    }
  }

  /** A quality evaluation; returns the defects it found. */
  private evaluation(): number {
    const r = this.random;
    const found = {
      vulnerabilitiesCritical: r.poisson(0.02),
      vulnerabilitiesHigh: r.poisson(0.08),
      vulnerabilitiesMedium: r.poisson(0.3),
      vulnerabilitiesLow: r.poisson(0.6),
      typeErrors: r.poisson(0.7),
      testFailures: r.poisson(0.5),
    };
    this.recorder.recordEvaluation({ durationSeconds: Math.max(0.5, r.normal(6, 2)), ...found });
    this.metrics.parallelEvaluationSpeedup.observe(clamp(r.normal(2.2, 0.35), 1, 4));
    return found.typeErrors + found.testFailures;
  }

  private guidelines(): void {
    this.metrics.guidelineMatchScore.observe(clamp(this.random.normal(0.72, 0.1), 0, 1));
  }

  private embeddings(): void {
    for (let i = 0; i < 2; i++) {
      const hit = this.embeddingPacer.take(EMBEDDING_HIT_RATIO);
      this.metrics.embeddingCacheLookupsTotal.inc({ result: hit ? 'hit' : 'miss' });
      if (!hit) this.metrics.embeddingGenerationDurationSeconds.observe(this.random.logNormal(0.12, 0.4));
    }
  }

  private externalCalls(): void {
    const r = this.random;
    const burst = this.faults.has('errors');
    for (const [service, profile] of SERVICES) {
      const ratio = burst && service === this.options.failingService ? BURST_ERROR_RATIO : BASE_ERROR_RATIO;
      const pacer = this.errorPacers.get(service)!;
      const calls = Math.max(1, Math.round(r.normal(profile.perTask, 1.5)));
      for (let i = 0; i < calls; i++) {
        this.metrics.externalApiCallsTotal.inc({ service });
        this.metrics.externalApiRequestDurationSeconds.observe({ service }, r.logNormal(profile.latency, 0.4));
        if (pacer.take(ratio)) this.metrics.externalApiErrorsTotal.inc({ service, error_type: r.weighted(ERROR_TYPES) });
      }
    }
  }

  private databaseQueries(): void {
    for (const [operation, profile] of DB_QUERIES) {
      for (let i = 0; i < profile.perTask; i++) {
        this.metrics.databaseQueriesTotal.inc({ operation });
        this.metrics.databaseQueryDurationSeconds.observe({ operation }, this.random.logNormal(profile.latency, 0.5));
      }
    }
  }

  private updateGauges(t: number, elapsed: number): void {
    const r = this.random;
    const phase = Math.sin((2 * Math.PI * t) / this.options.cycleSeconds);
    const silent = this.faults.has('silence');
    // Little's law: tasks in flight = arrival rate x time in system. A stalled worker keeps them.
    if (!silent) {
      const inFlight = this.options.rate * (MEAN_TASK_SECONDS + CYCLE_AMPLITUDE_SECONDS * phase);
      this.metrics.activeTasks.set(Math.max(0, Math.round(inFlight * r.normal(1, 0.03))));
    }
    this.metrics.taskQueueDepth.set(Math.max(0, Math.round(6 + 3 * phase + r.normal(0, 0.7))));
    const utilization: readonly (readonly [Resource, number])[] = [
      ['cpu', 0.45 + 0.12 * phase],
      ['memory', 0.6 + 0.05 * phase],
      ['network', 0.3 + 0.1 * phase],
    ];
    for (const [resource, base] of utilization) this.metrics.resourceUtilizationRatio.set({ resource }, clamp(base + r.normal(0, 0.02), 0, 0.85));
    this.metrics.memoryUsageBytes.set(process.memoryUsage().rss);
    // Caches grow slowly with traffic and are trimmed back now and then.
    const growth = silent ? 0 : elapsed * this.options.rate;
    this.cacheBytes = {
      memory: this.cacheBytes.memory > 64e6 ? 40e6 : this.cacheBytes.memory + growth * 20e3,
      redis: this.cacheBytes.redis > 512e6 ? 300e6 : this.cacheBytes.redis + growth * 150e3,
      disk: this.cacheBytes.disk > 4.5e9 ? 3e9 : this.cacheBytes.disk + growth * 1.2e6,
    };
    for (const [cacheLayer] of CACHE) this.metrics.cacheSizeBytes.set({ cache_layer: cacheLayer }, Math.round(this.cacheBytes[cacheLayer]));
  }
}
