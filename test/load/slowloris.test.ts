/**
 * The review's slowloris under a file-descriptor limit: with `ulimit -n 1024`, 1100 connections that
 * send their headers a byte at a time and never finish them made 74 of 75 scrapes fail. The
 * exporter (a child process under that limit) must keep serving a fresh client while they are open.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startExporter, timedGet } from './helpers/exporter.js';
import type { Exporter } from './helpers/exporter.js';

const SLOW_CONNECTIONS = 1100;
const SCRAPES = 75;

/** Opens a connection that starts a request and then sends one more header byte per `drip`. */
function slowClient(port: number, sockets: net.Socket[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      resolve();
    });
    socket.once('close', () => resolve());
  });
}

describe('a slowloris under ulimit -n 1024', () => {
  let exporter: Exporter | undefined;
  const sockets: net.Socket[] = [];
  let drip: NodeJS.Timeout | undefined;
  afterAll(() => {
    clearInterval(drip);
    for (const socket of sockets) socket.destroy();
    exporter?.stop();
  });

  it('does not lock scrapers out', async () => {
    exporter = await startExporter({ fdLimit: 1024 });
    const { port } = exporter;
    await Promise.all(Array.from({ length: SLOW_CONNECTIONS }, () => slowClient(port, sockets)));
    drip = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write('x');
    }, 500);
    const stillOpen = sockets.filter((s) => !s.destroyed).length;

    const statuses: number[] = [];
    for (let i = 0; i < SCRAPES; i++) statuses.push((await timedGet(port, i % 5 === 4 ? '/health' : '/metrics', 5_000)).status);
    const served = statuses.filter((s) => s === 200).length;
    console.log(`slow connections still open on the client side: ${stillOpen} of ${SLOW_CONNECTIONS}; scrapes served: ${served} of ${SCRAPES}`);
    expect(served).toBe(SCRAPES);
  }, 180_000);
});
