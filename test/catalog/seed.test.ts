/** The seed catalogue, metrics.yaml: ADR-010's 40 metrics plus the exporter's own, as README maps them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';

const ROOT = join(import.meta.dirname, '../..');
const text = readFileSync(join(ROOT, 'metrics.yaml'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Rows of README's "From ADR-010 to the catalogue" table: ADR name → first catalogue key in the row. */
function adrTable(): { adr: string; key: string }[] {
  const section = readme.slice(readme.indexOf('## From ADR-010 to the catalogue'));
  const rows: { adr: string; key: string }[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | `adr name` ... | type | `catalogue name` (...) | why |
    const adr = /^`(lazybird_[a-z0-9_]+)`/.exec(cells[1] ?? '')?.[1];
    const key = /^`([a-z0-9_]+)`/.exec(cells[3] ?? '')?.[1];
    if (adr && key) rows.push({ adr, key });
  }
  return rows;
}

describe('the seed catalogue', () => {
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');

  it('compiles with no error', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(catalog).toBeDefined();
  });

  it('declares 41 metrics, plus the built-in drop counter', () => {
    const declared = catalog?.metrics.filter((m) => m.role !== 'dropped_records') ?? [];
    expect(declared).toHaveLength(41);
    const builtin = catalog?.metrics.filter((m) => m.role === 'dropped_records') ?? [];
    expect(builtin.map((m) => m.name)).toEqual(['lazybird_metrics_dropped_total']);
    // Beside the exporter's other self-metric.
    const scrape = catalog?.metrics.find((m) => m.role === 'scrape_duration');
    expect(scrape?.key).toBe('metrics_export_duration_seconds');
    expect(builtin[0]?.group).toBe(scrape?.group);
  });

  it('has every metric of README’s ADR table, and nothing else', () => {
    const rows = adrTable();
    expect(rows).toHaveLength(41);
    expect(new Set(rows.map((r) => r.adr)).size).toBe(41);
    const keys = new Set(catalog?.metrics.map((m) => m.key));
    expect(rows.filter((r) => !keys.has(r.key))).toEqual([]);
    const declared = catalog?.metrics.filter((m) => m.role !== 'dropped_records').map((m) => m.key) ?? [];
    expect([...declared].sort()).toEqual(rows.map((r) => r.key).sort());
  });

  it('fits its budget', () => {
    for (const metric of catalog?.metrics ?? []) expect(metric.series).toBeLessThanOrEqual(metric.seriesLimit);
    expect(catalog?.totalSeries).toBeLessThanOrEqual(catalog?.budget.totalSeries ?? 0);
  });

  it('has METRICS.md mention every metric by its full name', () => {
    if (!catalog) throw new Error('no model');
    const docs = emitAll(catalog).get('generated/METRICS.md');
    expect(docs).toBeDefined();
    for (const metric of catalog.metrics) {
      expect(docs, metric.name).toMatch(new RegExp(`(?<![a-z0-9_])${metric.name}(?![a-z0-9_])`));
    }
  });
});
