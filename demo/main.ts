/**
 * `npm run demo`: the simulated LazyBird workload on http://127.0.0.1:9464, optionally with a local
 * Prometheus scraping it (`--with-prometheus`). Stops cleanly on SIGINT and SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startDemoApp, urlHost } from './app.js';
import type { DemoApp } from './app.js';
import { parseDemoArgs, USAGE } from './args.js';
import type { DemoOptions } from './args.js';
import { FAULTS } from './faults.js';
import { launchLocalPrometheus } from '../generator/simulate/local-prometheus.js';
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
  const scrapeInterval = options.scrapeInterval ?? (options.fastAlerts ? SHORT_WINDOWS.scrapeInterval : catalogueScrapeInterval());
  const prometheus = await launchLocalPrometheus({
    job: 'lazybird',
    target: `${urlHost(options.host)}:${app.port}`,
    rules: options.fastAlerts
      ? { texts: new Map([['lazybird.short.rules.yaml', shortRules(readFileSync(CATALOGUE, 'utf8'), 'metrics.yaml').rules]]) }
      : { files: [join(ROOT, 'alerts', '*.rules.yaml')] },
    scrapeInterval,
    evaluationInterval: options.evaluationInterval ?? scrapeInterval,
    port: options.prometheusPort,
    ...(options.fastAlerts ? { note: 'short alert windows' } : {}),
    out,
    err,
  });
  if (prometheus && !options.fastAlerts) out('  (the rules of alerts/ wait minutes to hours before firing; --fast-alerts loads them on second-long windows)');
  return prometheus;
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
