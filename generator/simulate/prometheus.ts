/**
 * A local Prometheus for the demo and the end-to-end test: the prometheus.yml that scrapes the demo
 * and loads the rule files, and starting and stopping the binary on loopback with its storage in a
 * temporary folder.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';

export interface ScrapeJob {
  /** The `job` label of every series scraped from these targets. */
  readonly job: string;
  /** `host:port` of each exporter. */
  readonly targets: readonly string[];
  /** Default `/metrics`. */
  readonly metricsPath?: string;
  /** Labels added to every series of these targets (as a store's `cluster` would be). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusConfigOptions {
  readonly jobs: readonly ScrapeJob[];
  /** Paths or globs of rule files, as Prometheus resolves them (absolute is safest). */
  readonly ruleFiles: readonly string[];
  /** Prometheus duration, e.g. `15s`; keep it equal to the catalogue's `scrape_interval`. */
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
}

/** prometheus.yml, serialized from an object. */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const interval = durationSeconds(options.scrapeInterval);
  // Prometheus refuses a scrape timeout longer than the interval, and its default is 10s.
  const timeout = interval < 10 ? options.scrapeInterval : '10s';
  const config = {
    global: {
      scrape_interval: options.scrapeInterval,
      scrape_timeout: timeout,
      evaluation_interval: options.evaluationInterval,
    },
    rule_files: [...options.ruleFiles],
    scrape_configs: options.jobs.map((job) => ({
      job_name: job.job,
      metrics_path: job.metricsPath ?? '/metrics',
      static_configs: [{ targets: [...job.targets], ...(job.labels === undefined ? {} : { labels: { ...job.labels } }) }],
    })),
  };
  return stringify(config, { lineWidth: 0 });
}

/** Seconds in a simple Prometheus duration (`1s`, `15s`, `1m`, `1m30s`, `500ms`). */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? NaN), 0);
}

/** Full path of an executable on the PATH, or undefined. */
export function findOnPath(command: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Ports this process was handed: the kernel may offer a port again once its probe closed it. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago on `host` (the kernel's pick for port 0), never one this
 * process was given before, so several probes in a row give distinct ports.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await probePort(host);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function probePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface StartPrometheusOptions {
  /** Content of prometheus.yml. */
  readonly config: string;
  /** Default `prometheus` from the PATH. */
  readonly binary?: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Give up waiting for readiness after this long. Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** Feature flags to enable (`native-histograms`, `exemplar-storage`, ...), passed as one `--enable-feature`. */
  readonly features?: readonly string[];
}

export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Folder holding prometheus.yml, the TSDB and prometheus.log; removed by stop(). */
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on loopback with its config, TSDB and log in a new temporary folder, and
 * resolves once `/-/ready` answers. On any failure the process is killed and the folder removed.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? 'prometheus';
  const host = options.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'lazybird-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  const logFile = join(dir, 'prometheus.log');
  writeFileSync(configFile, options.config);

  // A port probed free can be taken before Prometheus binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
    const port = options.port || (await freePort(host));
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${host.includes(':') ? `[${host}]` : host}:${port}`,
        '--log.level=info',
        ...(options.features?.length ? [`--enable-feature=${[...new Set(options.features)].join(',')}`] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
    });
    const running = handle(child, url, dir, configFile, logFile);
    try {
      await waitReady(child, url, options.readyTimeoutMs ?? 30_000, () => spawnError);
      return running;
    } catch (error) {
      lastError = error;
      await stopProcess(child);
      log.end();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function handle(child: ChildProcess, url: string, dir: string, configFile: string, logFile: string): RunningPrometheus {
  let stopping: Promise<void> | undefined;
  // Whatever happens to this process, its Prometheus does not outlive it.
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));
  return {
    url,
    dir,
    configFile,
    logFile,
    process: child,
    stop() {
      stopping ??= stopProcess(child).finally(() => rmSync(dir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

async function waitReady(child: ChildProcess, url: string, timeoutMs: number, spawnError: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const error = spawnError();
    if (error !== undefined) throw new Error(`cannot start prometheus: ${error.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited (code ${child.exitCode}) before it was ready`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus was not ready at ${url} within ${timeoutMs} ms`);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves once the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
