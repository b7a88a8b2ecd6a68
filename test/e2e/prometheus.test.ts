/**
 * End to end against a real Prometheus: the demo workload (five demo processes, as users run it),
 * scraped and evaluated every second by Prometheus on loopback, storage in a temporary folder.
 *
 * - every target of every generated dashboard, variables substituted, returns data;
 * - every recording rule has samples;
 * - without a fault no alert fires; each fault fires its alert on the demo it was injected into,
 *   and only there; stopping the demos fires the absence alert.
 *
 * The alerts wait hours and compare with yesterday (offset 1d, baseline 1d, 30-day SLOs, `for` of
 * minutes), which no test can wait for. So this Prometheus loads the rules of a TEST CATALOGUE:
 * metrics.yaml with its alert durations shortened to seconds by generator/simulate/short-windows.ts
 * (SHORT_WINDOWS: windows 10s, absence window 5s, offset 30s, baselines 2m, `for` 3s, SLO period
 * 12h, scrape_interval 1s), compiled with compileCatalog and emitAll like `npm run generate`. The
 * metric names, labels, thresholds and expressions are the catalogue's, so the demo's series feed
 * them unchanged. The dashboards are the committed ones in dashboards/; the ratio recording rules
 * they read have the same names in both rule files.
 *
 * Each demo is its own scrape job (`demo-clean`, `demo-degradation`, ...), so the alerts, which
 * aggregate by job, tell the faulted demo from the others. The whole file stays well under three
 * minutes: about a minute of warm-up (the degradation alert compares with 30 s ago, the anomaly
 * alert with the last 2 minutes), then the faults, then the absence.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../demo/faults.js';
import type { FaultName } from '../../demo/faults.js';
import { freePort, prometheusConfig, startPrometheus } from '../../generator/simulate/prometheus.js';
import type { RunningPrometheus } from '../../generator/simulate/prometheus.js';
import { shortRules } from '../../generator/simulate/short-windows.js';
import type { ShortRules } from '../../generator/simulate/short-windows.js';
import { loadDashboardQueries } from './helpers/dashboards.js';
import { eventually, ROOT, sleep, startDemo } from './helpers/demo.js';
import type { DemoProcess } from './helpers/demo.js';
import { activeTargets, alerts, dashboardsWithoutData, query, ruleGroups } from './helpers/prometheus-api.js';
import type { ActiveAlert } from './helpers/prometheus-api.js';

/** Faults injected, each into its own demo; `clean` never gets one. */
const FAULTED: readonly FaultName[] = ['degradation', 'spike', 'errors', 'silence'];
const DEMOS = ['clean', ...FAULTED] as const;
type DemoName = (typeof DEMOS)[number];
const jobOf = (demo: DemoName): string => `demo-${demo}`;

/** Labels an alert must carry besides alertname and job. */
const EXPECTED_LABELS: Readonly<Record<FaultName, Readonly<Record<string, string>>>> = {
  degradation: {},
  spike: {},
  errors: { service: 'anthropic' }, // the demo's default --failing-service
  silence: {},
};

/**
 * Clean traffic before the faults: the degradation alert compares a 10 s window with the same
 * window 30 s earlier, and the anomaly alert a 10 s mean with its spread over up to 2 minutes;
 * both need that history to be there.
 */
const WARM_UP_MS = 55_000;
const FAULT_DEADLINE_MS = 60_000;
const ABSENCE_DEADLINE_MS = 45_000;

interface Seen {
  readonly at: number;
  readonly alert: ActiveAlert;
}

let scratch: string;
let rules: ShortRules;
let prometheus: RunningPrometheus | undefined;
const demos = new Map<DemoName, DemoProcess>();
const seen: Seen[] = [];
let polling = false;
/** Rounds the alert poller has completed: it records alerts only when there are some. */
let pollRounds = 0;
let poller: Promise<void> | undefined;
/** When every demo was scraped and the start-up absence had cleared: the no-fault period starts. */
let cleanSince = 0;
let faultsAt = Number.POSITIVE_INFINITY;

const firing = (since: number, until = Number.POSITIVE_INFINITY): Seen[] =>
  seen.filter((s) => s.alert.state === 'firing' && s.at >= since && s.at <= until);
const describeSeen = (list: readonly Seen[]): string =>
  [...new Set(list.map((s) => `${s.alert.labels['alertname']}{${Object.entries(s.alert.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}="${v}"`).join(', ')}} ${s.alert.state}`))].join('\n');

function diagnostics(): string {
  const log = prometheus ? safeRead(prometheus.logFile).split('\n').slice(-30).join('\n') : '';
  const outputs = [...demos].map(([name, demo]) => `--- demo ${name}\n${demo.output().split('\n').slice(-15).join('\n')}`).join('\n');
  return `\n--- prometheus log (tail)\n${log}\n${outputs}`;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'lazybird-e2e-'));
  rules = shortRules(readFileSync(join(ROOT, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  const rulesFile = join(scratch, 'lazybird.short.rules.yaml');
  writeFileSync(rulesFile, rules.rules);

  // Prometheus first, so that each demo is scraped from its first second: the recorded signals
  // then start where the demo's load cycle starts.
  const ports = new Map<DemoName, number>();
  for (const demo of DEMOS) ports.set(demo, await freePort());
  const config = prometheusConfig({
    jobs: DEMOS.map((demo) => ({ job: jobOf(demo), targets: [`127.0.0.1:${ports.get(demo)}`] })),
    ruleFiles: [rulesFile],
    scrapeInterval: '1s',
    evaluationInterval: '1s',
  });
  prometheus = await startPrometheus({ config, host: '127.0.0.1' });

  const starts = await Promise.allSettled(
    DEMOS.map(async (demo, i) => {
      const started = await startDemo(['--host', '127.0.0.1', '--port', String(ports.get(demo)), '--seed', String(1000 + i), '--rate', '2']);
      demos.set(demo, started);
    }),
  );
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;

  const base = prometheus.url;
  await eventually('every demo to be scraped', 30_000, async () => {
    const targets = await activeTargets(base);
    return targets.length === DEMOS.length && targets.every((t) => t.health === 'up') ? true : undefined;
  });
  // Before the demos were up, nothing was scraped and the absence alert was right to go off.
  await eventually('the start-up absence to clear', 30_000, async () => ((await alerts(base)).length === 0 ? true : undefined));
  cleanSince = Date.now();

  polling = true;
  poller = (async () => {
    while (polling) {
      try {
        const at = Date.now();
        for (const alert of await alerts(base)) seen.push({ at, alert });
      } catch {
        // Prometheus busy or stopping: the next round will tell.
      }
      pollRounds++;
      await sleep(500);
    }
  })();
}, 120_000);

afterAll(async () => {
  polling = false;
  await poller;
  await Promise.all([...demos.values()].map((demo) => demo.stop('SIGKILL', 2_000)));
  await prometheus?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 180_000);

describe('the demo against a real Prometheus, with the rules of the test catalogue', () => {
  it('loads every rule of the test catalogue, healthy', async () => {
    const expectedAlerts = rules.catalog.metrics
      .flatMap((m) => m.alerts)
      .flatMap((a) => (a.kind === 'slo' ? [`${a.name}FastBurn`, `${a.name}SlowBurn`] : [a.name]))
      .sort();
    const groups = await ruleGroups(prometheus!.url);
    const loaded = groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name)).sort();
    expect(loaded).toEqual(expectedAlerts);

    // Every rule evaluates without error once it has run.
    const unhealthy = await eventually('every rule to have been evaluated', 20_000, async () => {
      const all = (await ruleGroups(prometheus!.url)).flatMap((g) => g.rules);
      if (all.some((r) => r.health === 'unknown')) return undefined;
      return all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    });
    expect(unhealthy).toEqual([]);
  }, 180_000);

  it('answers every target of every generated dashboard with data', async () => {
    const dashboards = loadDashboardQueries(join(ROOT, 'dashboards'));
    expect(dashboards.files.length).toBeGreaterThan(1);
    expect(dashboards.targets.length).toBeGreaterThan(50);
    expect(dashboards.unknownVariables).toEqual([]);

    const base = prometheus!.url;
    expect(await dashboardsWithoutData(base, dashboards)).toBe('');
  }, 180_000);

  it('has samples for every recording rule', async () => {
    const base = prometheus!.url;
    const records = (await ruleGroups(base)).flatMap((g) => g.rules.filter((r) => r.type === 'recording'));
    expect(records.length).toBeGreaterThan(10);
    let empty = records;
    await eventually('samples of every recording rule', 30_000, async () => {
      const still: typeof records = [];
      for (const record of empty) {
        const result = await query(base, record.name);
        // Only NaN would mean a division by zero: the rule ran but its inputs had no traffic.
        if (!result.series.some((s) => Number.isFinite(Number(s.value[1])))) still.push(record);
      }
      empty = still;
      return still.length === 0 ? true : undefined;
    }).catch(() => undefined);
    expect(empty.map((r) => `${r.name} = ${r.query}`)).toEqual([]);
  }, 180_000);

  it('fires no alert while no fault is injected', async () => {
    const roundsBefore = pollRounds;
    const wait = cleanSince + WARM_UP_MS - Date.now();
    if (wait > 0) await sleep(wait);
    // The poller is still going (it records only rounds with alerts, so `seen` cannot tell).
    await eventually('another round of the alert poller', 15_000, async () => (pollRounds > roundsBefore ? true : undefined));
    expect(describeSeen(firing(cleanSince)), diagnostics()).toBe('');
  }, WARM_UP_MS + 25_000);

  it('fires the alert of each fault on the faulted demo, and nothing else', async () => {
    faultsAt = Date.now();
    for (const fault of FAULTED) {
      const response = await fetch(`${demos.get(fault)!.url}/faults/${fault}`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { active: string[] }).active).toEqual([fault]);
    }

    const fired = (fault: FaultName): Seen | undefined =>
      firing(faultsAt).find(
        (s) =>
          s.alert.labels['alertname'] === FAULTS[fault].alert &&
          s.alert.labels['job'] === jobOf(fault) &&
          Object.entries(EXPECTED_LABELS[fault]).every(([k, v]) => s.alert.labels[k] === v),
      );
    await eventually(`${FAULTED.map((f) => FAULTS[f].alert).join(', ')} to fire`, FAULT_DEADLINE_MS, async () =>
      FAULTED.every((f) => fired(f) !== undefined) ? true : undefined,
    ).catch((error: Error) => {
      const missing = FAULTED.filter((f) => fired(f) === undefined).map((f) => `${FAULTS[f].alert} (fault ${f})`);
      throw new Error(`${error.message}; not fired: ${missing.join(', ')}\nseen:\n${describeSeen(seen.filter((s) => s.at >= faultsAt))}${diagnostics()}`);
    });
    for (const fault of FAULTED) expect(fired(fault)?.alert.labels['severity']).toBeDefined();
    console.info(`fired after injection: ${FAULTED.map((f) => `${FAULTS[f].alert} ${((fired(f)!.at - faultsAt) / 1000).toFixed(1)}s`).join(', ')}`);

    // Each demo fires only the alert of its own fault; the clean one none at all.
    const stray = firing(cleanSince).filter((s) => {
      const job = s.alert.labels['job'];
      const fault = FAULTED.find((f) => jobOf(f) === job);
      return fault === undefined || s.alert.labels['alertname'] !== FAULTS[fault].alert;
    });
    expect(describeSeen(stray), diagnostics()).toBe('');
  }, FAULT_DEADLINE_MS + 15_000);

  it('fires TaskMetricsAbsent once the demos are stopped, each having exited cleanly', async () => {
    const codes = await Promise.all([...demos.values()].map((demo) => demo.stop('SIGTERM', 10_000)));
    expect(codes).toEqual(DEMOS.map(() => 0));
    for (const demo of demos.values()) expect(demo.output()).toMatch(/demo: stopped after \d+ tasks/);
    const stoppedAt = Date.now();
    const absent = await eventually('TaskMetricsAbsent to fire', ABSENCE_DEADLINE_MS, async () =>
      firing(stoppedAt).find((s) => s.alert.labels['alertname'] === 'TaskMetricsAbsent'),
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nseen:\n${describeSeen(seen.filter((s) => s.at >= stoppedAt))}${diagnostics()}`);
    });
    console.info(`TaskMetricsAbsent fired ${((absent.at - stoppedAt) / 1000).toFixed(1)}s after the demos stopped`);
  }, ABSENCE_DEADLINE_MS + 20_000);
});
