/** Runs test/load/fixtures/seed-exporter.ts in a child process and talks to it. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/seed-exporter.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Memory {
  rss: number;
  heap: number;
}

export interface Exporter {
  readonly port: number;
  readonly child: ChildProcess;
  /** The child's memory; `collect` runs a full GC first. */
  memory(collect?: boolean): Promise<Memory>;
  stop(): void;
}

/**
 * Starts the exporter. `fdLimit` runs it under `ulimit -n`; `options` are startMetricsServer's.
 */
export async function startExporter(options: { fdLimit?: number; serverOptions?: Record<string, number> } = {}): Promise<Exporter> {
  const node = [process.execPath, '--expose-gc', '--conditions=lazybird-metrics:source', '--import', 'tsx', FIXTURE];
  const env = { ...process.env, EXPORTER_OPTIONS: JSON.stringify(options.serverOptions ?? {}) };
  const child =
    options.fdLimit === undefined
      ? spawn(node[0]!, node.slice(1), { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('bash', ['-c', `ulimit -n ${options.fdLimit} && exec "$@"`, 'bash', ...node], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((memory: Memory) => void)[] = [];
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('exporter did not start within 30 s')), 30_000);
      child.once('exit', (code) => reject(new Error(`exporter exited early (${code})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { port?: number } & Memory;
        if (message.port !== undefined) {
          clearTimeout(timer);
          resolve(message.port);
        } else waiting.shift()?.(message);
      });
    });
    return {
      port,
      child,
      memory: (collect = false) =>
        new Promise<Memory>((resolve) => {
          waiting.push(resolve);
          child.stdin!.write(collect ? 'gc\n' : 'mem\n');
        }),
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}

export interface Timed {
  status: number;
  ms: number;
}

/** One GET on a fresh connection; status 0 when it failed or took longer than `timeoutMs`. */
export function timedGet(port: number, path: string, timeoutMs: number): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number): void => resolve({ status, ms: performance.now() - started });
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', () => done(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0));
  });
}

/**
 * A connection that sends `count` pipelined `GET /metrics` at once and never reads. Resolves with
 * the socket once the requests are written (or the connection failed).
 */
export function pipelineWithoutReading(port: number, count: number): Promise<net.Socket> {
  const requests = 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(count);
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.pause();
    socket.once('connect', () => {
      socket.write(requests);
      resolve(socket);
    });
    socket.once('close', () => resolve(socket));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
