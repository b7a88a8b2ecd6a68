/**
 * `check --live` against hostile exporters, served from this process on 127.0.0.1: a body that would
 * be 1 GiB, a gzip bomb, a flood of malformed lines, a line with 200 000 labels, terminal escape
 * sequences, a URL with a password, an answer that never ends. Each is bounded, clear, exit 1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { main } from '../../generator/cli.js';
import { EXPOSITION_LIMITS, ExpositionParser, SCRAPE_LIMITS, checkExposition, parseExposition, scrape } from '../../generator/checks/live/index.js';
import { catalogue, makeTempDir } from '../helpers/catalogue.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const CATALOGUE = catalogue();
const { catalog } = compileCatalog(CATALOGUE, 'metrics.yaml');
const shop = catalog!;

/** Bytes each streaming route wrote before the client stopped reading. */
const sent = new Map<string, number>();

/** Writes `total` bytes of `line` repeated, as fast as the client reads, stopping when it leaves. */
function stream(path: string, res: http.ServerResponse | NodeJS.WritableStream, line: string, total: number): void {
  const chunk = Buffer.from(line.repeat(Math.ceil(MiB / line.length)));
  let written = 0;
  let stopped = false;
  const stop = (): void => void (stopped = true);
  (res as NodeJS.EventEmitter).on('close', stop);
  (res as NodeJS.EventEmitter).on('error', stop);
  const pump = (): void => {
    while (!stopped && written < total) {
      written += chunk.length;
      sent.set(path, written);
      if (!res.write(chunk)) return void (res as NodeJS.EventEmitter).once('drain', pump);
    }
    if (!stopped) res.end();
  };
  pump();
}

const ESCAPES = '\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\u009b2J\u202egnp.exe\u007f';

let server: http.Server;
let base: string;
const tmp = makeTempDir();
const catalogPath = join(tmp.path, 'metrics.yaml');

beforeAll(async () => {
  writeFileSync(catalogPath, CATALOGUE);
  server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const text = { 'Content-Type': 'text/plain; version=0.0.4' };
    if (path === '/huge') {
      res.writeHead(200, text);
      return stream(path, res, '# a comment line that goes on and on, as many as it takes to make a gigabyte\n', 1024 * MiB);
    }
    if (path === '/bomb') {
      // About 1 MiB on the wire would inflate to 1 GiB; compressed only as fast as it is read.
      res.writeHead(200, { ...text, 'Content-Encoding': 'gzip' });
      const gzip = createGzip({ level: 9 });
      gzip.pipe(res);
      res.on('close', () => gzip.destroy());
      return stream(path, gzip, '#'.repeat(1023) + '\n', 1024 * MiB);
    }
    if (path === '/malformed-200mb') {
      res.writeHead(200, text);
      return stream(path, res, 'this is not a sample at all\n', 200 * MiB);
    }
    if (path === '/malformed-1000') {
      res.writeHead(200, text);
      return void res.end('not a sample\n'.repeat(1000));
    }
    if (path === '/escapes') {
      res.writeHead(200, text);
      return void res.end(
        `# HELP shop_requests_total Requests ${ESCAPES}\n# TYPE shop_requests_total counter\n` +
          `shop_requests_total{method="${ESCAPES.replace(/\u007f/, '')}"} 1\nshop_${ESCAPES} 1\nshop_requests_total{${ESCAPES}="x"} 1\n`,
      );
    }
    if (path === '/auth') {
      if (req.headers.authorization !== `Basic ${Buffer.from('admin:s3cr3t-pa55').toString('base64')}`) {
        res.writeHead(401, text);
        return void res.end('no\n');
      }
      res.writeHead(200, text);
      return void res.end('');
    }
    if (path === '/never-ends') {
      res.writeHead(200, text);
      return void res.write('# started\n');
    }
    res.writeHead(404, text);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = http.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Peak resident memory of this process so far, in bytes. */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

describe('the body is bounded, also after decompression', () => {
  it('stops reading a body that would be 1 GiB at 64 MiB, with low memory', async () => {
    const before = peakRss();
    // A generous timeout: on a busy machine reading 64 MiB may take longer than the default 10 s.
    const result = await scrape(`${base}/huge`, { timeoutMs: 100_000 });
    expect(result).toEqual({ ok: false, reason: 'the body is larger than 64 MiB (after decompression); stopped reading' });
    expect(sent.get('/huge')).toBeLessThan(256 * MiB);
    expect(peakRss() - before).toBeLessThan(300 * MiB);
  }, 120_000);

  it('counts decoded bytes of a gzip bomb, and stops at 64 MiB of them', async () => {
    const before = peakRss();
    const result = await scrape(`${base}/bomb`, { timeoutMs: 100_000 });
    expect(result).toEqual({ ok: false, reason: 'the body is larger than 64 MiB (after decompression); stopped reading' });
    // Socket buffers hold a few hundred KiB on the wire, which inflate a thousandfold: the server
    // runs ahead of what was read, but never near the whole gigabyte.
    expect(sent.get('/bomb')).toBeLessThan(512 * MiB);
    expect(peakRss() - before).toBeLessThan(300 * MiB);
  }, 120_000);

  it('turns 200 MB of malformed lines into one clear error line, exit 1', async () => {
    const result = await run('check', '--catalog', catalogPath, '--live', `${base}/malformed-200mb`, '--timeout', '100');
    expect(result.code).toBe(1);
    expect(result.err).toBe(`${base}/malformed-200mb: error: cannot scrape: the body is larger than 64 MiB (after decompression); stopped reading [live-unreachable]`);
  }, 120_000);

  it('gives up on an answer that never ends, after the timeout', async () => {
    const result = await scrape(`${base}/never-ends`, { timeoutMs: 300 });
    expect(result).toEqual({ ok: false, reason: 'no complete answer within 300 ms' });
  }, 180_000);
});

describe('findings and lines are bounded', () => {
  it(`keeps ${EXPOSITION_LIMITS.problems} malformed lines and counts the rest, over many megabytes`, () => {
    const lines = 1_500_000;
    const parsed = parseExposition('this is not a sample at all\n'.repeat(lines));
    expect(parsed.problems).toHaveLength(EXPOSITION_LIMITS.problems);
    expect(parsed.problemCount).toBe(lines);
    expect(parsed.problems.at(-1)?.line).toBe(EXPOSITION_LIMITS.problems);
  });

  it('prints the first hundred findings, then how many more', async () => {
    const result = await run('check', '--catalog', catalogPath, '--live', `${base}/malformed-1000`);
    expect(result.code).toBe(1);
    const lines = result.err.split('\n');
    expect(lines.filter((l) => l.endsWith('[live-malformed]'))).toHaveLength(SCRAPE_LIMITS.printedFindings);
    // 100 lines kept by the parser, one counting the other 900, and every catalogue metric missing.
    const total = EXPOSITION_LIMITS.problems + 1 + shop.metrics.length;
    expect(lines.at(-2)).toBe(`${base}/malformed-1000: ... and ${total - SCRAPE_LIMITS.printedFindings} more findings`);
    expect(lines.at(-1)).toBe(`${total} findings: ${base}/malformed-1000 differs from ${catalogPath}`);
  });

  it('reads a line with 200 000 labels as one malformed line, without recursion or a stack overflow', () => {
    const labels = Array.from({ length: 200_000 }, (_, i) => `l${i}="v"`).join(',');
    const report = checkExposition(shop, `# TYPE shop_requests_total counter\nshop_requests_total{${labels}} 1\n`);
    expect(report.findings.filter((f) => f.rule === 'live-malformed').map((f) => f.message)).toEqual([
      `line 2: longer than ${EXPOSITION_LIMITS.lineLength} characters; not read`,
    ]);
  });

  it(`refuses a sample with more than ${EXPOSITION_LIMITS.labelsPerSample} labels, and keeps one with that many`, () => {
    const line = (count: number): string => `shop_requests_total{${Array.from({ length: count }, (_, i) => `l${i}="v"`).join(',')}} 1`;
    const parsed = parseExposition(`${line(EXPOSITION_LIMITS.labelsPerSample)}\n${line(EXPOSITION_LIMITS.labelsPerSample + 1)}\n`);
    expect(parsed.problems).toEqual([{ line: 2, message: `shop_requests_total: more than ${EXPOSITION_LIMITS.labelsPerSample} labels` }]);
    expect(Object.keys(parsed.families.get('shop_requests_total')!.samples[0]!.labels)).toHaveLength(EXPOSITION_LIMITS.labelsPerSample);
  });

  it('reads the same exposition whatever the pieces it arrives in, CRLF split included', () => {
    const text = '# HELP a_total One \\\\ two.\r\n# TYPE a_total counter\r\na_total{x="1\\n2",y="é😀"} 3\r\nbad line\r\nh_bucket{le="+Inf"} 2';
    const whole = parseExposition(text);
    for (const size of [1, 2, 3, 7]) {
      const parser = new ExpositionParser();
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      expect(parser.end()).toEqual(whole);
    }
    expect(whole.problems).toEqual([{ line: 4, message: 'bad: invalid value "line"' }]);
    expect(whole.families.get('a_total')?.samples[0]?.labels).toEqual({ x: '1\n2', y: 'é😀' });
  });

  it('skips a line longer than the limit, whatever the chunks it arrives in', () => {
    const long = `shop_requests_total{method="${'x'.repeat(EXPOSITION_LIMITS.lineLength)}"} 1`;
    const text = `a 1\n${long}\nb 2\n`;
    for (const size of [text.length, 65_536, 1_000_003]) {
      const parser = new ExpositionParser();
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      const parsed = parser.end();
      expect(parsed.problems).toEqual([{ line: 2, message: `longer than ${EXPOSITION_LIMITS.lineLength} characters; not read` }]);
      expect([...parsed.families.keys()]).toEqual(['a', 'b']);
    }
  });
});

describe('what is printed is inert', () => {
  it('escapes control characters and bidi overrides from the scraped text', async () => {
    const result = await run('check', '--catalog', catalogPath, '--live', `${base}/escapes`);
    expect(result.code).toBe(1);
    const printed = result.out + result.err;
    expect(printed).toContain('live-help');
    expect(printed).toMatch(/\\u(\{1b\}|001b)\]0;pwned/);
    expect(printed).toContain('\\u{9b}2J');
    expect(printed).toContain('\\u{202e}');
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('never prints a password: sent as basic auth, taken out of every URL shown', async () => {
    const secret = 's3cr3t-pa55';
    const ok = await run('check', '--catalog', catalogPath, '--live', `http://admin:${secret}@127.0.0.1:${new URL(base).port}/auth`);
    expect(ok.code).toBe(1); // an empty exposition: every metric missing, but the server let us in
    expect(ok.err).toContain(`http://127.0.0.1:${new URL(base).port}/auth: error: shop_requests_total: declared in the catalogue but not exposed`);
    const refused = await run('check', '--catalog', catalogPath, '--live', `http://admin:wrong-${secret}@127.0.0.1:${new URL(base).port}/auth`);
    expect(refused.err).toBe(`http://127.0.0.1:${new URL(base).port}/auth: error: cannot scrape: HTTP 401 Unauthorized [live-unreachable]`);
    const port = await closedPort();
    const closed = await run('check', '--catalog', catalogPath, '--live', `http://admin:${secret}@127.0.0.1:${port}/metrics`);
    expect(closed.err).toBe(`http://127.0.0.1:${port}/metrics: error: cannot scrape: ECONNREFUSED [live-unreachable]`);
    const unparsable = await run('check', '--catalog', catalogPath, '--live', `http://admin:${secret}@[::1/metrics`);
    expect(unparsable.err).toBe('http://[::1/metrics: error: cannot scrape: not a URL [live-unreachable]');
    const slash = await run('check', '--catalog', catalogPath, '--live', `http://admin:pa/${secret}@127.0.0.1:${port}/metrics`);
    expect(slash.err).toBe(`http://127.0.0.1:${port}/metrics: error: cannot scrape: not a URL [live-unreachable]`);
    for (const r of [ok, refused, closed, unparsable, slash]) expect(r.out + r.err).not.toContain(secret);
  });
});
