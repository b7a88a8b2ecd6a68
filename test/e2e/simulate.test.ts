/**
 * The simulate command end to end on every catalogue under test/catalogues/ (written from public
 * metric sets, not from metrics.yaml), one after the other: `cli.ts simulate --with-prometheus` as a
 * user runs it, a real Prometheus on loopback loading the rules that catalogue generates (emitted in
 * memory by the command), scraping every second. Every target of every dashboard that catalogue
 * generates returns data, every rule is healthy, no alert is even pending while no fault is on, and
 * SIGTERM stops both processes. On http-service, the errors fault sets off its ratio alerts. On
 * native-service, Prometheus runs with --enable-feature=native-histograms and scrapes protobuf:
 * each histogram with native buckets is one native series per label set, its recording rules
 * answer, an exemplar the simulator served on a counter and on histograms (both shapes, native
 * only) comes back from /api/v1/query_exemplars, and the slow fault sets off the quantile and
 * latency SLO alerts built on them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/model.js';
import { main } from '../../generator/cli.js';
import { emitAll } from '../../generator/emit/index.js';
import { loadDashboardQueries } from './helpers/dashboards.js';
import { eventually, ROOT, sleep } from './helpers/demo.js';
import { activeTargets, alerts, dashboardsWithoutData, query, queryExemplars, ruleGroups } from './helpers/prometheus-api.js';

const CATALOGUES = readdirSync(join(ROOT, 'test', 'catalogues'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'test', 'catalogues', entry.name, 'metrics.yaml')))
  .map((entry) => entry.name)
  .sort();

/** What each catalogue's dashboards are, written here rather than read from the emitter. */
const DASHBOARD_FILES: Readonly<Record<string, readonly string[]>> = {
  'cache-client': ['cachecli-lookups.json', 'cachecli-operations.json', 'cachecli-overview.json', 'cachecli-pool.json'],
  'http-service': ['checkout-dependencies.json', 'checkout-overview.json', 'checkout-red.json', 'checkout-saturation.json'],
  'device-fleet': ['edge-device.json', 'edge-overview.json', 'edge-power.json'],
  'job-runner': ['runner-jobs.json', 'runner-overview.json'],
  'job-worker': ['worker-jobs.json', 'worker-overview.json', 'worker-queues.json'],
  'native-service': ['gateway-overview.json', 'gateway-requests.json', 'gateway-upstreams.json'],
};

it('runs every test catalogue', () => {
  expect(CATALOGUES).toEqual(expect.arrayContaining(['cache-client', 'device-fleet', 'http-service', 'job-runner', 'job-worker', 'native-service']));
});

describe.each(CATALOGUES)('simulate --with-prometheus on the %s test catalogue', (name) => {
  const CATALOGUE = join('test', 'catalogues', name, 'metrics.yaml');

  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let simulator = '';
  let prometheus = '';
  let prometheusPid = 0;
  let scratch = '';
  let catalog: Catalog;
  /** Seconds since the epoch, before the simulator started: where exemplar queries begin. */
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Math.floor(Date.now() / 1000);
    const compiled = compileCatalog(readFileSync(join(ROOT, CATALOGUE), 'utf8'), CATALOGUE);
    if (!compiled.catalog) throw new Error('the test catalogue does not compile');
    catalog = compiled.catalog;
    // The dashboards the catalogue generates, where the query loader can read them.
    scratch = mkdtempSync(join(tmpdir(), 'lazybird-simulate-e2e-'));
    for (const [path, content] of emitAll(catalog)) {
      if (!path.startsWith('dashboards/') || !path.endsWith('.json')) continue;
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), content);
    }

    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'generator/cli.ts'), 'simulate', '--catalog', CATALOGUE, '--port', '0', '--seed', '7', '--with-prometheus', '--prometheus-port', '0', '--scrape-interval', '1s', '--evaluation-interval', '1s'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const started = await eventually('the simulator and its Prometheus', 40_000, async () => {
      if (child.exitCode !== null) throw new Error(`simulate exited with ${child.exitCode}:\n${output}`);
      const app = /simulate listening on (\S+)/.exec(output);
      const prom = /prometheus on (\S+) \(pid (\d+);/.exec(output);
      return app && prom ? { app: app[1]!, prom: prom[1]!, pid: Number(prom[2]) } : undefined;
    }, 200).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    simulator = started.app;
    prometheus = started.prom;
    prometheusPid = started.pid;
    await eventually('the simulator to be scraped', 20_000, async () => {
      const targets = await activeTargets(prometheus);
      return targets.length === 1 && targets[0]!.health === 'up' ? true : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (prometheusPid > 0) {
      try {
        process.kill(prometheusPid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 180_000);

  it('loads every rule that catalogue generates, all healthy', async () => {
    const expected = catalog.metrics
      .flatMap((m) => m.alerts)
      .flatMap((a) => (a.kind === 'slo' ? [`${a.name}FastBurn`, `${a.name}SlowBurn`] : [a.name]))
      .concat(catalog.customRules.filter((r) => r.kind === 'alert').map((r) => r.name))
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    // Only a catalogue with native histograms needs Prometheus's feature flag; the others meet it as before.
    expect(/features native-histograms/.test(output)).toBe(catalog.metrics.some((m) => m.native !== undefined));
    const loaded = (await ruleGroups(prometheus)).flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name)).sort();
    expect(loaded).toEqual(expected);
    const unhealthy = await eventually('every rule to have been evaluated', 20_000, async () => {
      const all = (await ruleGroups(prometheus)).flatMap((g) => g.rules);
      if (all.some((r) => r.health === 'unknown')) return undefined;
      return all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    });
    expect(unhealthy).toEqual([]);
  }, 180_000);

  it('answers every target of every dashboard of that catalogue with data', async () => {
    const dashboards = loadDashboardQueries(join(scratch, 'dashboards'));
    expect(dashboards.files).toEqual(DASHBOARD_FILES[name] ?? ['(list the dashboards of this catalogue in DASHBOARD_FILES)']);
    expect(dashboards.targets.length).toBeGreaterThan(catalog.metrics.length);
    expect(dashboards.unknownVariables).toEqual([]);

    expect(await dashboardsWithoutData(prometheus, dashboards)).toBe('');
  }, 180_000);

  it('sets off no alert, not even pending, while no fault is on', async () => {
    const active = await alerts(prometheus);
    expect(active.map((a) => `${a.labels['alertname']} ${a.state}`)).toEqual([]);
  });

  // The catalogue whose alert names this test knows; the others' faults are the simulator suite's.
  if (name === 'http-service') it('sets off the error ratio alerts once the errors fault is on', async () => {
    const response = await fetch(`${simulator}/faults/errors`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { active: string[] }).active).toEqual(['errors']);
    // Their `for` is minutes: pending is what a test can wait for.
    const names = await eventually('HttpServerErrorRatioHigh and DependencyErrorRatioHigh to be pending', 30_000, async () => {
      const active = new Set((await alerts(prometheus)).map((a) => a.labels['alertname']));
      return active.has('HttpServerErrorRatioHigh') && active.has('DependencyErrorRatioHigh') ? [...active].sort() : undefined;
    });
    expect(names).toContain('HttpServerErrorRatioHigh');
  }, 180_000);

  // The catalogue with native histograms: what issue 15 asks of a real Prometheus ingesting them.
  if (name === 'native-service') {
    it('stores one native series per label set for every histogram with native buckets, and no classic series beside it', async () => {
      const natives = catalog.metrics.filter((m) => m.native !== undefined);
      expect(natives.map((m) => m.name)).toEqual(['gateway_request_duration_seconds', 'gateway_response_size_bytes', 'gateway_upstream_duration_seconds', 'gateway_export_duration_seconds']);
      for (const metric of natives) {
        const by = metric.labels.map((l) => l.name);
        const perLabelSet = await query(prometheus, `count by (${by.join(', ')}) (${metric.name})`);
        const combinations = metric.labels.reduce((n, l) => n * l.positions, 1);
        expect(perLabelSet.series.map((s) => s.value[1]), metric.name).toEqual(Array.from({ length: combinations }, () => '1'));
        const labelSets = perLabelSet.series.map((s) => by.map((label) => s.metric[label]).join(',')).sort();
        expect(new Set(labelSets).size, metric.name).toBe(combinations);
        // Each sample is a native histogram, not a float.
        const samples = (await query(prometheus, metric.name)).series as readonly { histogram?: [number, { count: string; buckets?: unknown[] }] }[];
        expect(samples.length, metric.name).toBe(combinations);
        for (const sample of samples) expect(Number(sample.histogram?.[1].count), metric.name).toBeGreaterThan(0);
        // Prometheus 2.42 keeps only the native shape of a histogram that has one, even beside classic buckets.
        expect((await query(prometheus, `{__name__=~"${metric.name}_(bucket|count|sum)"}`)).series, metric.name).toEqual([]);
      }
      // A classic-only histogram of the same scrape (prom-client's GC durations) stays classic.
      expect((await query(prometheus, 'count(nodejs_gc_duration_seconds_bucket)')).series).toHaveLength(1);
    });

    it('answers every recording rule of the catalogue, the latency SLO error ratios well inside the budget', async () => {
      const recorded = (await ruleGroups(prometheus)).flatMap((g) => g.rules.filter((r) => r.type === 'recording').map((r) => r.name));
      expect(recorded).toHaveLength(7);
      const ratios = await eventually('every recording rule to answer', 30_000, async () => {
        const values = await Promise.all(recorded.map(async (rule) => (await query(prometheus, rule)).series.map((s) => Number(s.value[1]))));
        return values.every((v) => v.length === 1) ? values.flat() : undefined;
      });
      // The SLO allows 1% over 800 ms; calm traffic keeps far below.
      for (const ratio of ratios) expect(ratio).toBeLessThan(0.005);
    }, 180_000);

    it('returns from /api/v1/query_exemplars exemplars the simulator served in OpenMetrics, on a counter and on histograms, and none in the text format', async () => {
      // A counter, a histogram with both shapes (its classic buckets carry the exemplars), and a
      // native-only one (the runtime writes its exemplar on a +Inf bucket, which Prometheus 2.42 reads).
      const wanted = [
        { metric: 'gateway_requests_total', lines: 'gateway_requests_total{', plausible: (v: number) => Number.isInteger(v) && v >= 1 && v <= 100 },
        { metric: 'gateway_upstream_duration_seconds', lines: 'gateway_upstream_duration_seconds_bucket{', plausible: (v: number) => v > 0 && v < 60 },
        { metric: 'gateway_request_duration_seconds', lines: 'gateway_request_duration_seconds_bucket{', plausible: (v: number) => v > 0 && v < 60 },
      ];
      const text = await fetch(`${simulator}/metrics`, { headers: { accept: 'text/plain; version=0.0.4' } });
      expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await text.text()).not.toContain(' # {');

      // Trace id → value, served by the exporter (its latest per series and bucket, so gathered on
      // every round) and stored by Prometheus, per metric.
      const served = new Map(wanted.map((w) => [w.metric, new Map<string, number>()]));
      const stored = new Map(wanted.map((w) => [w.metric, new Map<string, { value: number; labels: string[]; spanId: string | undefined; series: string | undefined }>()]));
      const matched = (metric: string): string[] => [...stored.get(metric)!.keys()].filter((id) => served.get(metric)!.has(id));
      // A count of rounds a second apart, not a deadline: it ends as soon as every metric has a match.
      for (let round = 0; round < 30 && !wanted.every((w) => matched(w.metric).length > 0); round++) {
        if (round > 0) await sleep(1_000);
        const response = await fetch(`${simulator}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
        expect(response.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
        const openMetrics = await response.text();
        for (const { metric, lines } of wanted) {
          for (const line of openMetrics.split('\n')) {
            const exemplar = line.startsWith(lines) ? / # \{trace_id="([0-9a-f]{32})",span_id="[0-9a-f]{16}"\} (\S+) \S+$/.exec(line) : null;
            if (exemplar) served.get(metric)!.set(exemplar[1]!, Number(exemplar[2]));
          }
          for (const series of await queryExemplars(prometheus, metric, startedAt, Math.ceil(Date.now() / 1000))) {
            for (const exemplar of series.exemplars) stored.get(metric)!.set(exemplar.labels['trace_id'] ?? '', { value: Number(exemplar.value), labels: Object.keys(exemplar.labels).sort(), spanId: exemplar.labels['span_id'], series: series.seriesLabels['__name__'] });
          }
        }
      }
      for (const { metric, plausible } of wanted) {
        expect(served.get(metric)!.size, `${metric}: exemplars served`).toBeGreaterThan(0);
        expect(matched(metric).length, `${metric}: an exemplar served that Prometheus returns`).toBeGreaterThan(0);
        for (const [traceId, exemplar] of stored.get(metric)!) {
          expect(traceId, metric).toMatch(/^[0-9a-f]{32}$/);
          expect(exemplar.labels, metric).toEqual(['span_id', 'trace_id']);
          expect(exemplar.spanId, metric).toMatch(/^[0-9a-f]{16}$/);
          expect(exemplar.series, metric).toBe(metric);
          expect(plausible(exemplar.value), `${metric}: ${exemplar.value}`).toBe(true);
        }
        for (const traceId of matched(metric)) expect(stored.get(metric)!.get(traceId)!.value, `${metric} ${traceId}`).toBe(served.get(metric)!.get(traceId));
      }
    }, 180_000);

    it('sets off the quantile and latency SLO alerts on native histograms once the slow fault is on', async () => {
      const response = await fetch(`${simulator}/faults/slow`, { method: 'POST' });
      expect(response.status).toBe(200);
      // Native only (requests) and both shapes (upstreams); `for` is minutes, so pending is what a test waits for.
      const wanted = ['RequestLatencyHigh', 'RequestLatencySLOFastBurn', 'UpstreamLatencyHigh'];
      const active = await eventually(`${wanted.join(', ')} to be pending`, 60_000, async () => {
        const names = new Set((await alerts(prometheus)).map((a) => a.labels['alertname']));
        return wanted.every((n) => names.has(n)) ? names : undefined;
      });
      expect([...active]).toEqual(expect.arrayContaining(wanted));
      // Per route: the top route is certainly past the floor.
      const routes = (await alerts(prometheus)).filter((a) => a.labels['alertname'] === 'RequestLatencyHigh').map((a) => a.labels['route']);
      expect(routes).toContain('/login');
    }, 180_000);
  }

  it('serves an exposition with every metric of the catalogue that check --live finds true to it, and stops itself and Prometheus on SIGTERM', async () => {
    const text = await (await fetch(`${simulator}/metrics`)).text();
    if (name === 'http-service') {
      for (const route of ['/cart', '/cart/items', '/checkout', '/orders/{id}', '/health', 'unmatched']) {
        expect(text).toContain(`checkout_http_server_requests_total{http_route="${route}",http_request_method="GET",status_class="2xx"}`);
      }
    }
    // The text format has no info type: an info metric is a gauge there.
    for (const metric of catalog.metrics) expect(text).toContain(`# TYPE ${metric.name} ${metric.type === 'info' ? 'gauge' : metric.type}`);
    // `check --live` as a user runs it against the served exporter: nothing differs from the catalogue.
    const printed: string[] = [];
    const io = { out: (line: string) => void printed.push(line), err: (line: string) => void printed.push(`stderr: ${line}`) };
    const status = await main(['check', '--catalog', join(ROOT, CATALOGUE), '--live', `${simulator}/metrics`], io);
    // The catalogue's own warnings (a learned label without overflow, say) may precede the verdict.
    expect(printed.filter((line) => !/: warning: .* \[[a-z-]+\]$/.test(line)).join('\n')).toMatch(/^\S+ matches \S*metrics\.yaml: \d+ metrics, \d+ series\n?$/);
    expect(status).toBe(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/simulate: SIGTERM, stopping\n[^]*simulate: stopped after \d+ events/);
    await expect(fetch(`${prometheus}/-/ready`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 180_000);
});
