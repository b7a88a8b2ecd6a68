/**
 * Every derived name the model holds is the one the outputs use: each is read from the model (where
 * conventions computed it once) and looked for in the emitted files and in the exposition of the
 * generated module. A name derived a second time somewhere, and differently, fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { alertRecords } from '../../generator/catalog/model.js';
import type { Catalog } from '../../generator/catalog/model.js';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { ModuleDir, utf8 } from '../hostile/helpers/outputs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUES = ['metrics.yaml', 'test/goldens/minimal/metrics.yaml', 'test/goldens/alerts/metrics.yaml', 'test/goldens/events/metrics.yaml'];
const modules = new ModuleDir(fileURLToPath(new URL('.', import.meta.url)));
afterAll(() => modules.cleanup());

function compile(path: string): { catalog: Catalog; outputs: ReadonlyMap<string, string> } {
  const { catalog, diagnostics } = compileCatalog(readFileSync(join(ROOT, path), 'utf8'), 'metrics.yaml');
  if (!catalog) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return { catalog, outputs: emitAll(catalog) };
}

describe.each(CATALOGUES)('derived names of %s', (path) => {
  const { catalog, outputs } = compile(path);
  const file = (name: string): string => {
    const content = outputs.get(name);
    if (content === undefined) throw new Error(`no output ${name}`);
    return content;
  };
  const ts = file(catalog.files.typescript);
  const rules = file(catalog.files.rules);
  const reference = file(catalog.files.reference);
  const dashboards = catalog.dashboards.map((ref) => file(ref.file)).join('\n');
  const declared = catalog.metrics.filter((m) => m.role !== 'dropped_records');

  it('files: every output path on the model is emitted, and nothing else', () => {
    const { dashboards: folder, mimirRules, ...files } = catalog.files;
    const paths = [...Object.values(files), ...(mimirRules === undefined ? [] : [mimirRules.file]), ...catalog.dashboards.map((d) => d.file)].sort();
    for (const ref of catalog.dashboards) expect(ref.file.startsWith(`${folder}/`)).toBe(true);
    expect([...outputs.keys()].sort()).toEqual(paths);
  });

  it('dashboards: uid and title in their JSON, and in the module', () => {
    for (const ref of catalog.dashboards) {
      const json = JSON.parse(file(ref.file)) as { uid: string; title: string };
      expect([json.uid, json.title]).toEqual([ref.uid, ref.title]);
      expect(ts).toContain(`{ uid: ${JSON.stringify(ref.uid)}, title: ${JSON.stringify(ref.title)} }`);
      expect(dashboards).toContain(`(/d/${ref.uid})`);
    }
    expect(file(catalog.files.provisioning)).toContain(`folder: ${catalog.dashboardFolder}\n`);
  });

  it('rules: rule groups, alerts and records by the names on the model', () => {
    const lines = new Set(rules.split('\n').map((line) => line.trim()));
    for (const group of catalog.groups) for (const name of group.ruleGroups) expect(lines).toContain(`- name: ${name}`);
    const emittedGroups = [...rules.matchAll(/^ {2}- name: (.+)$/gm)].map((m) => m[1]);
    expect(emittedGroups).toEqual(catalog.groups.flatMap((g) => g.ruleGroups));
    for (const metric of catalog.metrics) {
      for (const alert of metric.alerts) {
        for (const name of alert.names) {
          expect(lines).toContain(`- alert: ${name}`);
          expect(reference).toContain(`<code>${name}</code>`);
        }
        for (const record of alertRecords(alert)) expect(lines).toContain(`- record: ${record.name}`);
      }
      for (const ratio of metric.ratios) {
        for (const record of ratio.records) {
          expect(lines).toContain(`- record: ${record.name}`);
          expect(reference).toContain(`<code>${record.name}</code>`);
        }
        // Dashboards read the first window's record.
        expect(dashboards).toContain(`${ratio.records[0]!.name}{`);
      }
    }
  });

  it('TypeScript: every identifier and property on the model is declared', () => {
    for (const metric of declared) {
      expect(ts).toContain(`name: ${JSON.stringify(metric.name)},`);
      expect(ts).toContain(`  readonly ${metric.property}: `);
      if (metric.labels.length > 0) expect(ts).toContain(`export interface ${metric.labelsTypeName} {`);
    }
    const used = new Set(declared.flatMap((m) => m.labels));
    for (const label of used) {
      expect(ts).toContain(`export type ${label.typeName} =`);
      expect(ts).toContain(`const ${label.specConst}: LabelSpec = { name: ${JSON.stringify(label.name)},`);
      expect(ts).toContain(`function ${label.indexFunction}(value: unknown): number {`);
    }
    for (const event of catalog.events) {
      expect(ts).toContain(`  ${event.method}(event: ${event.typeName}): void;`);
      for (const field of event.fields) expect(ts).toContain(`  readonly ${field.property}${field.kind === 'number' && field.optional ? '?' : ''}: `);
    }
    for (const figure of catalog.summary) expect(ts).toContain(`  readonly ${figure.property}: number | null;`);
  });

  it('reference: every metric by its full name', () => {
    for (const metric of catalog.metrics) expect(reference).toContain(`<code>${metric.name}</code>`);
  });

  it('exposition: family and sample names of every metric, the drop counter included, as the runtime writes them', async () => {
    const module = await modules.import(ts);
    const metrics = module.createMetrics({ defaultMetrics: false });
    const openMetrics = utf8(await metrics.runtime.expose('openmetrics'));
    const text = utf8(await metrics.runtime.expose('text'));
    for (const metric of catalog.metrics) {
      expect(openMetrics).toContain(`# TYPE ${metric.family} ${metric.type}\n`);
      const written = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
      for (const sample of metric.samples) expect(written, sample).toContain(sample);
    }
    // Histograms' series on the dashboards are its sample names.
    for (const metric of declared) if (metric.type === 'histogram' && !metric.panel.hide) expect(dashboards).toContain(`${metric.samples[0]}{`);
  });
});
