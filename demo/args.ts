/** The demo's command line: flags, their environment fallbacks and defaults. Pure, for tests. */
import { parseArgs } from 'node:util';
import type { Service } from '../generated/metrics.js';
import { FAULT_NAMES, isFaultName } from './faults.js';
import type { FaultName } from './faults.js';
import { DEFAULT_WORKLOAD } from './workload.js';

export const USAGE = `usage: npm run demo -- [options]

A simulated LazyBird workload recording through generated/metrics.ts. Serves /metrics, /health,
/dashboard and /faults.

options:
  --port N                 port to listen on (env PORT; default 9464; 0 picks a free one)
  --host HOST              address to listen on (env HOST; default 127.0.0.1)
  --rate N                 tasks completed per second (default ${DEFAULT_WORKLOAD.rate})
  --seed N                 seed of the random source (default: from the clock; printed at start)
  --cycle SECONDS          period of the load cycle task durations follow (default ${DEFAULT_WORKLOAD.cycleSeconds})
  --fault NAME             start with a fault on; repeatable: ${FAULT_NAMES.join(', ')}
  --failing-service NAME   the service the errors fault breaks (default ${DEFAULT_WORKLOAD.failingService})
  --with-prometheus        also start Prometheus (if on the PATH) scraping the demo with the rules of alerts/
  --prometheus-port N      port of that Prometheus (default 9090; 0 picks a free one)
  --scrape-interval D      its scrape interval (default: the catalogue's scrape_interval)
  --evaluation-interval D  its rule evaluation interval (default: the scrape interval)
  --fast-alerts            with --with-prometheus: load the rules of the catalogue with short windows
                           (generator/simulate/short-windows.ts) and scrape every second, so faults fire within a minute
  --help                   this text

faults at runtime:
  curl -X POST   http://127.0.0.1:9464/faults/spike     turn one on
  curl -X DELETE http://127.0.0.1:9464/faults/spike     turn it off
  curl           http://127.0.0.1:9464/faults           list them`;

const SERVICES: readonly Service[] = ['github', 'anthropic', 'openai', 'google', 'sonarqube'];
const DURATION = /^(\d+(ms|s|m|h|d))+$/;

export interface DemoOptions {
  readonly port: number;
  readonly host: string;
  readonly rate: number;
  readonly seed: number;
  readonly seedGiven: boolean;
  readonly cycleSeconds: number;
  readonly faults: readonly FaultName[];
  readonly failingService: Service;
  readonly withPrometheus: boolean;
  readonly prometheusPort: number;
  readonly scrapeInterval: string | undefined;
  readonly evaluationInterval: string | undefined;
  readonly fastAlerts: boolean;
}

export type ParsedArgs = { readonly kind: 'run'; readonly options: DemoOptions } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

/** Flags win over the environment (`PORT`, `HOST`); `now` seeds the random source when `--seed` is not given. */
export function parseDemoArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now = Date.now()): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        cycle: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'failing-service': { type: 'string' },
        'with-prometheus': { type: 'boolean', default: false },
        'prometheus-port': { type: 'string' },
        'scrape-interval': { type: 'string' },
        'evaluation-interval': { type: 'string' },
        'fast-alerts': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };

  const port = integer(values.port ?? env['PORT'] ?? '9464', 0, 65535);
  if (port === undefined) return { kind: 'error', message: `--port (or PORT) must be a port number from 0 to 65535, not "${values.port ?? env['PORT']}"` };
  const host = values.host ?? env['HOST'] ?? '127.0.0.1';
  if (host === '') return { kind: 'error', message: '--host (or HOST) must not be empty' };
  const rate = Number(values.rate ?? DEFAULT_WORKLOAD.rate);
  if (!(rate > 0 && rate <= 1000)) return { kind: 'error', message: `--rate must be a number of tasks per second above 0 and at most 1000, not "${values.rate}"` };
  const seed = values.seed === undefined ? now % 2 ** 31 : integer(values.seed, 0, 2 ** 32 - 1);
  if (seed === undefined) return { kind: 'error', message: `--seed must be an integer from 0 to 4294967295, not "${values.seed}"` };
  const cycleSeconds = Number(values.cycle ?? DEFAULT_WORKLOAD.cycleSeconds);
  if (!(cycleSeconds >= 1)) return { kind: 'error', message: `--cycle must be a number of seconds of at least 1, not "${values.cycle}"` };
  const faults: FaultName[] = [];
  for (const fault of values.fault ?? []) {
    if (!isFaultName(fault)) return { kind: 'error', message: `unknown fault "${fault}"; faults are ${FAULT_NAMES.join(', ')}` };
    if (!faults.includes(fault)) faults.push(fault);
  }
  const failingService = values['failing-service'] ?? DEFAULT_WORKLOAD.failingService;
  if (!(SERVICES as readonly string[]).includes(failingService)) {
    return { kind: 'error', message: `--failing-service must be one of ${SERVICES.join(', ')}, not "${failingService}"` };
  }
  const prometheusPort = integer(values['prometheus-port'] ?? '9090', 0, 65535);
  if (prometheusPort === undefined) return { kind: 'error', message: `--prometheus-port must be a port number, not "${values['prometheus-port']}"` };
  for (const flag of ['scrape-interval', 'evaluation-interval'] as const) {
    const value = values[flag];
    if (value !== undefined && !DURATION.test(value)) return { kind: 'error', message: `--${flag} must be a Prometheus duration such as 15s or 1m, not "${value}"` };
  }
  if (!values['with-prometheus']) {
    for (const flag of ['prometheus-port', 'scrape-interval', 'evaluation-interval', 'fast-alerts'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) return { kind: 'error', message: `--${flag} applies with --with-prometheus` };
    }
  }

  return {
    kind: 'run',
    options: {
      port,
      host,
      rate,
      seed,
      seedGiven: values.seed !== undefined,
      cycleSeconds,
      faults,
      failingService: failingService as Service,
      withPrometheus: values['with-prometheus'],
      prometheusPort,
      scrapeInterval: values['scrape-interval'],
      evaluationInterval: values['evaluation-interval'],
      fastAlerts: values['fast-alerts'],
    },
  };
}

function integer(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}
