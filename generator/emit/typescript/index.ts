import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { generatedHeader } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';
import { registerHelpers } from './helpers.js';
import { typeScriptView } from './view.js';

export const TEMPLATE_FILE = new URL('./metrics.ts.hbs', import.meta.url);

const handlebars = Handlebars.create();
registerHelpers(handlebars);
handlebars.registerHelper('eq', function (this: unknown, left: unknown, right: unknown, options: Handlebars.HelperOptions) {
  return left === right ? options.fn(this) : options.inverse(this);
});
// The series number of one event record: arithmetic on positions resolved once per call when every
// label value is known, else the metric's series function (the runtime's slow path).
handlebars.registerPartial(
  'series',
  '{{#each known}}{{#unless @first}} && {{/unless}}{{ident this}} >= 0{{/each}}{{#if known.length}} ? {{/if}}' +
    '{{#each terms}}{{#unless @first}} + {{/unless}}{{ident local}}{{#eq stride 1}}{{else}} * {{num stride}}{{/eq}}{{/each}}' +
    '{{#if constant}}{{#if terms.length}} + {{/if}}{{num constant}}{{else}}{{#unless terms.length}}0{{/unless}}{{/if}}{{#if fixed}} {{comment fixed}}{{/if}}' +
    '{{#if known.length}} : {{ident seriesFn}}({{#each args}}{{#unless @first}}, {{/unless}}{{#if fixed}}{{lit value}}{{else}}{{ident local}}{{/if}}{{/each}}){{/if}}',
);
const template = handlebars.compile(readFileSync(TEMPLATE_FILE, 'utf8'), { strict: true, noEscape: false });

/** generated/metrics.ts: the typed exporter and recorder. */
export function emitTypeScript(catalog: Catalog): Map<string, string> {
  const body = template(typeScriptView(catalog));
  const content = `${generatedHeader(catalog.sourceFile, '//')}\n${body}`;
  return new Map([[catalog.files.typescript, content.replace(/\n{3,}/g, '\n\n')]]);
}
