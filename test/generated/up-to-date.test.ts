/** The committed outputs are exactly what metrics.yaml generates (what `npm run generate -- --check` checks). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { findStale } from '../../generator/write.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the committed outputs', () => {
  it('are what the catalogue generates, with nothing missing or left over', () => {
    const { catalog, diagnostics } = compileCatalog(readFileSync(`${root}/metrics.yaml`, 'utf8'), 'metrics.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const report = findStale(root, emitAll(catalog!));
    expect(report).toEqual({ changed: [], missing: [], extra: [], interrupted: false });
  });
});
