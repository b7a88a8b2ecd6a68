/** `init`: a small catalogue to start from, with a schema reference that works where it is written. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommand, regenerateCommand } from '../conventions.js';
import { EXIT } from './exit.js';
import type { Reporter } from './report.js';

export const PACKAGE_NAME = 'lazybird-metrics';

/** The JSON Schema this CLI validates with: generator/catalog/ in the sources, dist/generator/catalog/ in the package. */
const OWN_SCHEMA = fileURLToPath(new URL('../catalog/metrics.schema.json', import.meta.url));

export function runInit(catalogPath: string, report: Reporter, cwd = process.cwd()): number {
  const target = resolve(cwd, catalogPath);
  if (existsSync(target)) {
    report.finding({ severity: 'error', rule: 'init-exists', message: 'the file already exists; init writes a new catalogue only, so nothing was written', file: catalogPath });
    return EXIT.invalid;
  }
  const folder = dirname(target);
  mkdirSync(folder, { recursive: true });
  writeFileSync(target, starterCatalogue(schemaReference(folder), namespaceFor(folder)), { flag: 'wx' });
  const generate = regenerateCommand(catalogPath);
  report.result(`wrote ${catalogPath}: a group, a labeled counter, a histogram and an alert to start from`);
  report.result(`next:
  1. edit ${catalogPath}: your editor checks it against the schema named on its first line
     (VS Code: the YAML extension by Red Hat)
  2. ${generate}
     writes generated/metrics.ts (your typed exporter), dashboards/ and alerts/
  3. in your service: import { createMetrics, startMetricsServer } from './generated/metrics.js'
     const metrics = createMetrics();
     metrics.requestsTotal.inc({ method: 'get' });
     await startMetricsServer(metrics, { port: 9464, host: '0.0.0.0' });
  4. point Grafana's file provisioning at dashboards/ and Prometheus' rule_files at alerts/
  5. in CI: ${cliCommand('check', catalogPath)}`);
  return EXIT.ok;
}

/**
 * The `$schema` path for a catalogue in `folder`: the schema of the package as the project installed
 * it (`node_modules/lazybird-metrics/...`, which stays valid across upgrades and package managers that
 * link packages), else the schema file of this CLI itself (inside this repository, or a global install).
 */
export function schemaReference(folder: string): string {
  const inPackage = relative(packageRoot(), OWN_SCHEMA);
  let installed: string | undefined;
  for (let dir = folder; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', PACKAGE_NAME, inPackage);
    if (existsSync(candidate)) {
      installed = candidate;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  const path = relative(folder, installed ?? OWN_SCHEMA).split(sep).join('/');
  return path.startsWith('../') ? path : `./${path}`;
}

function packageRoot(): string {
  for (let dir = dirname(OWN_SCHEMA); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} package around ${OWN_SCHEMA}`);
}

/** The project's package name as a metric namespace (`@acme/shop-api` → `shop_api`), else `app`. */
export function namespaceFor(folder: string): string {
  for (let dir = folder; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    let name: unknown;
    try {
      name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
    } catch {
      return 'app';
    }
    if (typeof name !== 'string') return 'app';
    const snake = name.replace(/^@[^/]*\//, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
    return /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(snake) && snake.length <= 40 ? snake : 'app';
  }
  return 'app';
}

export function starterCatalogue(schema: string, namespace: string): string {
  return `# yaml-language-server: $schema=${schema}
# The metrics catalogue of this service: every metric, its labels and their allowed values, its
# dashboards and alerts. \`npx lazybird-metrics generate\` turns it into a typed exporter
# (generated/metrics.ts), Grafana dashboards (dashboards/) and Prometheus rules (alerts/).

# Every metric name starts with it: ${namespace}_requests_total.
namespace: ${namespace}

# Where the outputs go (relative to where generate runs); these are the defaults.
# outputs:
#   typescript: generated/metrics.ts    # e.g. src/metrics/generated.ts, inside your tsconfig's rootDir
#   dashboards: dashboards
#   rules: alerts/${namespace}.rules.yaml
#   reference: generated/METRICS.md

# Labels list their allowed values, so the number of series is known before anything runs.
labels:
  method:
    description: HTTP method of the request.
    values: [get, post, put, delete]
    overflow: other          # any other value is recorded as "other" instead of a new series

# A group is one Grafana dashboard.
groups:
  http:
    title: HTTP
    description: Requests this service serves.

metrics:
  requests_total:            # counters end in _total; this one is metrics.requestsTotal in code
    type: counter
    group: http
    help: Requests served.
    unit: count
    labels: [method]
  request_duration_seconds:  # base units: seconds, bytes, ratios
    type: histogram
    group: http
    help: Time taken to serve one request.
    unit: seconds
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5]
    alerts:
      - name: RequestsSlow
        kind: quantile
        quantile: 0.95
        above: 1             # a bucket boundary, or the alert could never tell
        for: 10m
        severity: warning
        summary: The 95th percentile of request duration is above 1 s.
`;
}
