/**
 * `npm run demo`: its arguments, its HTTP routes and fault endpoint, clean shutdown on SIGINT and
 * SIGTERM, `--with-prometheus` with and without a prometheus binary; and the pieces the end-to-end
 * test builds on (the Prometheus config, the catalogue with short windows).
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDemoArgs } from '../../demo/args.js';
import { durationSeconds, prometheusConfig } from '../../generator/simulate/prometheus.js';
import { createRandom, Pacer } from '../../generator/simulate/random.js';
import { SHORT_WINDOWS, shortRules, shortenWindows } from '../../generator/simulate/short-windows.js';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { AlertModel } from '../../generator/catalog/model.js';
import { eventually, ROOT, spawnDemo, startDemo } from './helpers/demo.js';
import type { DemoProcess } from './helpers/demo.js';

const CATALOGUE = readFileSync(join(ROOT, 'metrics.yaml'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'lazybird-demo-test-'));
const started: DemoProcess[] = [];
const strayPids: number[] = [];

afterAll(async () => {
  await Promise.all(started.map((demo) => demo.stop('SIGKILL', 2_000)));
  for (const pid of strayPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

async function demo(args: readonly string[]): Promise<DemoProcess> {
  const running = await startDemo(args);
  started.push(running);
  return running;
}

describe('demo arguments', () => {
  it('defaults to 127.0.0.1:9464, takes PORT and HOST, and lets flags win', () => {
    const defaults = parseDemoArgs([], {}, 1234);
    expect(defaults).toMatchObject({ kind: 'run', options: { port: 9464, host: '127.0.0.1', rate: 2, seed: 1234, seedGiven: false, faults: [], withPrometheus: false } });
    expect(parseDemoArgs([], { PORT: '8000', HOST: '0.0.0.0' })).toMatchObject({ options: { port: 8000, host: '0.0.0.0' } });
    expect(parseDemoArgs(['--port', '9000', '--host', '::1'], { PORT: '8000', HOST: '0.0.0.0' })).toMatchObject({ options: { port: 9000, host: '::1' } });
    expect(parseDemoArgs(['--fault', 'spike', '--fault', 'errors', '--fault', 'spike', '--seed', '5', '--rate', '0.5'], {})).toMatchObject({
      options: { faults: ['spike', 'errors'], seed: 5, seedGiven: true, rate: 0.5 },
    });
    expect(parseDemoArgs(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('refuses bad values with a message', () => {
    const error = (argv: string[], env: Record<string, string> = {}): string => {
      const parsed = parseDemoArgs(argv, env);
      return parsed.kind === 'error' ? parsed.message : `no error: ${parsed.kind}`;
    };
    expect(error(['--port', '70000'])).toMatch(/--port/);
    expect(error([], { PORT: 'eighty' })).toMatch(/PORT/);
    expect(error(['--fault', 'meteor'])).toBe('unknown fault "meteor"; faults are degradation, spike, errors, silence');
    expect(error(['--rate', '0'])).toMatch(/--rate/);
    expect(error(['--failing-service', 'other'])).toMatch(/--failing-service/);
    expect(error(['--scrape-interval', '5 seconds', '--with-prometheus'])).toMatch(/duration/);
    expect(error(['--fast-alerts'])).toBe('--fast-alerts applies with --with-prometheus');
    expect(error(['--bogus'])).toMatch(/bogus/);
  });
});

describe('the random source', () => {
  it('repeats itself for a seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const draw = (r: ReturnType<typeof createRandom>): number[] => [r.next(), r.normal(0, 1), r.poisson(2), r.int(1, 6)];
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it('paces rare events evenly', () => {
    const pacer = new Pacer();
    const hits = Array.from({ length: 1000 }, () => pacer.take(0.01)).map((hit, i) => (hit ? i : -1)).filter((i) => i >= 0);
    expect(hits).toHaveLength(10);
    expect(hits.slice(1).map((h, i) => h - hits[i]!)).toEqual(Array(9).fill(100));
  });
});

describe('the catalogue with short windows', () => {
  const short = shortRules(CATALOGUE, 'metrics.yaml');
  const { catalog: real } = compileCatalog(CATALOGUE, 'metrics.yaml');

  it('changes durations only: same metrics, labels, alerts and thresholds', () => {
    expect(short.catalog.metrics.map((m) => [m.name, m.type, m.labels.map((l) => l.name), m.buckets])).toEqual(
      real!.metrics.map((m) => [m.name, m.type, m.labels.map((l) => l.name), m.buckets]),
    );
    // Record names and `for` carry the windows; the metric is compared above.
    const strip = (a: AlertModel): object => ({
      ...a,
      window: 0,
      offset: 0,
      baseline: 0,
      for: 0,
      sloWindow: 0,
      metric: a.metric.name,
      ratio: a.ratio?.name,
      rules: a.rules.map((r) => [r.name, r.severity]),
      signalRecord: 0,
      sloRecords: a.sloRecords.length,
    });
    expect(short.catalog.metrics.flatMap((m) => m.alerts.map(strip))).toEqual(real!.metrics.flatMap((m) => m.alerts.map(strip)));
    expect(short.catalog.scrapeInterval).toBe('1s');
  });

  it('shortens every alert duration to seconds, keeping absence `for` at two scrapes or more', () => {
    for (const alert of short.catalog.metrics.flatMap((m) => m.alerts)) {
      expect(alert.for, alert.name).toBe(SHORT_WINDOWS.for);
      if (alert.kind === 'absence') {
        expect(alert.window).toBe(SHORT_WINDOWS.absenceWindow);
        expect(durationSeconds(alert.for!)).toBeGreaterThanOrEqual(2 * durationSeconds(SHORT_WINDOWS.scrapeInterval));
      } else if (alert.kind !== 'slo' && alert.of !== 'value') expect(alert.window, alert.name).toBe(SHORT_WINDOWS.window);
      if (alert.kind === 'degradation') expect(alert.offset).toBe(SHORT_WINDOWS.offset);
      if (alert.kind === 'anomaly' || alert.kind === 'stall') expect(alert.baseline).toBe(SHORT_WINDOWS.baseline);
      if (alert.kind === 'slo') expect(alert.sloWindow).toBe(SHORT_WINDOWS.sloWindow);
    }
    // No range in the rules is left in minutes-to-days territory except the SLO's longest windows.
    const ranges = [...short.rules.matchAll(/\[([0-9a-z]+)\]/g)].map((m) => durationSeconds(m[1]!));
    expect(Math.max(...ranges)).toBeLessThanOrEqual(durationSeconds('1h12m'));
    expect(short.rules).not.toMatch(/offset 1d|\[1d\]|for: \d+m/);
  });

  it('keeps the comments and anchors of the catalogue', () => {
    const { text, changes } = shortenWindows(CATALOGUE);
    expect(text).toContain('# ADR-010 "alert on latency spikes > 2 sigma"');
    expect(text).toMatch(/values: &agents \[ ?claude, gemini, copilot, codex, local ?\]/);
    expect(text).toContain('values: *agents');
    expect(changes.find((c) => c.where === 'QualityScoreDegraded' && c.key === 'offset')).toEqual({ where: 'QualityScoreDegraded', key: 'offset', from: '1d', to: '30s' });
  });

  it('passes promtool check rules', () => {
    const file = join(scratch, 'short.rules.yaml');
    writeFileSync(file, short.rules);
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('prometheusConfig', () => {
  it('scrapes each job and loads the rule files, with a timeout no longer than the interval', () => {
    const config = parse(
      prometheusConfig({
        jobs: [{ job: 'lazybird', targets: ['127.0.0.1:9464'] }],
        ruleFiles: ['/repo/alerts/*.rules.yaml'],
        scrapeInterval: '1s',
        evaluationInterval: '2s',
      }),
    ) as Record<string, unknown>;
    expect(config).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '2s' },
      rule_files: ['/repo/alerts/*.rules.yaml'],
      scrape_configs: [{ job_name: 'lazybird', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:9464'] }] }],
    });
    expect((parse(prometheusConfig({ jobs: [], ruleFiles: [], scrapeInterval: '15s', evaluationInterval: '15s' })) as { global: object }).global).toMatchObject({ scrape_timeout: '10s' });
  });
});

describe('npm run demo', () => {
  it('serves /metrics, /health, /dashboard and /faults, takes faults by flag and at runtime, and stops on SIGINT', async () => {
    const running = await demo(['--port', '0', '--seed', '1', '--rate', '20', '--fault', 'silence']);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.output()).toContain('faults on: silence');

    expect(await (await fetch(`${running.url}/health`)).json()).toEqual({ status: 'healthy' });
    const dashboards = (await (await fetch(`${running.url}/dashboard`)).json()) as { dashboards: { uid: string }[] };
    expect(dashboards.dashboards.map((d) => d.uid)).toContain('lazybird-overview');
    expect(await (await fetch(`${running.url}/`)).text()).toContain('POST   /faults/NAME');

    const faults = async (): Promise<string[]> => ((await (await fetch(`${running.url}/faults`)).json()) as { active: string[] }).active;
    expect(await faults()).toEqual(['silence']);
    const tasks = async (): Promise<number> => {
      const text = await (await fetch(`${running.url}/metrics`)).text();
      return [...text.matchAll(/^lazybird_tasks_total\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    // Silence: the exporter serves, but no task completes.
    expect(await tasks()).toBe(0);
    expect((await fetch(`${running.url}/faults/silence`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${running.url}/faults/spike`, { method: 'POST' })).status).toBe(200);
    expect(await faults()).toEqual(['spike']);
    await eventually('tasks to complete', 10_000, async () => ((await tasks()) > 0 ? true : undefined), 200);
    const unknown = await fetch(`${running.url}/faults/meteor`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'unknown fault', available: ['degradation', 'spike', 'errors', 'silence'] });
    expect((await fetch(`${running.url}/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(await faults()).toEqual([]);

    // The exposition is one promtool accepts.
    const exposition = await (await fetch(`${running.url}/metrics`)).text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');

    expect(await running.stop('SIGINT')).toBe(0);
    expect(running.output()).toMatch(/demo: SIGINT, stopping\ndemo: stopped after \d+ tasks/);
  }, 180_000);

  it('exits 2 with the usage on a bad flag, and 1 when the port is taken', async () => {
    const bad = spawnDemo(['--fault', 'meteor']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('unknown fault "meteor"');
    expect(bad.output()).toContain('usage: npm run demo');

    const first = await demo(['--port', '0']);
    const second = spawnDemo(['--port', String(first.port)]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`port ${first.port} is in use`);
    expect(await first.stop('SIGTERM')).toBe(0);
  }, 180_000);

  it('with --with-prometheus and no prometheus on the PATH, says how to install it and keeps serving', async () => {
    const empty = mkdtempSync(join(scratch, 'path-'));
    const { child, output, exited } = spawnDemo(['--port', '0', '--with-prometheus'], { ...process.env, PATH: empty });
    try {
      await eventually('the install hint', 30_000, async () => (output().includes('apt-get install -y prometheus') ? true : undefined), 200);
      const url = /demo listening on (\S+)/.exec(output())?.[1];
      expect((await fetch(`${url}/health`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);

  it('with --with-prometheus --fast-alerts, starts Prometheus scraping the demo with the short rules, and stops both', async () => {
    const running = await demo(['--port', '0', '--with-prometheus', '--prometheus-port', '0', '--fast-alerts']);
    const line = await eventually('the Prometheus URL', 30_000, async () => /prometheus on (\S+) \(pid (\d+);/.exec(running.output()) ?? undefined, 200);
    const [, url, pid] = line;
    strayPids.push(Number(pid));
    expect(running.output()).toContain('scrape every 1s, rules every 1s, short alert windows');
    const target = await eventually('the demo to be scraped', 30_000, async () => {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; scrapeUrl: string }[] } };
      return body.data.activeTargets.find((t) => t.health === 'up');
    });
    expect(target.scrapeUrl).toBe(`${running.url}/metrics`);
    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; query: string }[] }[] } };
    const anomaly = rules.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'TaskDurationAnomaly');
    expect(anomaly?.query).toContain('[2m]');

    expect(await running.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 180_000);
});

/** One raw request on its own connection; resolves with everything the server sent until it closed. */
function rawRequest(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(received) : reject(error)));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.end(request);
  });
}

const statusOf = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
const bodyOf = (response: string): string => response.slice(response.indexOf('\r\n\r\n') + 4);

describe('the demo under hostile requests (issue 10)', () => {
  it('survives malformed percent-encoding, odd methods, huge URLs and garbage, and never echoes the request', async () => {
    const running = await demo(['--port', '0', '--seed', '3']);
    const send = (line: string, extra = ''): Promise<string> => rawRequest(running.port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);

    // The review's reproduction: decodeURIComponent threw a URIError and the demo died.
    const malformed = await send('POST /faults/%E0%A4%A HTTP/1.1', 'Content-Length: 0\r\n');
    expect(statusOf(malformed)).toBe(404);
    expect(JSON.parse(bodyOf(malformed))).toEqual({ error: 'unknown fault', available: ['degradation', 'spike', 'errors', 'silence'] });
    for (const path of ['/faults/%', '/faults/%ZZ', '/faults/%C0%80', '/%E0%A4%A', '/metrics/%FF', '/faults/%73pike']) {
      for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
        const response = await send(`${method} ${path} HTTP/1.1`, 'Content-Length: 0\r\n');
        expect([404, 405], `${method} ${path}: ${response}`).toContain(statusOf(response));
      }
    }

    // Nothing the request made up comes back: neither the name nor markup in it.
    for (const name of ['meteor', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '"%22}{x']) {
      const response = await send(`POST /faults/${name} HTTP/1.1`, 'Content-Length: 0\r\n');
      expect(statusOf(response)).toBe(404);
      expect(response).not.toMatch(/meteor|script|%22|"\}/);
      expect(response).toMatch(/^x-content-type-options: nosniff\r$/im);
    }

    // Methods Node's parser does not know, methods nobody routes, and malformed request lines.
    expect(statusOf(await send('FOO /metrics HTTP/1.1'))).toBe(400);
    expect(statusOf(await send('PROPFIND /faults HTTP/1.1'))).toBe(405);
    expect(statusOf(await send('OPTIONS * HTTP/1.1'))).toBe(404);
    expect(statusOf(await send('CONNECT 127.0.0.1:22 HTTP/1.1'))).toBe(405);
    expect(statusOf(await send('GET http://elsewhere.example/metrics HTTP/1.1'))).toBe(404);
    expect(statusOf(await send('GET /metrics HTTP/9.9'))).toBe(400);
    expect(statusOf(await rawRequest(running.port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])))).toBe(400);
    const huge = await send(`GET /faults/${'a'.repeat(100_000)} HTTP/1.1`);
    expect(statusOf(huge)).toBe(431);
    expect(huge).toMatch(/^x-content-type-options: nosniff\r$/im);
    // A POST with a body it does not need, sent in full: answered, and the connection stays usable.
    expect(statusOf(await send('POST /faults/spike HTTP/1.1', `Content-Length: 5000\r\n\r\n${'x'.repeat(5000)}`))).toBe(200);

    // Still alive and serving after all of it.
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.output()).not.toMatch(/URIError|Error:|at .*\.ts:\d+/);
  }, 180_000);

  it('says X-Content-Type-Options: nosniff on every route, status and method', async () => {
    const running = await demo(['--port', '0', '--seed', '4']);
    const requests: [string, string][] = [
      ['GET', '/'],
      ['GET', '/metrics'],
      ['HEAD', '/metrics'],
      ['GET', '/health'],
      ['GET', '/dashboard'],
      ['GET', '/faults'],
      ['GET', '/faults/spike'],
      ['POST', '/faults/meteor'],
      ['PATCH', '/faults'],
      ['POST', '/metrics'],
      ['GET', '/nowhere'],
    ];
    const statuses = new Set<number>();
    for (const [method, path] of requests) {
      const response = await fetch(`${running.url}${path}`, { method });
      await response.arrayBuffer();
      statuses.add(response.status);
      expect(response.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff');
    }
    expect([...statuses].sort()).toEqual([200, 404, 405]);
    expect(await running.stop('SIGTERM')).toBe(0);
  }, 180_000);
});
