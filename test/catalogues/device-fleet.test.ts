/**
 * The device-fleet test catalogue (base units, an info metric, a histogram with negative buckets)
 * through the pipeline: generate, type-check, promtool on the rules, the generated module's
 * exposition through promtool and the Python OpenMetrics parser, the live check, the simulator.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { compareExposition } from '../../generator/checks/live/compare.js';
import { parseExposition } from '../../generator/checks/live/exposition.js';
import { Simulator } from '../../generator/simulate/simulator.js';
import { createCatalogueRuntime } from '../../generator/simulate/specs.js';
import { typeCheck } from '../hostile/helpers/outputs.js';
import { pythonOpenMetricsParse } from '../helpers/openmetrics-parser.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const FILE = join(import.meta.dirname, 'device-fleet', 'metrics.yaml');
// Inside the repository, so the module's `lazybird-metrics/runtime` import is the self-reference.
const scratch = join(import.meta.dirname, `.out-device-fleet-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { catalog, diagnostics } = compileCatalog(readFileSync(FILE, 'utf8'), 'metrics.yaml');
const outputs = catalog === undefined ? new Map<string, string>() : emitAll(catalog);
const output = (path: string): string => {
  const text = outputs.get(path);
  if (text === undefined) throw new Error(`no output ${path} (have ${[...outputs.keys()].join(', ')})`);
  return text;
};

type GeneratedModule = {
  createMetrics(options?: { defaultMetrics?: boolean; strict?: boolean }): {
    buildInfo: { set(labels: { version: string; revision: string }): void; reset(): void };
    temperatureCelsius: { set(labels: { sensor: string }, value: number): void };
    temperatureChangeCelsius: { observe(value: number): void };
    energyConsumedJoulesTotal: { inc(labels: { rail: string }, by?: number): void };
    runtime: { expose(format: 'text' | 'openmetrics'): Promise<string>; dropped(id: number, reason: string): number };
    close(): void;
  };
};

async function generatedModule(): Promise<GeneratedModule> {
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, 'metrics.ts');
  writeFileSync(file, output('generated/metrics.ts'));
  return (await import(pathToFileURL(file).href)) as GeneratedModule;
}

describe('test/catalogues/device-fleet', () => {
  it('compiles without a diagnostic and its TypeScript type-checks under the strict flags', () => {
    expect(diagnostics).toEqual([]);
    const check = typeCheck([output('generated/metrics.ts')]);
    expect(check.diagnostics[0]).toEqual([]);
  });

  it('has rules promtool accepts', () => {
    mkdirSync(scratch, { recursive: true });
    const rules = join(scratch, 'edge.rules.yaml');
    writeFileSync(rules, output('alerts/edge.rules.yaml'));
    const result = spawnSync('promtool', ['check', 'rules', rules], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('describes the info metric and the units in METRICS.md', () => {
    const reference = output('generated/METRICS.md');
    expect(reference).toContain('| <code>edge_build_info</code> | info | none | <code>version</code> <code>revision</code> (set at run time) | 1 |');
    expect(reference).toContain('| <code>edge_supply_voltage_volts</code> | gauge | volts |');
    expect(reference).toContain('1 for an info metric');
  });

  it('shows the info metric as an instant table of its labels per instance', () => {
    const dashboard = JSON.parse(output('dashboards/edge-device.json')) as { panels: { type: string; title: string; targets?: { expr: string; instant?: boolean; format?: string }[] }[] };
    const panel = dashboard.panels.find((p) => p.type === 'table');
    expect(panel?.targets).toEqual([
      expect.objectContaining({ expr: 'max by (job, instance, version, revision) (edge_build_info{job=~"$job", instance=~"$instance"})', instant: true, format: 'table' }),
    ]);
  });

  it('exposes, from the generated module, what promtool, the Python parser and the live check accept', async () => {
    const { createMetrics } = await generatedModule();
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.buildInfo.set({ version: '2.3.0-rc.1', revision: 'e3b0c44' });
      metrics.temperatureCelsius.set({ sensor: 'cpu' }, 61.5);
      metrics.temperatureChangeCelsius.observe(-8);
      metrics.temperatureChangeCelsius.observe(2);
      metrics.energyConsumedJoulesTotal.inc({ rail: 'main' }, 1250);
      // A value that is no valid label value is dropped and counted; the set values stay.
      metrics.buildInfo.set({ version: '', revision: 'x' });
      expect(metrics.runtime.dropped(0, 'unknown_label_value')).toBe(1);

      const text = await metrics.runtime.expose('text');
      expect(text).toContain('edge_build_info{version="2.3.0-rc.1",revision="e3b0c44"} 1\n');
      expect(text).not.toMatch(/^edge_temperature_change_celsius_(sum|count)/m);
      const promtool = promtoolCheckMetrics(text);
      expect(promtool.status, promtool.output).toBe(0);

      const om = await metrics.runtime.expose('openmetrics');
      expect(om).toContain('# TYPE edge_build info\n');
      expect(om).toContain('# UNIT edge_temperature_celsius celsius\n');
      const parsed = pythonOpenMetricsParse(om);
      expect(parsed.status, parsed.output).toBe(0);
      expect(parsed.output).toContain('edge_build info edge_build_info\n');

      const live = compareExposition(catalog!, parseExposition(text));
      expect(live.findings).toEqual([]);
    } finally {
      metrics.close();
    }
  });

  it('is simulated with an info metric set and every exposition valid', async () => {
    const target = createCatalogueRuntime(catalog!, { defaultMetrics: false });
    try {
      const simulator = new Simulator(catalog!, target, { seed: 7 });
      for (let step = 0; step < 20; step++) simulator.advance(15);
      expect(target.runtime.info(0).labels()).toEqual({ version: '1.4.2', revision: '3f9c2e1' });
      const parsed = pythonOpenMetricsParse(await target.runtime.expose('openmetrics'));
      expect(parsed.status, parsed.output).toBe(0);
      const promtool = promtoolCheckMetrics(await target.runtime.expose('text'));
      expect(promtool.status, promtool.output).toBe(0);
    } finally {
      target.runtime.close();
    }
  });
});
