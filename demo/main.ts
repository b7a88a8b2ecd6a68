/**
 * `npm run demo`: the simulated LazyBird workload on http://127.0.0.1:9464, optionally with a local
 * Prometheus scraping it (`--with-prometheus`). Stops cleanly on SIGINT and SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startDemoApp, urlHost } from './app.js';
import type { DemoApp } from './app.js';
import { parseDemoArgs, USAGE } from './args.js';
import type { DemoOptions } from './args.js';
import { FAULTS } from './faults.js';
import { findOnPath, prometheusConfig, startPrometheus } from '../generator/simulate/prometheus.js';
import type { RunningPrometheus } from '../generator/simulate/prometheus.js';
import { SHORT_WINDOWS, shortRules } from '../generator/simulate/short-windows.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CATALOGUE = join(ROOT, 'metrics.yaml');

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const parsed = parseDemoArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    out(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    err(`error: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const options = parsed.options;

  let app: DemoApp;
  try {
    app = await startDemoApp({ ...options, log: (line) => out(`demo: ${line}`) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0 or another port)` : (error as Error).message;
    err(`error: cannot listen on ${options.host}:${options.port}: ${why}`);
    return 1;
  }

  // The first line is what scripts (and the end-to-end test) wait for.
  out(`demo listening on ${app.url}`);
  out(`  ${app.url}/metrics   ${app.url}/health   ${app.url}/dashboard   ${app.url}/faults`);
  out(`  ${options.rate} tasks/s, load cycle ${options.cycleSeconds}s, seed ${options.seed}${options.seedGiven ? '' : ` (repeat this run with --seed ${options.seed})`}`);
  out(`  faults on: ${options.faults.length === 0 ? 'none' : options.faults.join(', ')}; turn one on with: curl -X POST ${app.url}/faults/spike`);
  for (const fault of options.faults) out(`  fault ${fault}: ${FAULTS[fault].description}`);

  const cleanups: (() => Promise<void> | void)[] = [];
  if (options.withPrometheus) {
    try {
      const prometheus = await withPrometheus(options, app);
      if (prometheus) cleanups.push(() => prometheus.stop());
    } catch (error) {
      err(`error: prometheus did not start: ${(error as Error).message}`);
      await app.stop();
      return 1;
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        err(`demo: ${signal} again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      out(`demo: ${signal}, stopping`);
      void (async () => {
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup();
          } catch (error) {
            err(`demo: cleanup failed: ${(error as Error).message}`);
          }
        }
        await app.stop();
        out(`demo: stopped after ${app.workload.tasksCompleted} tasks`);
        resolve(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function withPrometheus(options: DemoOptions, app: DemoApp): Promise<RunningPrometheus | undefined> {
  const binary = findOnPath('prometheus');
  if (binary === undefined) {
    err('prometheus is not on the PATH, so only the demo runs. To get it:');
    err('  Debian/Ubuntu: sudo apt-get install -y prometheus   (then stop the packaged service if you like: sudo systemctl disable --now prometheus)');
    err('  elsewhere: a release from https://prometheus.io/download/, with the prometheus binary on the PATH');
    return undefined;
  }

  let ruleFiles = [join(ROOT, 'alerts', '*.yaml')];
  let rulesDir: string | undefined;
  let scrapeInterval = options.scrapeInterval ?? catalogueScrapeInterval();
  if (options.fastAlerts) {
    const short = shortRules(readFileSync(CATALOGUE, 'utf8'), 'metrics.yaml');
    rulesDir = mkdtempSync(join(tmpdir(), 'lazybird-rules-'));
    const file = join(rulesDir, 'lazybird.short.rules.yaml');
    writeFileSync(file, short.rules);
    ruleFiles = [file];
    scrapeInterval = options.scrapeInterval ?? SHORT_WINDOWS.scrapeInterval;
  }
  const evaluationInterval = options.evaluationInterval ?? scrapeInterval;
  const target = `${urlHost(options.host)}:${app.port}`;
  const config = prometheusConfig({ jobs: [{ job: 'lazybird', targets: [target] }], ruleFiles, scrapeInterval, evaluationInterval });

  let prometheus: RunningPrometheus;
  try {
    prometheus = await startPrometheus({ config, binary, host: '127.0.0.1', port: options.prometheusPort });
  } catch (error) {
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
    throw error;
  }
  // Should the demo die without its SIGINT/SIGTERM path, take Prometheus and its files along.
  process.once('exit', () => {
    if (prometheus.process.exitCode === null && prometheus.process.signalCode === null) prometheus.process.kill('SIGKILL');
    rmSync(prometheus.dir, { recursive: true, force: true });
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  });
  out(`prometheus on ${prometheus.url} (pid ${prometheus.process.pid}; scrape every ${scrapeInterval}, rules every ${evaluationInterval}${options.fastAlerts ? ', short alert windows' : ''})`);
  out(`  targets ${prometheus.url}/targets   alerts ${prometheus.url}/alerts   rules ${prometheus.url}/rules`);
  out(`  config ${prometheus.configFile}   log ${prometheus.logFile}`);
  if (!options.fastAlerts) out('  (the rules of alerts/ wait minutes to hours before firing; --fast-alerts loads them on second-long windows)');
  return {
    ...prometheus,
    async stop() {
      await prometheus.stop();
      if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
    },
  };
}

/** The catalogue's `scrape_interval`, which absence alerts are sized for; Prometheus' default otherwise. */
function catalogueScrapeInterval(): string {
  try {
    const raw = parse(readFileSync(CATALOGUE, 'utf8')) as { scrape_interval?: unknown } | null;
    if (typeof raw?.scrape_interval === 'string') return raw.scrape_interval;
  } catch {
    // fall through
  }
  return '1m';
}

main().then(
  (code) => {
    process.exitCode = code;
    // Nothing should be left, but a forgotten handle must not keep a stopped demo alive.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    err(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
