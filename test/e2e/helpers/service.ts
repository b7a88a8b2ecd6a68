/**
 * A server binary for the end-to-end tests (VictoriaMetrics, vmagent, vmalert, Alertmanager):
 * started on a free loopback port with its files in a folder of its own, ready once an HTTP path
 * answers 200, stopped with SIGTERM then SIGKILL, and killed when the test process exits whatever
 * happened.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopProcess } from '../../../generator/simulate/prometheus.js';
import { sleep } from './demo.js';

export interface ServiceOptions {
  /** For messages and the log file's name. */
  readonly name: string;
  readonly binary: string;
  /** The command line, given the loopback address `127.0.0.1:PORT` to listen on. */
  readonly args: (listen: string) => readonly string[];
  /** Answers 200 once the service is ready, e.g. `/health`. */
  readonly readyPath: string;
  /** Folder for the service's log and data; created if missing. */
  readonly dir: string;
  /** Default 30 s. */
  readonly readyTimeoutMs?: number;
}

export interface Service {
  readonly name: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly listen: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** The last `lines` lines of the log, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, SIGKILL after 5 s; resolves once exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Every service started and not yet exited: none outlives the test process. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the service and waits until `readyPath` answers 200. A port probed free can be taken
 * before the service binds it, so a service that exits before it is ready is tried on other ports
 * (three attempts). On failure nothing is left running.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  mkdirSync(options.dir, { recursive: true });
  const logFile = join(options.dir, `${options.name}.log`);
  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const listen = `127.0.0.1:${await freePort()}`;
    const url = `http://${listen}`;
    const child = spawn(options.binary, [...options.args(listen)], { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    child.once('exit', () => running.delete(child));
    let stopping: Promise<void> | undefined;
    const service: Service = {
      name: options.name,
      url,
      listen,
      process: child,
      logFile,
      logTail,
      stop() {
        stopping ??= stopProcess(child);
        return stopping;
      },
    };
    try {
      await waitReady(service, options.readyPath, options.readyTimeoutMs ?? 30_000, () => spawnError);
      return service;
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      await service.stop();
      if (spawnError !== undefined) break; // the binary itself is missing: no other port helps
    }
  }
  throw new Error(`${lastError?.message ?? `${options.name} did not start`}\n--- ${options.name} log (tail)\n${logTail()}`);
}

async function waitReady(service: Service, path: string, timeoutMs: number, spawnError: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const child = service.process;
  for (;;) {
    const error = spawnError();
    if (error !== undefined) throw new Error(`cannot start ${service.name}: ${error.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${service.name} exited (code ${child.exitCode}) before it was ready`);
    try {
      const response = await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} was not ready at ${service.url}${path} within ${timeoutMs} ms`);
    await sleep(200);
  }
}
