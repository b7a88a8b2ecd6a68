/**
 * End to end on the engines teams scale out to: VictoriaMetrics 1.79 with vmagent and vmalert, and
 * Alertmanager 0.25 (Debian's `victoria-metrics` and `prometheus-alertmanager`), every listener on
 * loopback, every file in a temporary folder.
 *
 *   demos --scrape 1s--> vmagent --remote write--> VictoriaMetrics <--query-- vmalert --> Alertmanager --> webhook (this test)
 *                                                                  <--recording rules--
 *
 * - vmalert loads every rule of the test catalogue and evaluates each without error, and the
 *   recording rules' results, written back through remote write, are in VictoriaMetrics;
 * - every target of every committed dashboard, variables substituted, returns data through
 *   VictoriaMetrics's Prometheus-compatible `/api/v1/query`;
 * - each injected fault's alert reaches the webhook through Alertmanager, on the faulted demo's job,
 *   with the catalogue's severity, summary and runbook link and a rendered description; stopping
 *   the demos delivers the absence alert; nothing else is ever delivered.
 *
 * As in prometheus.test.ts, vmalert loads the rules of the TEST CATALOGUE (metrics.yaml with its
 * alert durations shortened to seconds by generator/simulate/short-windows.ts): the real
 * expressions, thresholds and labels on a clock a test can wait for. Each demo is its own scrape
 * job (`demo-errors`, ...), so the alerts, which aggregate by job, tell the faulted demo apart.
 *
 * Faults: `errors` and `silence` fire within seconds of injection; `spike` and `degradation`
 * compare with the recent past (a 2-minute baseline, the same window 30 s earlier), so they are
 * injected once their demos have INJECT_LATE_AFTER_MS of clean history.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../demo/faults.js';
import type { FaultName } from '../../demo/faults.js';
import type { AlertModel } from '../../generator/catalog/model.js';
import { freePort } from '../../generator/simulate/prometheus.js';
import { shortRules } from '../../generator/simulate/short-windows.js';
import type { ShortRules } from '../../generator/simulate/short-windows.js';
import { startAlertmanager, startWebhookReceiver } from './helpers/alertmanager.js';
import type { WebhookAlert, WebhookReceiver } from './helpers/alertmanager.js';
import { loadDashboardQueries } from './helpers/dashboards.js';
import { eventually, ROOT, sleep, startDemo } from './helpers/demo.js';
import type { DemoProcess } from './helpers/demo.js';
import { activeTargets, alerts, dashboardsWithoutData, query, ruleGroups } from './helpers/prometheus-api.js';
import type { RuleJson } from './helpers/prometheus-api.js';
import type { Service } from './helpers/service.js';
import { startVictoriaMetrics, startVmagent, startVmalert } from './helpers/victoria.js';

/** Each fault injected into a demo of its own. */
const FAULTED: readonly FaultName[] = ['errors', 'silence', 'spike', 'degradation'];
/** Faults that need clean history before they can be told from normal: injected late. */
const LATE: ReadonlySet<FaultName> = new Set(['spike', 'degradation']);
/** The degradation alert compares a 10 s window with the one 30 s earlier: 40 s of history, plus margin. */
const INJECT_LATE_AFTER_MS = 45_000;
const jobOf = (fault: FaultName): string => `demo-${fault}`;

/** Labels besides alertname, job and severity that each fault's alert must carry. */
const ROUTING_LABELS: Readonly<Record<FaultName, Readonly<Record<string, string>>>> = {
  errors: { service: 'anthropic' }, // the demo's default --failing-service
  silence: {},
  spike: {},
  degradation: {},
};
const ABSENCE_ALERT = 'TaskMetricsAbsent';

const FAULT_DEADLINE_MS = 60_000;
const ABSENCE_DEADLINE_MS = 40_000;

let scratch = '';
let rules: ShortRules;
const services: Service[] = [];
let victoriaMetrics: Service;
let vmalert: Service;
let receiver: WebhookReceiver | undefined;
const demos = new Map<FaultName, DemoProcess>();
/** When every demo had been scraped into VictoriaMetrics. */
let scrapedSince = 0;
let vmalertStartedAt = 0;

interface Delivered {
  readonly receivedAt: number;
  readonly alert: WebhookAlert;
}
const delivered = (): Delivered[] => (receiver?.notifications ?? []).flatMap((n) => n.alerts.map((alert) => ({ receivedAt: n.receivedAt, alert })));
const firingDelivered = (): Delivered[] => delivered().filter((d) => d.alert.status === 'firing');
const describeAlert = (alert: WebhookAlert): string =>
  `${alert.labels['alertname']}{${Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}} ${alert.status}`;

async function diagnostics(): Promise<string> {
  let active = '';
  try {
    active = (await alerts(vmalert.url)).map((a) => `${a.labels['alertname']}{job="${a.labels['job'] ?? ''}"} ${a.state} value=${a.value}`).join('\n');
  } catch (error) {
    active = `(vmalert did not answer: ${(error as Error).message})`;
  }
  const logs = services.map((s) => `--- ${s.name} log (tail)\n${s.logTail(15)}`).join('\n');
  const outputs = [...demos].map(([name, demo]) => `--- demo ${name}\n${demo.output().split('\n').slice(-8).join('\n')}`).join('\n');
  return `\n--- delivered\n${delivered().map((d) => describeAlert(d.alert)).join('\n')}\n--- vmalert active alerts\n${active}\n${logs}\n${outputs}`;
}

function alertOf(name: string): AlertModel {
  const alert = rules.catalog.metrics.flatMap((m) => m.alerts).find((a) => a.name === name);
  if (!alert) throw new Error(`the catalogue has no alert ${name}`);
  return alert;
}

/** The labels and annotations the catalogue says the alert carries, checked on what the webhook got. */
function expectAsCatalogued(got: WebhookAlert, name: string, job: string | undefined, routing: Readonly<Record<string, string>>, group: string): void {
  const alert = alertOf(name);
  const catalogued = Object.fromEntries(alert.labels.map((label) => [label.name, label.value]));
  const expectedLabels: Record<string, string> = { alertname: name, severity: alert.severity, ...catalogued, ...routing, alertgroup: group };
  if (job !== undefined) expectedLabels['job'] = job;
  // vmalert adds `alertgroup`, the name of the rule's group (-disableAlertgroupLabel turns it off).
  expect(got.labels).toEqual(expectedLabels);
  expect(got.annotations['summary']).toBe(alert.summary);
  expect(got.annotations['runbook_url']).toBe(rules.catalog.runbookUrl?.replace('{alert}', name));
  const description = got.annotations['description'] ?? '';
  expect(description).not.toBe('');
  // Rendered by vmalert's templates: no template text, no missing value, no printf error.
  expect(description).not.toMatch(/\{\{|<no value>|%!/);
  if (job !== undefined) expect(description).toContain(job);
  for (const [label, value] of Object.entries(routing)) expect(description).toContain(`${label}=${value}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'lazybird-victoria-e2e-'));
  rules = shortRules(readFileSync(join(ROOT, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  const rulesFile = join(scratch, 'lazybird.short.rules.yaml');
  writeFileSync(rulesFile, rules.rules);

  receiver = await startWebhookReceiver();
  const start = async (started: Promise<Service>): Promise<Service> => {
    const service = await started;
    services.push(service);
    return service;
  };
  // group_wait 0s: a new alert is sent on at once; group_interval 1s: changes follow within a second.
  const alertmanager = await start(startAlertmanager(join(scratch, 'alertmanager'), { webhookUrl: receiver.url, groupWait: '0s', groupInterval: '1s' }));
  victoriaMetrics = await start(startVictoriaMetrics(join(scratch, 'victoria-metrics')));

  // vmagent before the demos, so each is scraped from its first second.
  const ports = new Map<FaultName, number>();
  for (const fault of FAULTED) ports.set(fault, await freePort());
  const vmagent = await start(
    startVmagent(join(scratch, 'vmagent'), {
      jobs: FAULTED.map((fault) => ({ job: jobOf(fault), targets: [`127.0.0.1:${ports.get(fault)}`] })),
      scrapeInterval: '1s',
      victoriaMetrics: victoriaMetrics.url,
    }),
  );
  const starts = await Promise.allSettled(
    FAULTED.map(async (fault, i) => {
      demos.set(fault, await startDemo(['--host', '127.0.0.1', '--port', String(ports.get(fault)), '--seed', String(2000 + i), '--rate', '2']));
    }),
  );
  const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;

  await eventually('vmagent to scrape every demo', 30_000, async () => {
    const targets = await activeTargets(vmagent.url);
    return targets.length === FAULTED.length && targets.every((t) => t.health === 'up') ? true : undefined;
  });
  await eventually('the samples of every demo in VictoriaMetrics', 30_000, async () => {
    const result = await query(victoriaMetrics.url, 'count by (job) (lazybird_tasks_total)');
    return result.series.length === FAULTED.length ? true : undefined;
  });
  scrapedSince = Date.now();

  vmalertStartedAt = Date.now();
  // vmalert last: started earlier, it would rightly fire the absence alert for the demos not yet scraped.
  vmalert = await start(
    startVmalert(join(scratch, 'vmalert'), { ruleFiles: [rulesFile], victoriaMetrics: victoriaMetrics.url, alertmanager: alertmanager.url, evaluationInterval: '1s' }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([...demos.values()].map((demo) => demo.stop('SIGKILL', 2_000)));
  // vmalert first, so it does not report a dead datasource to a dead Alertmanager.
  for (const service of [...services].reverse()) await service.stop();
  await receiver?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 180_000);

describe('the demo on VictoriaMetrics, vmagent, vmalert and Alertmanager, with the rules of the test catalogue', () => {
  it('vmalert loads every rule of the test catalogue and evaluates each without error', async () => {
    const expectedAlerts = rules.catalog.metrics
      .flatMap((m) => m.alerts)
      .flatMap((a) => (a.kind === 'slo' ? [`${a.name}FastBurn`, `${a.name}SlowBurn`] : [a.name]))
      .sort();
    const loaded = (await ruleGroups(vmalert.url)).flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name)).sort();
    expect(loaded).toEqual(expectedAlerts);

    // vmalert reports a rule healthy before its first evaluation: wait until each has been evaluated.
    const unhealthy = await eventually('every rule to have been evaluated', 30_000, async () => {
      const all = (await ruleGroups(vmalert.url)).flatMap((g) => g.rules) as (RuleJson & { lastEvaluation?: string })[];
      if (all.some((r) => !(Date.parse(r.lastEvaluation ?? '') >= vmalertStartedAt))) return undefined;
      return all.filter((r) => r.health !== 'ok' || (r.lastError ?? '') !== '').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    });
    expect(unhealthy).toEqual([]);
  }, 180_000);

  it('answers every target of every committed dashboard with data through VictoriaMetrics', async () => {
    const dashboards = loadDashboardQueries(join(ROOT, 'dashboards'));
    expect(dashboards.targets.length).toBeGreaterThan(50);
    expect(dashboards.unknownVariables).toEqual([]);

    const base = victoriaMetrics.url;
    expect(await dashboardsWithoutData(base, dashboards)).toBe('');
  }, 180_000);

  it('has samples of every recording rule, written back by vmalert', async () => {
    const records = (await ruleGroups(vmalert.url)).flatMap((g) => g.rules.filter((r) => r.type === 'recording'));
    expect(records.length).toBeGreaterThan(10);
    let empty = records;
    await eventually('samples of every recording rule', 30_000, async () => {
      const still: typeof records = [];
      for (const record of empty) {
        const result = await query(victoriaMetrics.url, record.name);
        // Only NaN would mean a division by zero: the rule ran but its inputs had no traffic.
        if (!result.series.some((s) => Number.isFinite(Number(s.value[1])))) still.push(record);
      }
      empty = still;
      return still.length === 0 ? true : undefined;
    }).catch(() => undefined);
    expect(empty.map((r) => `${r.name} = ${r.query}`)).toEqual([]);
  }, 180_000);

  it('delivers the alert of each fault to the webhook, on the faulted demo, with the catalogue’s labels and annotations', async () => {
    const inject = async (fault: FaultName): Promise<void> => {
      const response = await fetch(`${demos.get(fault)!.url}/faults/${fault}`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { active: string[] }).active).toEqual([fault]);
    };
    const injectedAt = new Map<FaultName, number>();
    for (const fault of FAULTED.filter((f) => !LATE.has(f))) {
      await inject(fault);
      injectedAt.set(fault, Date.now());
    }
    const late = FAULTED.filter((f) => LATE.has(f));
    if (late.length > 0) {
      const wait = scrapedSince + INJECT_LATE_AFTER_MS - Date.now();
      if (wait > 0) await sleep(wait);
      for (const fault of late) {
        await inject(fault);
        injectedAt.set(fault, Date.now());
      }
    }

    const arrived = (fault: FaultName): Delivered | undefined =>
      firingDelivered().find((d) => d.alert.labels['alertname'] === FAULTS[fault].alert && d.alert.labels['job'] === jobOf(fault) && d.receivedAt >= injectedAt.get(fault)!);
    await eventually(`${FAULTED.map((f) => FAULTS[f].alert).join(', ')} at the webhook`, FAULT_DEADLINE_MS, async () =>
      FAULTED.every((f) => arrived(f) !== undefined) ? true : undefined,
    ).catch(async (error: Error) => {
      const missing = FAULTED.filter((f) => arrived(f) === undefined).map((f) => `${FAULTS[f].alert} (fault ${f})`);
      throw new Error(`${error.message}; not delivered: ${missing.join(', ')}${await diagnostics()}`);
    });
    console.info(`delivered after injection: ${FAULTED.map((f) => `${FAULTS[f].alert} ${((arrived(f)!.receivedAt - injectedAt.get(f)!) / 1000).toFixed(1)}s`).join(', ')}`);

    const groupOf = new Map((await ruleGroups(vmalert.url)).flatMap((g) => g.rules.map((r) => [r.name, g.name] as const)));
    for (const fault of FAULTED) {
      const name = FAULTS[fault].alert;
      expectAsCatalogued(arrived(fault)!.alert, name, jobOf(fault), ROUTING_LABELS[fault], groupOf.get(name) ?? '(no group)');
    }

    // Nothing but the faults' own alerts, each on its own demo.
    const stray = firingDelivered().filter((d) => !FAULTED.some((f) => d.alert.labels['alertname'] === FAULTS[f].alert && d.alert.labels['job'] === jobOf(f)));
    expect(stray.map((d) => describeAlert(d.alert)).join('\n'), await diagnostics()).toBe('');
    expect(receiver!.rejected).toEqual([]);
  }, INJECT_LATE_AFTER_MS + FAULT_DEADLINE_MS + 20_000);

  it(`delivers ${ABSENCE_ALERT} once the demos are stopped, and nothing else`, async () => {
    const codes = await Promise.all([...demos.values()].map((demo) => demo.stop('SIGTERM', 10_000)));
    expect(codes).toEqual(FAULTED.map(() => 0));
    const stoppedAt = Date.now();
    const absent = await eventually(`${ABSENCE_ALERT} at the webhook`, ABSENCE_DEADLINE_MS, async () =>
      firingDelivered().find((d) => d.alert.labels['alertname'] === ABSENCE_ALERT && d.receivedAt >= stoppedAt),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}${await diagnostics()}`);
    });
    console.info(`${ABSENCE_ALERT} delivered ${((absent.receivedAt - stoppedAt) / 1000).toFixed(1)}s after the demos stopped`);
    const group = (await ruleGroups(vmalert.url)).find((g) => g.rules.some((r) => r.name === ABSENCE_ALERT))?.name ?? '(no group)';
    expectAsCatalogued(absent.alert, ABSENCE_ALERT, undefined, {}, group);

    const stray = firingDelivered().filter(
      (d) => !(d.alert.labels['alertname'] === ABSENCE_ALERT && d.receivedAt >= stoppedAt) && !FAULTED.some((f) => d.alert.labels['alertname'] === FAULTS[f].alert && d.alert.labels['job'] === jobOf(f)),
    );
    expect(stray.map((d) => describeAlert(d.alert)).join('\n'), await diagnostics()).toBe('');
  }, ABSENCE_DEADLINE_MS + 20_000);
});
