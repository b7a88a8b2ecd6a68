/**
 * `simulate`: serves synthetic but plausible values for every series of a catalogue, read and
 * compiled at run time, on /metrics (with /health, /dashboard and /faults), optionally with a
 * local Prometheus loading that catalogue's rules. Runs until SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileCatalog } from '../catalog/index.js';
import { formatDiagnostic, hasErrors } from '../catalog/diagnostics.js';
import type { Catalog } from '../catalog/model.js';
import { emitAll } from '../emit/index.js';
import { metricsHandler } from '../../runtime/index.js';
import { FaultSet, handleFaultRequest } from './faults.js';
import { pathOf, sendText, startHttpApp, urlHost } from './http.js';
import type { HttpApp } from './http.js';
import { launchLocalPrometheus, prometheusFeatures } from './local-prometheus.js';
import type { RunningPrometheus } from './prometheus.js';
import { SHORT_WINDOWS, shortRules } from './short-windows.js';
import { SIMULATION_FAULTS, Simulator } from './simulator.js';
import type { SimulationFault } from './simulator.js';
import { createCatalogueRuntime } from './specs.js';

export const SIMULATE_USAGE = `usage: simulate [options]

Serves synthetic values for every series of a catalogue on /metrics (with /health, /dashboard and
/faults), recorded through the runtime exactly as the generated module would, without generating it.

options:
  --catalog PATH           catalogue file (default: metrics.yaml)
  --port N                 port to listen on (default 9464; 0 picks a free one)
  --host HOST              address to listen on (default 127.0.0.1)
  --seed N                 seed of the random source (default: from the clock; printed at start)
  --fault NAME             start with a fault on; repeatable: ${Object.keys(SIMULATION_FAULTS).join(', ')}
  --no-exemplars           no exemplars (by default one increment or observation in 20 carries a
                           made-up trace id and span id)
  --with-prometheus        also start Prometheus (if on the PATH) scraping the simulator with the rules
                           the catalogue generates
  --prometheus-port N      port of that Prometheus (default 9090; 0 picks a free one)
  --scrape-interval D      its scrape interval (default: the catalogue's scrape_interval)
  --evaluation-interval D  its rule evaluation interval (default: the scrape interval)
  --fast-alerts            with --with-prometheus: the rules on second-long windows, scraped every second
  --help                   this text`;

const TICK_MS = 100;
const DURATION = /^(\d+(ms|s|m|h|d))+$/;

export interface SimulateIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface SimulateOptions {
  readonly catalog: string;
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly seedGiven: boolean;
  readonly faults: readonly SimulationFault[];
  /** Increments and observations carry exemplars (unless --no-exemplars). */
  readonly exemplars: boolean;
  readonly withPrometheus: boolean;
  readonly prometheusPort: number;
  readonly scrapeInterval: string | undefined;
  readonly evaluationInterval: string | undefined;
  readonly fastAlerts: boolean;
}

/** The options, 'help', or a usage error's message. Pure, for tests. */
export function parseSimulateArgs(argv: readonly string[], now = Date.now()): SimulateOptions | 'help' | { readonly error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        catalog: { type: 'string', default: 'metrics.yaml' },
        port: { type: 'string', default: '9464' },
        host: { type: 'string', default: '127.0.0.1' },
        seed: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'no-exemplars': { type: 'boolean', default: false },
        'with-prometheus': { type: 'boolean', default: false },
        'prometheus-port': { type: 'string' },
        'scrape-interval': { type: 'string' },
        'evaluation-interval': { type: 'string' },
        'fast-alerts': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return 'help';
  const port = portNumber(values.port);
  if (port === undefined) return { error: `--port must be a port number from 0 to 65535, not "${values.port}"` };
  if (values.host === '') return { error: '--host must not be empty' };
  const seed = values.seed === undefined ? now % 2 ** 31 : /^\d+$/.test(values.seed) && Number(values.seed) < 2 ** 32 ? Number(values.seed) : undefined;
  if (seed === undefined) return { error: `--seed must be an integer from 0 to 4294967295, not "${values.seed}"` };
  const faults: SimulationFault[] = [];
  for (const fault of values.fault ?? []) {
    if (!Object.hasOwn(SIMULATION_FAULTS, fault)) return { error: `unknown fault "${fault}"; faults are ${Object.keys(SIMULATION_FAULTS).join(', ')}` };
    if (!faults.includes(fault as SimulationFault)) faults.push(fault as SimulationFault);
  }
  const prometheusPort = portNumber(values['prometheus-port'] ?? '9090');
  if (prometheusPort === undefined) return { error: `--prometheus-port must be a port number, not "${values['prometheus-port']}"` };
  for (const flag of ['scrape-interval', 'evaluation-interval'] as const) {
    const value = values[flag];
    if (value !== undefined && !DURATION.test(value)) return { error: `--${flag} must be a Prometheus duration such as 15s or 1m, not "${value}"` };
  }
  if (!values['with-prometheus']) {
    for (const flag of ['prometheus-port', 'scrape-interval', 'evaluation-interval', 'fast-alerts'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) return { error: `--${flag} applies with --with-prometheus` };
    }
  }
  return {
    catalog: values.catalog,
    port,
    host: values.host,
    seed,
    seedGiven: values.seed !== undefined,
    faults,
    exemplars: !values['no-exemplars'],
    withPrometheus: values['with-prometheus'],
    prometheusPort,
    scrapeInterval: values['scrape-interval'],
    evaluationInterval: values['evaluation-interval'],
    fastAlerts: values['fast-alerts'],
  };
}

function portNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

export interface RunningSimulation {
  readonly app: HttpApp;
  readonly simulator: Simulator;
  readonly faults: FaultSet<SimulationFault>;
  stop(): Promise<void>;
}

/** Starts the simulator's server and its clock. Rejects with the listen error. */
export async function startSimulation(catalog: Catalog, options: Pick<SimulateOptions, 'port' | 'host' | 'seed' | 'faults'> & Partial<Pick<SimulateOptions, 'exemplars'>>, log?: (line: string) => void): Promise<RunningSimulation> {
  const target = createCatalogueRuntime(catalog);
  const faults = new FaultSet(SIMULATION_FAULTS, options.faults);
  const simulator = new Simulator(catalog, target, { seed: options.seed, faults, ...(options.exemplars === false ? { exemplars: 0 } : {}) });
  const serveMetrics = metricsHandler(target.runtime, { dashboards: target.dashboards });
  const index = `Simulated ${catalog.namespace} metrics from ${catalog.sourceFile}\n\nGET /metrics  /health  /dashboard  /faults\nPOST /faults/NAME turns a fault on (${faults.names.join(', ')}), DELETE turns it off\n`;
  const app = await startHttpApp({
    port: options.port,
    host: options.host,
    handle(req, res) {
      if (handleFaultRequest(faults, req, res, log)) return;
      if (pathOf(req) === '/' && (req.method === 'GET' || req.method === 'HEAD')) return sendText(req, res, 200, index);
      serveMetrics(req, res);
    },
  });
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    simulator.advance((now - last) / 1000);
    last = now;
  }, TICK_MS);
  return {
    app,
    simulator,
    faults,
    stop() {
      clearInterval(timer);
      return app.stop();
    },
  };
}

/** The `simulate` command: exit 0 after SIGINT/SIGTERM, 1 on an invalid catalogue or a busy port, 2 on usage. */
export async function runSimulate(argv: readonly string[], io: SimulateIo): Promise<number> {
  const parsed = parseSimulateArgs(argv);
  if (parsed === 'help') {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.err(`error: ${parsed.error}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  const options = parsed;
  let text: string;
  try {
    text = readFileSync(options.catalog, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    io.err(`${options.catalog}:1:1: error: cannot read the catalogue: ${reason} [catalog-unreadable]`);
    return 1;
  }
  const { catalog, diagnostics } = compileCatalog(text, options.catalog);
  for (const diagnostic of diagnostics) io.err(formatDiagnostic(diagnostic));
  if (!catalog || hasErrors(diagnostics)) {
    io.err(`${options.catalog} has errors; nothing simulated`);
    return 1;
  }

  let simulation: RunningSimulation;
  try {
    simulation = await startSimulation(catalog, options, (line) => io.out(`simulate: ${line}`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0 or another port)` : (error as Error).message;
    io.err(`error: cannot listen on ${options.host}:${options.port}: ${why}`);
    return 1;
  }
  const url = simulation.app.url;
  // The first line is what scripts (and tests) wait for.
  io.out(`simulate listening on ${url}`);
  io.out(`  ${catalog.metrics.length} metrics, ${catalog.totalSeries} series from ${options.catalog}; seed ${options.seed}${options.seedGiven ? '' : ` (repeat this run with --seed ${options.seed})`}`);
  io.out(`  ${url}/metrics   ${url}/health   ${url}/dashboard   ${url}/faults`);
  io.out(`  faults on: ${options.faults.length === 0 ? 'none' : options.faults.join(', ')}; turn one on with: curl -X POST ${url}/faults/errors`);
  io.out(`  exemplars: ${options.exemplars ? 'on one increment or observation in 20 (OpenMetrics and protobuf only; --no-exemplars turns them off)' : 'off'}`);

  let prometheus: RunningPrometheus | undefined;
  if (options.withPrometheus) {
    try {
      prometheus = await withPrometheus(catalog, text, options, simulation.app.port, io);
    } catch (error) {
      io.err(`error: prometheus did not start: ${(error as Error).message}`);
      await simulation.stop();
      return 1;
    }
  }

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.out(`simulate: ${signal}, stopping`);
      void (async () => {
        try {
          await prometheus?.stop();
        } catch (error) {
          io.err(`simulate: stopping prometheus failed: ${(error as Error).message}`);
        }
        await simulation.stop();
        io.out(`simulate: stopped after ${simulation.simulator.eventsRecorded} events`);
        resolve(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** The rules this catalogue generates (or their short-window version), emitted in memory. */
function withPrometheus(catalog: Catalog, text: string, options: SimulateOptions, port: number, io: SimulateIo): Promise<RunningPrometheus | undefined> {
  const path = catalog.files.rules;
  const rules = options.fastAlerts ? shortRules(text, catalog.sourceFile).rules : emitAll(catalog).get(path);
  const scrapeInterval = options.scrapeInterval ?? (options.fastAlerts ? SHORT_WINDOWS.scrapeInterval : catalog.scrapeInterval);
  return launchLocalPrometheus({
    job: catalog.namespace,
    target: `${urlHost(options.host)}:${port}`,
    // The catalogue's aggregation labels, as one cluster's store would add them, so that its rules
    // and dashboards (which filter and keep them) see the series.
    labels: Object.fromEntries(catalog.aggregationLabels.map((name) => [name, 'simulate'])),
    rules: { texts: new Map(rules === undefined ? [] : [[path.split('/').at(-1)!, rules]]) },
    scrapeInterval,
    evaluationInterval: options.evaluationInterval ?? scrapeInterval,
    port: options.prometheusPort,
    features: prometheusFeatures(catalog),
    ...(options.fastAlerts ? { note: 'short alert windows' } : {}),
    out: io.out,
    err: io.err,
  });
}
