/**
 * `check --live URL`: the exposition parser, the comparison with the catalogue, and the command
 * against the running demo (clean) and against a deliberately wrong exporter.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/model.js';
import { main } from '../../generator/cli.js';
import { checkExposition, compareExposition, formatFinding, parseExposition } from '../../generator/checks/live/index.js';
import type { LiveFinding } from '../../generator/checks/live/index.js';
import { createMetrics } from '../../generated/metrics.js';
import { ROOT, startDemo } from '../e2e/helpers/demo.js';
import type { DemoProcess } from '../e2e/helpers/demo.js';

/** A small catalogue, so that a whole exposition of it can be written by hand. */
const SHOP = `\
namespace: shop
budget: { series_per_metric: 50, total_series: 52 }
labels:
  method:
    description: HTTP method of the request.
    values: [get, post]
    overflow: other
groups:
  main:
    title: Main
metrics:
  requests_total:
    type: counter
    group: main
    help: Requests served.
    unit: count
    labels: [method]
    series_limit: 3
  request_duration_seconds:
    type: histogram
    group: main
    help: Time taken to serve one request.
    unit: seconds
    buckets: [0.1, 0.5, 1]
  queue_depth:
    type: gauge
    group: main
    help: Requests waiting to be served.
    unit: count
  cache_size_bytes:
    type: gauge
    group: main
    help: Size of the response cache.
    unit: bytes
  errors_total:
    type: counter
    group: main
    help: Requests that failed.
    unit: count
`;

function compile(text: string): Catalog {
  const { catalog, diagnostics } = compileCatalog(text, 'shop.yaml');
  if (!catalog) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return catalog;
}

const shop = compile(SHOP);
const droppedHelp = shop.metrics.find((m) => m.role === 'dropped_records')!.help;

/** What an exporter true to SHOP serves, with prom-client's process metrics beside it. */
const CLEAN = `\
# HELP shop_requests_total Requests served.
# TYPE shop_requests_total counter
shop_requests_total{method="get"} 12
shop_requests_total{method="post"} 3
shop_requests_total{method="other"} 0
# HELP shop_request_duration_seconds Time taken to serve one request.
# TYPE shop_request_duration_seconds histogram
shop_request_duration_seconds_bucket{le="0.1"} 9
shop_request_duration_seconds_bucket{le="0.5"} 14
shop_request_duration_seconds_bucket{le="1"} 15
shop_request_duration_seconds_bucket{le="+Inf"} 15
shop_request_duration_seconds_sum 2.25
shop_request_duration_seconds_count 15
# HELP shop_queue_depth Requests waiting to be served.
# TYPE shop_queue_depth gauge
shop_queue_depth 4
# HELP shop_cache_size_bytes Size of the response cache.
# TYPE shop_cache_size_bytes gauge
shop_cache_size_bytes 1048576
# HELP shop_errors_total Requests that failed.
# TYPE shop_errors_total counter
shop_errors_total 1
# HELP shop_metrics_dropped_total ${droppedHelp}
# TYPE shop_metrics_dropped_total counter
shop_metrics_dropped_total{metric="shop_requests_total",reason="unknown_label_value"} 0
shop_metrics_dropped_total{metric="shop_errors_total",reason="negative_increment"} 0
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 0.31
# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.
# TYPE nodejs_heap_size_used_bytes gauge
nodejs_heap_size_used_bytes 9123456
`;

/**
 * The same exporter gone wrong, by hand: shop_queue_depth missing, shop_orders_total extra, a
 * method outside the allowed values (which also takes the metric over its series limit of 3),
 * shop_errors_total exposed as a gauge, and shop_cache_size_bytes with another help text.
 */
const WRONG = CLEAN.replace(/# HELP shop_queue_depth[^\n]*\n# TYPE shop_queue_depth gauge\nshop_queue_depth 4\n/, '')
  .replace('shop_requests_total{method="other"} 0\n', 'shop_requests_total{method="other"} 0\nshop_requests_total{method="delete"} 1\n')
  .replace('# TYPE shop_errors_total counter', '# TYPE shop_errors_total gauge')
  .replace('# HELP shop_cache_size_bytes Size of the response cache.', '# HELP shop_cache_size_bytes Bytes held by the cache.')
  .concat('# HELP shop_orders_total Orders placed.\n# TYPE shop_orders_total counter\nshop_orders_total 7\n');

const rules = (findings: readonly LiveFinding[]): string[] => findings.map((f) => `${f.rule} ${f.metric ?? '-'}`).sort();

describe('parseExposition', () => {
  it('reads families, help and label escapes, special values and timestamps', () => {
    const parsed = parseExposition(
      [
        '# a comment',
        '# HELP a_total One \\\\ two\\nthree.',
        '# TYPE a_total counter',
        'a_total{path="C:\\\\x",quote="say \\"hi\\"",nl="1\\n2"} 3 1700000000000',
        '# TYPE h histogram',
        'h_bucket{le="+Inf"} 2',
        'h_sum NaN',
        'h_count 2',
        'loose -Inf',
        '',
      ].join('\n'),
    );
    expect(parsed.problems).toEqual([]);
    const a = parsed.families.get('a_total')!;
    expect(a.type).toBe('counter');
    expect(a.help).toBe('One \\ two\nthree.');
    expect(a.samples[0]!.labels).toEqual({ path: 'C:\\x', quote: 'say "hi"', nl: '1\n2' });
    expect(a.samples[0]!.value).toBe(3);
    expect(parsed.families.get('h')!.samples.map((s) => s.name)).toEqual(['h_bucket', 'h_sum', 'h_count']);
    expect(Number.isNaN(parsed.families.get('h')!.samples[1]!.value)).toBe(true);
    expect(parsed.families.get('loose')).toMatchObject({ type: 'untyped', help: undefined });
    expect(parsed.families.get('loose')!.samples[0]!.value).toBe(-Infinity);
  });

  it('reports each malformed line with its number and keeps the rest', () => {
    const parsed = parseExposition(['ok 1', 'bad{x="1} 2', 'worse{x="1"}', 'ok2 abc', '# TYPE ok gauge', '# TYPE z sometype', 'fine 3'].join('\n'));
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(parsed.problems[0]!.message).toMatch(/unterminated value of label x/);
    expect(parsed.problems[3]!.message).toMatch(/# TYPE for ok after its samples/);
    expect([...parsed.families.keys()]).toEqual(['ok', 'z', 'fine']);
  });
});

describe('compareExposition', () => {
  it('finds nothing in an exposition true to the catalogue, process and runtime metrics aside', () => {
    const report = checkExposition(shop, CLEAN);
    expect(report.findings).toEqual([]);
    expect(report.metrics).toBe(shop.metrics.length);
    expect(report.series).toBe(3 + 6 + 1 + 1 + 1 + 2);
  });

  it('names every difference: missing, unknown, label value, type, help, series limit', () => {
    const findings = checkExposition(shop, WRONG).findings;
    expect(rules(findings)).toEqual(
      [
        'live-metric-missing shop_queue_depth',
        'live-metric-unknown shop_orders_total',
        'live-label-value shop_requests_total',
        'live-series-limit shop_requests_total',
        'live-type shop_errors_total',
        'live-help shop_cache_size_bytes',
      ].sort(),
    );
    const messages = findings.map((f) => f.message).join('\n');
    expect(messages).toContain('shop_requests_total: label method="delete" is outside the allowed values (get, post, other)');
    expect(messages).toContain('shop_errors_total: exposed as gauge, declared as counter');
    expect(messages).toContain('shop_cache_size_bytes: exposed with help "Bytes held by the cache."; the catalogue says "Size of the response cache."');
    expect(messages).toContain('shop_requests_total: 4 series exposed, over its limit of 3');
  });

  it('checks label names, histogram buckets, the total budget and malformed lines', () => {
    const text = CLEAN.replace('shop_errors_total 1', 'shop_errors_total{region="eu"} 1')
      .replace('shop_request_duration_seconds_bucket{le="0.5"} 14\n', '')
      .replace('shop_queue_depth 4', 'shop_queue_depth 4\nshop_queue_depth{oops 5')
      .concat(Array.from({ length: 40 }, (_, i) => `shop_cache_size_bytes{tier="t${i}"} 1\n`).join(''));
    const report = checkExposition(shop, text);
    const messages = report.findings.map((f) => formatFinding('x', f));
    expect(messages).toContain('x: error: shop_errors_total: label region is not declared for this metric (declared: none) [live-label-unknown]');
    expect(messages).toContain('x: error: shop_request_duration_seconds: exposes buckets 0.1, 1, +Inf; the catalogue says 0.1, 0.5, 1, +Inf [live-buckets]');
    expect(messages).toContain(`x: error: ${report.series} series of catalogue metrics exposed, over the catalogue's budget of 52 [live-series-budget]`);
    expect(messages.some((m) => /line \d+: shop_queue_depth: .* \[live-malformed\]/.test(m))).toBe(true);
  });

  it('tells what differs from the real catalogue, on the real exporter with changes made by hand', async () => {
    const { catalog } = compileCatalog(readFileSync(join(ROOT, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
    const text = await createMetrics().runtime.expose('text');
    // Whatever the unchanged exporter already shows is the baseline; each change adds its finding.
    const before = new Set(rules(checkExposition(catalog!, text).findings));
    const changed = text
      .replace(/# HELP lazybird_task_queue_depth [^\n]*\n# TYPE lazybird_task_queue_depth gauge\nlazybird_task_queue_depth 0\n/, '')
      .replace('lazybird_tasks_total{outcome="success"} 0', 'lazybird_tasks_total{outcome="succeeded"} 0')
      .replace('# TYPE lazybird_active_tasks gauge', '# TYPE lazybird_active_tasks counter')
      .replace(/# HELP lazybird_memory_usage_bytes [^\n]*/, '# HELP lazybird_memory_usage_bytes Memory.')
      .concat('# TYPE lazybird_unplanned_total counter\nlazybird_unplanned_total 1\n');
    expect(changed).not.toContain('# TYPE lazybird_task_queue_depth');
    const added = rules(compareExposition(catalog!, parseExposition(changed)).findings).filter((r) => !before.has(r));
    expect(added).toEqual(
      [
        'live-metric-missing lazybird_task_queue_depth',
        'live-label-value lazybird_tasks_total',
        'live-type lazybird_active_tasks',
        'live-help lazybird_memory_usage_bytes',
        'live-metric-unknown lazybird_unplanned_total',
      ].sort(),
    );
  });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command line as users run it; asynchronous, since the exporters it scrapes live in this process. */
function runCli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'generator/cli.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tsx generator/cli.ts check --live URL', () => {
  let scratch: string;
  let shopCatalogue: string;
  let wrong: http.Server;
  let wrongUrl: string;
  let demo: DemoProcess | undefined;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'lazybird-live-'));
    shopCatalogue = join(scratch, 'shop.yaml');
    writeFileSync(shopCatalogue, SHOP);
    const pages: Record<string, string> = { '/clean': CLEAN, '/wrong': WRONG };
    wrong = http.createServer((req, res) => {
      const body = pages[req.url ?? ''];
      res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body ?? 'not found\n');
    });
    await new Promise<void>((resolve) => wrong.listen(0, '127.0.0.1', resolve));
    wrongUrl = `http://127.0.0.1:${(wrong.address() as AddressInfo).port}`;
    demo = await startDemo(['--port', '0', '--seed', '7', '--rate', '5']);
  }, 180_000);

  afterAll(async () => {
    await demo?.stop('SIGTERM', 5_000);
    await new Promise<void>((resolve) => (wrong ? wrong.close(() => resolve()) : resolve()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('exits 0 on the running demo, whose exporter is generated from metrics.yaml', async () => {
    const run = await runCli('check', '--live', `${demo!.url}/metrics`);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^${demo!.url}/metrics matches metrics.yaml: \\d+ metrics, \\d+ series\\n$`));
    expect(run.code).toBe(0);
  }, 180_000);

  it('exits 0 on a hand-written exposition true to its catalogue', async () => {
    const run = await runCli('check', '--catalog', shopCatalogue, '--live', `${wrongUrl}/clean`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 180_000);

  it('exits 1 on a wrong exporter, one line naming each finding', async () => {
    const url = `${wrongUrl}/wrong`;
    const run = await runCli('check', '--catalog', shopCatalogue, '--live', url);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    const findings = lines.filter((l) => l.startsWith(`${url}: error: `));
    expect(findings.map((l) => /^\S+: error: (\S+): .* \[(live-[a-z-]+)\]$/.exec(l)?.slice(1, 3).reverse().join(' ')).sort()).toEqual(
      [
        'live-metric-missing shop_queue_depth',
        'live-metric-unknown shop_orders_total',
        'live-label-value shop_requests_total',
        'live-series-limit shop_requests_total',
        'live-type shop_errors_total',
        'live-help shop_cache_size_bytes',
      ].sort(),
    );
    expect(lines.at(-1)).toBe(`6 findings: ${url} differs from ${shopCatalogue}`);
    expect(run.stdout).toBe('');
  }, 180_000);

  it('exits 1 when nothing answers, and 2 on usage errors', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = http.createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const run = await runCli('check', '--live', `http://127.0.0.1:${closed}/metrics`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^http://127.0.0.1:${closed}/metrics: error: cannot scrape: ECONNREFUSED \\[live-unreachable\\]\\n$`));

    const io = { out: () => undefined, err: () => undefined };
    expect(await main(['generate', '--live', 'http://127.0.0.1:1/metrics'], io)).toBe(2);
    expect(await main(['check', '--live', 'http://127.0.0.1:1/metrics', '--check'], io)).toBe(2);
    expect(await main(['check', '--live'], io)).toBe(2);
  }, 180_000);
});
