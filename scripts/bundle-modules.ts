/**
 * The two modules the package's bundle puts in place of their sources, so the installed CLI does
 * at build time what the sources do at every start:
 * - generator/catalog/schema-validator.ts, which compiles the catalogue's JSON Schema with ajv: its
 *   standalone code, compiled here with the same options;
 * - generator/emit/typescript/template.ts, which compiles metrics.ts.hbs with handlebars: the
 *   template precompiled here with the same options, run by handlebars' runtime.
 * Each replacement exports the names of its source module (the bundler fails on a name imported
 * that it lacks) and behaves the same (test/catalog/bundled-validator.test.ts, test/generated/precompiled-template.test.ts).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import Handlebars from 'handlebars';
import catalogSchema from '../generator/catalog/metrics.schema.json' with { type: 'json' };
import { AJV_OPTIONS } from '../generator/catalog/schema-validator.js';
import { TEMPLATE_OPTIONS } from '../generator/emit/typescript/template.js';

export const VALIDATOR_SOURCE = new URL('../generator/catalog/schema-validator.ts', import.meta.url);
export const TEMPLATE_SOURCE = new URL('../generator/emit/typescript/template.ts', import.meta.url);
const TEMPLATE_FILE = new URL('../generator/emit/typescript/metrics.ts.hbs', import.meta.url);

/**
 * The validator as an ES module. ajv's standalone code still `require`s ajv's runtime helpers
 * (ucs2length, equal) in its ESM form; the bundler resolves those.
 */
export function standaloneValidatorModule(): string {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  ajv.compile(catalogSchema);
  const code = standalone.default(ajv, { validateCatalogSchema: catalogSchema.$id });
  return `${code}\nexport const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\n`;
}

/** The template's precompiled specification: a JavaScript object literal, as handlebars writes it. */
export function precompiledTemplateSpec(): string {
  // A copy: precompile adds its defaults to the options object it is given.
  return String(Handlebars.precompile(readFileSync(TEMPLATE_FILE, 'utf8'), { ...TEMPLATE_OPTIONS }));
}

export function precompiledTemplateModule(): string {
  return `import Handlebars from 'handlebars/runtime';

export const TEMPLATE_OPTIONS = ${JSON.stringify(TEMPLATE_OPTIONS)};

const spec = ${precompiledTemplateSpec()};

export function createMetricsTemplate(setUp) {
  const handlebars = Handlebars.create();
  setUp(handlebars);
  return handlebars.template(spec);
}
`;
}
