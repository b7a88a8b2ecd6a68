/** The few Prometheus HTTP API calls the end-to-end test makes. */
import type { DashboardQueries } from './dashboards.js';
import { sleep } from './demo.js';

export interface Series {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface QueryResult {
  readonly status: string;
  readonly resultType: string | undefined;
  readonly series: readonly Series[];
  readonly error: string | undefined;
  readonly warnings: readonly string[];
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing' | string;
  readonly activeAt: string;
  readonly value: string;
}

export interface RuleJson {
  readonly type: 'recording' | 'alerting';
  readonly name: string;
  readonly query: string;
  readonly health: string;
  readonly lastError?: string;
  readonly duration?: number;
}

export interface RuleGroupJson {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly RuleJson[];
}

export interface TargetJson {
  readonly labels: Readonly<Record<string, string>>;
  readonly health: string;
  readonly lastError: string;
}

async function get<T>(base: string, path: string, params: Record<string, string> = {}): Promise<{ status: string; data: T; error?: string; warnings?: string[] }> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as { status: string; data: T; error?: string; warnings?: string[] };
}

/** An instant query; a failed query (bad PromQL) is a result with status "error", not an exception. */
export async function query(base: string, promql: string): Promise<QueryResult> {
  const body = await get<{ resultType?: string; result?: unknown }>(base, '/api/v1/query', { query: promql });
  const result = body.data?.result;
  const series = Array.isArray(result) ? (result as Series[]) : [];
  return { status: body.status, resultType: body.data?.resultType, series, error: body.error, warnings: body.warnings ?? [] };
}

export async function alerts(base: string): Promise<ActiveAlert[]> {
  const body = await get<{ alerts: ActiveAlert[] }>(base, '/api/v1/alerts');
  return body.data.alerts;
}

export async function ruleGroups(base: string): Promise<RuleGroupJson[]> {
  const body = await get<{ groups: RuleGroupJson[] }>(base, '/api/v1/rules');
  return body.data.groups;
}

export async function activeTargets(base: string): Promise<TargetJson[]> {
  const body = await get<{ activeTargets: TargetJson[] }>(base, '/api/v1/targets', { state: 'active' });
  return body.data.activeTargets;
}

/** Values of `label` over the series matching `selector` (what Grafana's label_values() lists). */
export async function labelValues(base: string, label: string, selector: string): Promise<string[]> {
  const body = await get<string[]>(base, `/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': selector });
  return body.data;
}

/**
 * A histogram with both shapes has a second heatmap query, its classic one, written
 * `classic unless on() native`: empty by design while the server stores the native shape. It is
 * answered when that native side (the right of `unless on()`) has data.
 */
async function yieldsToOtherShape(base: string, promql: string): Promise<boolean> {
  const fallback = /^[^]+ unless on\(\) ([^]+)$/.exec(promql);
  return fallback?.[1] !== undefined && (await query(base, fallback[1])).series.length > 0;
}

/**
 * Every dashboard target and variable of `dashboards` asked of the Prometheus-compatible API at
 * `base`; one line per target without data or variable without values, '' when all answer. Rates
 * need a few scrapes and ratio panels read recording rules, so targets are retried for up to
 * `rounds` rounds a second apart (a count, not a deadline: it ends as soon as every one answers).
 */
export async function dashboardsWithoutData(base: string, dashboards: DashboardQueries, rounds = 90): Promise<string> {
  const pending = new Map(dashboards.targets.map((t) => [t.where, t]));
  const problems = new Map<string, string>();
  for (let round = 0; round < rounds && pending.size > 0; round++) {
    if (round > 0) await sleep(1_000);
    for (const target of [...pending.values()]) {
      const result = await query(base, target.promql);
      if (result.status !== 'success') problems.set(target.where, `${result.status}: ${result.error ?? ''}\n    ${target.promql}`);
      else if (result.series.length === 0 && !(await yieldsToOtherShape(base, target.promql))) problems.set(target.where, `no series\n    ${target.promql}`);
      else {
        problems.delete(target.where);
        pending.delete(target.where);
      }
    }
  }
  for (const variable of dashboards.variables) {
    const values = await labelValues(base, variable.label, variable.selector);
    if (values.length === 0) problems.set(variable.where, `no values of label_values(${variable.selector}, ${variable.label})`);
  }
  return [...problems].map(([where, why]) => `${where}: ${why}`).join('\n');
}

export interface ExemplarJson {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

export interface SeriesExemplarsJson {
  readonly seriesLabels: Readonly<Record<string, string>>;
  readonly exemplars: readonly ExemplarJson[];
}

/** `/api/v1/query_exemplars` between `start` and `end` (seconds); Prometheus's error message thrown as it is. */
export async function queryExemplars(base: string, promql: string, start: number, end: number): Promise<SeriesExemplarsJson[]> {
  const body = await get<SeriesExemplarsJson[]>(base, '/api/v1/query_exemplars', { query: promql, start: String(start), end: String(end) });
  if (body.status !== 'success') throw new Error(`query_exemplars ${promql}: ${body.status} ${body.error ?? ''}`);
  return body.data;
}
