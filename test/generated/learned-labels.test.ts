/**
 * Learned label values end to end, on the job-runner test catalogue (test/catalogues/job-runner):
 * the generated module types them as strings and still type-checks, a million random values keep
 * each metric at its declared values + N learned series exactly, strict mode throws, the exposition
 * passes promtool, Python's OpenMetrics parser and the live check, and the live check catches an
 * exporter that shows more learned values than allowed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkExposition } from '../../generator/checks/live/index.js';
import { FaultSet } from '../../generator/simulate/faults.js';
import { SIMULATION_FAULTS, Simulator } from '../../generator/simulate/simulator.js';
import type { SimulationFault } from '../../generator/simulate/simulator.js';
import { createCatalogueRuntime } from '../../generator/simulate/specs.js';
import type { MetricSpec } from '../../runtime/index.js';
import { EXEMPLARS_RUNTIME_API, LEARNED_LABELS_RUNTIME_API, MetricsInputError, labelPositions } from '../../runtime/index.js';
import { ModuleDir, ROOT, generate, output, typeCheck } from '../hostile/helpers/outputs.js';
import type { GeneratedModule } from '../hostile/helpers/outputs.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { parseWithPython } from '../helpers/openmetrics-python.js';
import { parseExposition, samplesOf } from '../runtime/helpers/parse.js';
import { mulberry32 } from '../../generator/simulate/random.js';

const CATALOGUE = readFileSync(join(ROOT, 'test', 'catalogues', 'job-runner', 'metrics.yaml'), 'utf8');
const generation = generate(CATALOGUE, 'test/catalogues/job-runner/metrics.yaml');
const SOURCE = output(generation.outputs, 'generated/metrics.ts');
const modules = new ModuleDir(import.meta.dirname);
afterAll(() => modules.cleanup());

type Face = Record<string, (...args: unknown[]) => unknown>;
const face = (metrics: unknown, property: string): Face => (metrics as Record<string, Face>)[property]!;

/** A small deterministic generator, so a failure replays. */
const random = mulberry32;

describe('the job-runner catalogue (labels that learn their values)', () => {
  it('generates without errors; the label without an overflow value is a warning', () => {
    expect(generation.thrown).toBeUndefined();
    expect(generation.diagnostics.map((d) => `${d.severity} ${d.rule} ${d.line}`)).toEqual(['warning label-learned-no-overflow 21']);
  });

  it('budgets each learned label at its max: the reference and the model agree with the arithmetic', () => {
    const series = new Map(generation.catalog!.metrics.map((m) => [m.key, m.series]));
    expect(series.get('jobs_processed_total')).toBe((1 + 20) * 2); // queue: other + 20 learned; outcome: 2
    expect(series.get('job_duration_seconds')).toBe((1 + 20) * (4 + 3));
    expect(series.get('jobs_enqueued_total')).toBe(3 + 1 + 2); // priority: 3 declared, custom, 2 learned
    expect(series.get('tenant_backlog_jobs')).toBe(8);
    const reference = output(generation.outputs, 'generated/METRICS.md');
    expect(reference).toContain('up to 20 learned at run time');
    expect(reference).toContain('| <code>runner_jobs_processed_total</code> | 42 | 200 |');
  });

  it('dashboards read learned values with label_values and say the label learns them', () => {
    const dashboard = JSON.parse(output(generation.outputs, 'dashboards/runner-jobs.json')) as { templating: { list: { name: string; description?: string; query?: unknown }[] } };
    const queue = dashboard.templating.list.find((v) => v.name === 'queue');
    expect(queue?.query).toBe('label_values(runner_jobs_processed_total{job=~"$job", instance=~"$instance"}, queue)');
    expect(queue?.description).toBe('Queue the job was taken from, as the application names it at run time. Learned at run time: up to 20 values per metric, then other.');
  });

  it('types a learned label as string and type-checks, while a declared-only label stays a union', () => {
    expect(SOURCE).toContain('export type Queue = string;');
    expect(SOURCE).toContain('export type Outcome = "succeeded" | "failed";');
    // Learned labels need API 2; its counters' exemplar methods need 3.
    expect(SOURCE).toContain(`export const RUNTIME_API = ${Math.max(LEARNED_LABELS_RUNTIME_API, EXEMPLARS_RUNTIME_API)};`);
    const usage = `${SOURCE}
export function use(m: Metrics): void {
  m.jobsProcessedTotal.inc({ queue: 'emails-' + String(Date.now()), outcome: 'failed' });
  // @ts-expect-error outcome declares its values
  m.jobsProcessedTotal.inc({ queue: 'emails', outcome: 'maybe' });
}
`;
    const check = typeCheck([usage]);
    expect(check.diagnostics[0]).toEqual([]);
  });

  it('a million random values: every metric keeps exactly its declared values + N learned series', async () => {
    const module: GeneratedModule = await modules.import(SOURCE);
    const metrics = module.createMetrics({ defaultMetrics: false });
    const next = random(20261130);
    const junk: unknown[] = ['', 'a\nb', 'x'.repeat(129), 7, null, undefined, {}, Symbol('s'), 10n, '\u0000'];
    const value = (): unknown => (next() < 0.05 ? junk[Math.floor(next() * junk.length)] : `v${Math.floor(next() * 1e6)}`);
    const jobs = face(metrics, 'jobsProcessedTotal');
    const duration = face(metrics, 'jobDurationSeconds');
    const enqueued = face(metrics, 'jobsEnqueuedTotal');
    const backlog = face(metrics, 'tenantBacklogJobs');
    for (let i = 0; i < 250_000; i++) {
      jobs['inc']!({ queue: value(), outcome: next() < 0.5 ? 'succeeded' : 'failed' });
      duration['observe']!({ queue: value() }, next() * 100);
      enqueued['inc']!({ priority: next() < 0.5 ? 'high' : value() });
      backlog['set']!({ tenant: value() }, 1);
    }
    const parsed = parseExposition(await metrics.runtime.expose('text'), 'text');
    const distinct = (name: string, label: string): Set<string> => new Set(samplesOf(parsed, name).map((s) => s.labels[label]!));
    expect(distinct('runner_jobs_processed_total', 'queue').size).toBe(21);
    expect(distinct('runner_jobs_processed_total', 'queue')).toContain('other');
    expect(samplesOf(parsed, 'runner_jobs_processed_total')).toHaveLength(42);
    expect(samplesOf(parsed, 'runner_job_duration_seconds_bucket')).toHaveLength(21 * 5);
    expect([...distinct('runner_jobs_enqueued_total', 'priority')].slice(0, 4)).toEqual(['high', 'normal', 'low', 'custom']);
    expect(samplesOf(parsed, 'runner_jobs_enqueued_total')).toHaveLength(6);
    expect(samplesOf(parsed, 'runner_tenant_backlog_jobs')).toHaveLength(8);
    // Past the limit the queue overflow took the rest: the counts all add up.
    const processed = samplesOf(parsed, 'runner_jobs_processed_total').reduce((sum, s) => sum + s.value, 0);
    const dropped = (metric: string, reason: string) => samplesOf(parsed, 'runner_metrics_dropped_total', { metric, reason })[0]?.value ?? NaN;
    expect(processed + dropped('runner_jobs_processed_total', 'unknown_label_value')).toBe(250_000);
    expect(dropped('runner_jobs_processed_total', 'unknown_label_value')).toBeGreaterThan(0);
    // The tenant gauge has no overflow value: values past 8 were dropped and counted.
    expect(dropped('runner_tenant_backlog_jobs', 'unknown_label_value')).toBeGreaterThan(200_000);
    for (const spec of module.METRIC_SPECS as readonly MetricSpec[]) {
      expect(spec.labels.reduce((n, l) => n * labelPositions(l), 1)).toBe(generation.catalog!.metrics.find((m) => m.name === spec.name)!.series / (spec.type === 'histogram' ? spec.buckets!.length + 3 : 1));
    }
  }, 60_000);

  it('strict mode throws for a refused value and for a value past the limit', async () => {
    const module = await modules.import(SOURCE);
    const metrics = module.createMetrics({ defaultMetrics: false, strict: true });
    const backlog = face(metrics, 'tenantBacklogJobs');
    expect(() => backlog['set']!({ tenant: 'a\u0007' }, 1)).toThrow(MetricsInputError);
    for (let i = 0; i < 8; i++) backlog['set']!({ tenant: `t${i}` }, i);
    expect(() => backlog['set']!({ tenant: 't8' }, 1)).toThrow(/all 8 learned values of label tenant are taken/);
    backlog['set']!({ tenant: 't3' }, 30);
    expect(await metrics.runtime.expose('text')).toContain('runner_tenant_backlog_jobs{tenant="t3"} 30\n');
  });

  it('the recorder learns from events; the exposition passes promtool, the Python parser and the live check', async () => {
    const module = await modules.import(SOURCE);
    const metrics = module.createMetrics({ defaultMetrics: false });
    const recorder = module.createRecorder(metrics);
    const queues = ['emails', 'reports/daily', 'ünïcode "quoted"', 'back\\slash'];
    for (let i = 0; i < 40; i++) recorder['recordJobFinished']!({ queue: queues[i % queues.length], outcome: i % 5 === 0 ? 'failed' : 'succeeded', durationSeconds: i / 4 });
    face(metrics, 'tenantBacklogJobs')['set']!({ tenant: 'acme' }, 12);
    face(metrics, 'jobsEnqueuedTotal')['inc']!({ priority: 'urgent' }, 3);
    const text = await metrics.runtime.expose('text');
    const promtool = promtoolCheckMetrics(text);
    expect(promtool.output).toBe('');
    expect(promtool.status).toBe(0);
    const openmetrics = await metrics.runtime.expose('openmetrics');
    const python = parseWithPython(openmetrics);
    expect(python.error).toBeUndefined();
    const failed = python.samples!.filter(([name, labels]) => name === 'runner_jobs_processed_total' && labels.outcome === 'failed');
    expect(Object.fromEntries(failed.map(([, labels, value]) => [labels.queue, value]))).toEqual({ other: 0, emails: 2, 'reports/daily': 2, 'ünïcode "quoted"': 2, 'back\\slash': 2 });
    expect(checkExposition(generation.catalog!, text).findings).toEqual([]);
  });

  it('the live check accepts any valid value of a learned label, at most N of them, and names the excess', () => {
    const lines = (values: readonly string[]): string =>
      '# HELP runner_tenant_backlog_jobs Jobs waiting, per tenant.\n# TYPE runner_tenant_backlog_jobs gauge\n' +
      values.map((v) => `runner_tenant_backlog_jobs{tenant="${v}"} 1\n`).join('');
    const rules = (text: string) => checkExposition(generation.catalog!, text, { ignorePrefixes: ['runner_jobs', 'runner_job_', 'runner_metrics'] }).findings.filter((f) => f.metric === 'runner_tenant_backlog_jobs');
    expect(rules(lines(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']))).toEqual([]);
    const over = rules(lines(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']));
    expect(over.map((f) => f.rule)).toEqual(['live-label-learned']);
    expect(over[0]!.message).toContain('label tenant shows 9 learned values, over its maximum of 8');
    const bad = rules(lines(['a', 'x'.repeat(129)]));
    expect(bad.map((f) => f.rule)).toEqual(['live-label-value']);
    expect(bad[0]!.message).toContain('up to 8 learned values');
  });

  it('simulate fills every learned slot with made-up values, and its exposition passes the live check and promtool', async () => {
    const target = createCatalogueRuntime(generation.catalog!, { defaultMetrics: false });
    const simulator = new Simulator(generation.catalog!, target, { seed: 7, faults: new FaultSet<SimulationFault>(SIMULATION_FAULTS, []) });
    for (let i = 0; i < 50; i++) simulator.advance(0.1);
    expect(simulator.eventsRecorded).toBeGreaterThan(0);
    const text = await target.runtime.expose('text');
    const parsed = parseExposition(text, 'text');
    const queues = new Set(samplesOf(parsed, 'runner_jobs_processed_total').map((s) => s.labels.queue));
    expect(queues.size).toBe(21);
    expect(queues).toContain('queue-20');
    expect(samplesOf(parsed, 'runner_jobs_enqueued_total').map((s) => s.labels.priority)).toEqual(['high', 'normal', 'low', 'custom', 'priority-1', 'priority-2']);
    expect(samplesOf(parsed, 'runner_tenant_backlog_jobs')).toHaveLength(8);
    // Events recorded through the made-up values land in the learned series.
    const learnedCount = samplesOf(parsed, 'runner_job_duration_seconds_count').filter((s) => s.labels.queue !== 'other').reduce((sum, s) => sum + s.value, 0);
    expect(learnedCount).toBeGreaterThan(0);
    expect(checkExposition(generation.catalog!, text).findings).toEqual([]);
    expect(promtoolCheckMetrics(text).status).toBe(0);
    target.runtime.close();
  });
});
