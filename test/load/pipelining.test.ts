/**
 * The review's attack on loopback: 40 connections each pipeline 1800 `GET /metrics` and never read,
 * held for 30 s (a connection the server cuts is opened again, a fixed number of times in all). The
 * exporter (the seed catalogue's generated module, in a child process so its RSS is its own) must
 * keep its RSS growth under 100 MB, answer a separate client's /metrics and /health within 1 s at
 * every sample, and give the memory back once the connections are gone. Before the fix, 5 such
 * connections took it from 80 MB to 1 GB and 40 killed it.
 */
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineWithoutReading, sleep, startExporter, timedGet } from './helpers/exporter.js';
import type { Exporter } from './helpers/exporter.js';

const CONNECTIONS = 40;
const PIPELINED = 1800;
/** How many times each of the 40 is opened in all. */
const OPENINGS = 10;
/** One sample a second for 30 s. */
const SAMPLES = 30;
const MB = 1e6;
const ONE_REQUEST = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('pipelining clients that never read', () => {
  let exporter: Exporter | undefined;
  const sockets = new Set<net.Socket>();
  let attacking = true;
  afterAll(() => {
    attacking = false;
    for (const socket of sockets) socket.destroy();
    exporter?.stop();
  });

  it('cannot grow the exporter by 100 MB, nor slow a scraper past 1 s, and the memory comes back', async () => {
    exporter = await startExporter();
    const { port } = exporter;
    expect((await timedGet(port, '/metrics', 5_000)).status).toBe(200);
    const before = await exporter.memory(true);

    let opened = 0;
    const attack = async (): Promise<void> => {
      for (let i = 0; i < OPENINGS && attacking; i++) {
        const socket = await pipelineWithoutReading(port, PIPELINED);
        opened++;
        sockets.add(socket);
        // A client that does not read cannot see the server close: writing one more request a
        // second (still never reading) is how it finds out, and then it comes back.
        while (!socket.destroyed && attacking) {
          await sleep(1_000);
          socket.write(ONE_REQUEST);
        }
        sockets.delete(socket);
        await sleep(1_000);
      }
    };
    const attackers = Array.from({ length: CONNECTIONS }, attack);

    let peakRss = before.rss;
    const slow: string[] = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      await sleep(1_000);
      const [metrics, health, memory] = await Promise.all([
        timedGet(port, '/metrics', 5_000),
        timedGet(port, '/health', 5_000),
        exporter.memory(),
      ]);
      peakRss = Math.max(peakRss, memory.rss);
      for (const [path, reply] of [['/metrics', metrics], ['/health', health]] as const) {
        if (reply.status !== 200 || reply.ms > 1_000) slow.push(`sample ${sample} ${path}: ${reply.status} in ${reply.ms.toFixed(0)} ms`);
      }
    }
    attacking = false;
    for (const socket of sockets) socket.destroy();
    await Promise.all(attackers);
    await sleep(500);
    const after = await exporter.memory(true);

    console.log(
      `connections opened: ${opened}; RSS before ${(before.rss / MB).toFixed(0)} MB, peak ${(peakRss / MB).toFixed(0)} MB, ` +
        `after ${(after.rss / MB).toFixed(0)} MB; heap before ${(before.heap / MB).toFixed(1)} MB, after ${(after.heap / MB).toFixed(1)} MB`,
    );
    expect(opened).toBeGreaterThanOrEqual(CONNECTIONS);
    expect(slow).toEqual([]);
    expect(peakRss - before.rss).toBeLessThan(100 * MB);
    expect(after.heap - before.heap).toBeLessThan(10 * MB);
    expect(after.rss - before.rss).toBeLessThan(100 * MB);
  }, 120_000);
});
