/**
 * Every catalogue under test/catalogues/ (written from public metric sets, not from metrics.yaml)
 * through what metrics.yaml goes through: compiled without an error, its TypeScript module
 * type-checked under the strict flags (one program for all of them), its rules through
 * `promtool check rules`, then the module imported and run, the simulator recording into every
 * series it allows, and the exposition read in both formats by two parsers each side: promtool on
 * the text format, the Python client's OpenMetrics parser on OpenMetrics, the runtime suites' strict
 * parser on both, and `check --live`'s comparison with the catalogue finding nothing.
 * A new folder with a metrics.yaml is picked up by itself.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../generator/catalog/model.js';
import { checkExposition } from '../../generator/checks/live/index.js';
import { Simulator } from '../../generator/simulate/simulator.js';
import { metricSpecs } from '../../generator/simulate/specs.js';
import type { CatalogueRuntime } from '../../generator/simulate/specs.js';
import { errorLines, generate, ModuleDir, output, promtoolCheckRules, typeCheck } from '../hostile/helpers/outputs.js';
import type { GeneratedModule, TypeCheck } from '../hostile/helpers/outputs.js';
import { pythonOpenMetricsCheck } from '../helpers/openmetrics-python.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { parseExposition } from '../runtime/helpers/parse.js';
import { labelPositions } from '../../runtime/spec.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CATALOGUES = readdirSync(HERE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(HERE, entry.name, 'metrics.yaml')))
  .map((entry) => entry.name)
  .sort();

/** Fixed steps of simulated time: enough for every event and pacer to fire, whatever the machine. */
const SIMULATED_SECONDS = 30;

const generations = new Map(CATALOGUES.map((name) => [name, generate(readFileSync(join(HERE, name, 'metrics.yaml'), 'utf8'), `test/catalogues/${name}/metrics.yaml`)] as const));
const modules = new ModuleDir(HERE);
afterAll(() => modules.cleanup());

let checked: TypeCheck | undefined;
/** All the catalogues' modules in one program: a program costs seconds, mostly loading the libraries. */
function typeChecked(): TypeCheck {
  checked ??= typeCheck(CATALOGUES.map((name) => output(generations.get(name)?.outputs, 'generated/metrics.ts')));
  return checked;
}

function catalogOf(name: string): Catalog {
  const catalog = generations.get(name)?.catalog;
  if (!catalog) throw new Error(`${name} does not compile`);
  return catalog;
}

it('finds the three catalogues, and any added beside them', () => {
  expect(CATALOGUES).toEqual(expect.arrayContaining(['cache-client', 'http-service', 'job-worker', 'native-service']));
});

describe.each(CATALOGUES)('catalogue %s', (name) => {
  const generation = generations.get(name)!;

  it('compiles without an error and emits the module, the rules and the dashboards', () => {
    expect(errorLines(generation)).toEqual([]);
    const paths = [...(generation.outputs?.keys() ?? [])];
    expect(paths).toContain('generated/metrics.ts');
    // The rule file and its generated promtool tests.
    expect(paths.filter((path) => path.startsWith('alerts/')).sort()).toEqual([`alerts/${generation.catalog?.namespace}.rules.test.yaml`, `alerts/${generation.catalog?.namespace}.rules.yaml`]);
    expect(paths.filter((path) => path.startsWith('dashboards/') && path.endsWith('.json')).length).toBeGreaterThan(1);
  });

  it('its generated module type-checks under the strict flags', () => {
    const check = typeChecked();
    expect(check.diagnostics[CATALOGUES.indexOf(name)]).toEqual([]);
    expect(check.other).toEqual([]);
  }, 300_000);

  it('its rule file passes promtool check rules', () => {
    const rules = [...(generation.outputs?.entries() ?? [])].filter(([path]) => path === generation.catalog?.files.rules);
    expect(rules).toHaveLength(1);
    const result = promtoolCheckRules(rules[0]![1]);
    expect(result.output, result.output).not.toMatch(/FAILED|warn/i);
    expect(result.status, result.output).toBe(0);
  });

  it('runs: its recorder takes one event of each kind, the simulator records into every series, and both parsers of each format and check --live accept the exposition', async () => {
    const catalog = catalogOf(name);
    const module: GeneratedModule = await modules.import(output(generation.outputs, 'generated/metrics.ts'));
    // The simulator's view of the catalogue is the module's own: same metrics, same ids.
    expect(module.METRIC_SPECS).toEqual(metricSpecs(catalog));
    const metrics = module.createMetrics({ strict: true });
    const target: CatalogueRuntime = {
      runtime: metrics.runtime,
      specs: module.METRIC_SPECS,
      keys: catalog.metrics.filter((m) => m.role !== 'dropped_records').map((m) => m.key),
      dashboards: module.DASHBOARDS,
    };
    // One call of each event through the generated recorder (strict: a value it would drop throws).
    const recorder = module.createRecorder(metrics);
    for (const event of catalog.events) {
      const fields = Object.fromEntries(event.fields.map((field) => [field.property, field.kind === 'label' ? field.label.values[0] : 0.5]));
      expect(recorder[event.method], event.method).toBeTypeOf('function');
      recorder[event.method]!(fields);
    }
    const simulator = new Simulator(catalog, target, { seed: 7 });
    for (let second = 0; second < SIMULATED_SECONDS; second++) simulator.advance(1);
    expect(simulator.eventsRecorded).toBeGreaterThanOrEqual(catalog.events.length * 10);

    const text = await metrics.runtime.expose('text');
    const openMetrics = await metrics.runtime.expose('openmetrics');
    try {
      // Every series the catalogue allows holds something recorded; nothing was dropped.
      const parsed = parseExposition(text, 'text');
      const dropped = catalog.metrics.find((m) => m.role === 'dropped_records')!;
      const selfObserved = catalog.metrics.find((m) => m.role === 'scrape_duration');
      const unrecorded: string[] = [];
      for (const spec of module.METRIC_SPECS) {
        if (spec.name === selfObserved?.name) continue;
        const series = spec.labels.reduce((n, label) => n * labelPositions(label), 1);
        // A histogram's +Inf bucket is its count (with negative buckets it exposes no _count).
        const samples =
          spec.type === 'histogram'
            ? parsed.samples.filter((s) => s.name === `${spec.name}_bucket` && s.labels['le'] === '+Inf')
            : parsed.samples.filter((s) => s.name === spec.name);
        expect(samples, spec.name).toHaveLength(series);
        // A gauge may sit at 0 by chance; a counter or a histogram touched once never does.
        if (spec.type !== 'gauge') unrecorded.push(...samples.filter((s) => !(s.value > 0)).map((s) => s.line));
      }
      expect(unrecorded).toEqual([]);
      const drops = parsed.samples.filter((s) => s.name === dropped.name);
      expect(drops.length).toBeGreaterThan(0);
      expect(drops.filter((s) => s.value !== 0).map((s) => s.line)).toEqual([]);
      expect(parseExposition(openMetrics, 'openmetrics').samples.length).toBeGreaterThan(0);

      expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
      expect(pythonOpenMetricsCheck(openMetrics)).toEqual({ status: 0, output: '' });
      expect(checkExposition(catalog, text).findings).toEqual([]);
    } finally {
      metrics.runtime.close();
    }
  }, 60_000);
});
