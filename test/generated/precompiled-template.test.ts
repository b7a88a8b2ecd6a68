/**
 * The package's bundle renders generated/metrics.ts with the template precompiled at build time and
 * handlebars' runtime (scripts/bundle-modules.ts) instead of the template template.ts compiles on
 * first use. Both must write the same module, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/index.js';
import { emitTypeScript } from '../../generator/emit/typescript/index.js';
import * as sourceModule from '../../generator/emit/typescript/template.js';
import { TEMPLATE_SOURCE, precompiledTemplateModule } from '../../scripts/bundle-modules.js';
import { evaluateBundledModule } from '../helpers/bundled-module.js';
import { BASE, catalogue } from '../helpers/catalogue.js';

const bundled = evaluateBundledModule(precompiledTemplateModule(), TEMPLATE_SOURCE);

function compiled(text: string, file: string): Catalog {
  const { catalog, diagnostics } = compileCatalog(text, file);
  if (!catalog) throw new Error(`${file} does not compile: ${JSON.stringify(diagnostics)}`);
  return catalog;
}

const CATALOGUES = [
  compiled(readFileSync(new URL('../../metrics.yaml', import.meta.url), 'utf8'), 'metrics.yaml'),
  compiled(readFileSync(new URL('../catalogues/http-service/metrics.yaml', import.meta.url), 'utf8'), 'http-service/metrics.yaml'),
  compiled(catalogue({ events: null }), 'small.yaml'),
  compiled(catalogue({ labels: BASE.labels + '  status:\n    description: Status class.\n    values: [ok, "it\'s \\"quoted\\" */"]\n' }), 'quoted.yaml'),
];

describe('the template precompiled at build time (the bundle’s)', () => {
  it('exports what template.ts exports, with the same options', () => {
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(sourceModule).sort());
    expect(bundled['TEMPLATE_OPTIONS']).toEqual(sourceModule.TEMPLATE_OPTIONS);
  });

  it('writes the same generated/metrics.ts as the template compiled from metrics.ts.hbs', async () => {
    vi.resetModules();
    vi.doMock('../../generator/emit/typescript/template.js', () => bundled);
    try {
      const precompiled = await import('../../generator/emit/typescript/index.js');
      expect(precompiled.emitTypeScript).not.toBe(emitTypeScript);
      for (const catalog of CATALOGUES) {
        expect(precompiled.emitTypeScript(catalog)).toEqual(emitTypeScript(catalog));
      }
    } finally {
      vi.doUnmock('../../generator/emit/typescript/template.js');
    }
  });
});
