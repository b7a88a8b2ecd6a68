/**
 * /metrics under load on loopback: autocannon scrapes for ~20 s while the same exporter process
 * records at full speed. No errors, the scrape p99 reported, the heap flat after warm-up.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/busy-exporter.ts', import.meta.url));
const DURATION_SECONDS = 20;

interface Report {
  port?: number;
  heap?: number;
  recorded?: number;
}

describe('the exporter under scrape load', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves every scrape while recording, with a flat heap', async () => {
    child = spawn(process.execPath, ['--expose-gc', '--conditions=lazybird-metrics:source', '--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reports: Report[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child!.stdout! });
      lines.on('line', (line) => {
        const report = JSON.parse(line) as Report;
        if (report.port !== undefined) resolve(report.port);
        else reports.push(report);
      });
      child!.once('exit', (code) => reject(new Error(`exporter exited early (${code})`)));
      setTimeout(() => reject(new Error('exporter did not start')), 20_000);
    });

    const result = await autocannon({
      url: `http://127.0.0.1:${port}/metrics`,
      connections: 4,
      duration: DURATION_SECONDS,
    });
    child.kill('SIGTERM');

    console.log(
      `scrapes: ${result.requests.total} in ${DURATION_SECONDS} s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
        `recordings: ${reports.at(-1)?.recorded ?? 0}; heap MB per second: ${reports.map((r) => ((r.heap ?? 0) / 1e6).toFixed(1)).join(' ')}`,
    );
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requests.total).toBeGreaterThan(DURATION_SECONDS * 10);
    // It kept recording while it served: millions of calls, not a handful.
    const recorded = reports.map((r) => r.recorded ?? 0);
    expect(recorded.at(-1)!).toBeGreaterThan(1_000_000);

    // Flat heap: after 5 s of warm-up, the last samples are no higher than the early ones plus slack.
    const heaps = reports.map((r) => r.heap ?? 0).slice(5);
    expect(heaps.length).toBeGreaterThanOrEqual(10);
    const early = Math.max(...heaps.slice(0, 5));
    const late = Math.max(...heaps.slice(-5));
    expect(late).toBeLessThan(early * 1.2 + 2e6);
  }, 180_000);
});
