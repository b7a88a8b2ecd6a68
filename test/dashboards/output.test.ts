/** The files themselves: generated headers, provisioning, byte stability, the emitter registry. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { GENERATED_MARKER, dashboardRefs } from '../../generator/conventions.js';
import { emitAll } from '../../generator/emit/index.js';
import { PROVISIONING_FILE, emitDashboards, grafanaDashboardsPath } from '../../generator/emit/dashboards/index.js';
import { generatedFilesOnDisk, isGeneratedFile } from '../../generator/write.js';
import { CATALOG_FILE, compile, projectCatalog } from './helpers/dashboard.js';
import { recordOf, seriesOfDashboard } from './helpers/model.js';
import type { DashboardJson } from './helpers/dashboard.js';

const catalog = projectCatalog();
const files = emitDashboards(catalog);
const scratch = mkdtempSync(join(tmpdir(), 'lazybird-dashboards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('dashboard files', () => {
  it('are byte-stable: the same catalogue, compiled again, gives the same bytes', () => {
    const again = emitDashboards(compile(readFileSync(CATALOG_FILE, 'utf8')));
    expect([...again]).toEqual([...files]);
    expect([...emitDashboards(catalog)]).toEqual([...files]);
  });

  it('are what emitAll writes, each once', () => {
    const all = emitAll(catalog);
    for (const [path, content] of files) expect(all.get(path)).toBe(content.replace(/\n*$/, '\n'));
  });

  it('carry the generated marker in their first 512 bytes, so the writer owns them', () => {
    for (const [path, content] of files) {
      expect(Buffer.from(content).subarray(0, 512).toString('utf8'), path).toContain(GENERATED_MARKER);
      const file = join(scratch, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      expect(isGeneratedFile(file), path).toBe(true);
    }
    expect(generatedFilesOnDisk(scratch)).toEqual([...files.keys()].sort());
  });

  it('are pretty-printed JSON ending with one newline', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.json')) continue;
      expect(content).toBe(`${JSON.stringify(JSON.parse(content), null, 2)}\n`);
    }
  });
});

describe('provisioning', () => {
  const text = files.get(PROVISIONING_FILE)!;

  it('starts with the generated header as a YAML comment', () => {
    expect(text.split('\n')[0]).toMatch(new RegExp(`^# ${GENERATED_MARKER} ${catalog.sourceFile}\\.`));
  });

  it('is one YAML document: a Grafana file provider for the dashboards folder', () => {
    const documents = parseAllDocuments(text);
    expect(documents).toHaveLength(1);
    expect(documents[0]!.errors).toEqual([]);
    const config = parse(text) as { apiVersion: number; providers: { name: string; type: string; allowUiUpdates: boolean; options: { path: string; foldersFromFilesStructure: boolean } }[] };
    expect(config.apiVersion).toBe(1);
    expect(config.providers).toHaveLength(1);
    const [provider] = config.providers as [(typeof config.providers)[number]];
    expect(provider).toMatchObject({ name: catalog.namespace, type: 'file', allowUiUpdates: false });
    expect(provider.options).toEqual({ path: grafanaDashboardsPath(catalog.namespace), foldersFromFilesStructure: false });
    // the provider reads one folder, so every dashboard must sit directly in dashboards/
    for (const ref of dashboardRefs(catalog.namespace, catalog.groups)) expect(dirname(ref.file)).toBe('dashboards');
    expect(dirname(PROVISIONING_FILE)).toBe('dashboards/provisioning');
  });
});

describe('recording rules', () => {
  const records = new Set(
    [...emitAll(catalog)]
      .filter(([path]) => path.startsWith('alerts/') && /\.ya?ml$/.test(path))
      .flatMap(([, content]) => {
        const doc = parse(content) as { groups?: { rules?: { record?: string }[] }[] } | null;
        return (doc?.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.record ? [r.record] : [])));
      }),
  );

  // Only meaningful once the rules emitter writes alerts/; until then there is nothing to match.
  it.runIf(records.size > 0)('exist in alerts/ for every ratio the dashboards query', () => {
    const dashboards = [...files].filter(([p]) => p.endsWith('.json')).map(([, c]) => JSON.parse(c) as DashboardJson);
    const queried = new Set(dashboards.flatMap((d) => [...seriesOfDashboard(d)]));
    for (const ratio of catalog.metrics.flatMap((m) => m.ratios)) {
      const record = recordOf(catalog, ratio);
      expect(queried.has(record), record).toBe(true);
      expect(records.has(record), record).toBe(true);
    }
  });
});
