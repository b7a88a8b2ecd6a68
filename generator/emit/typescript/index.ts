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
const template = handlebars.compile(readFileSync(TEMPLATE_FILE, 'utf8'), { strict: true, noEscape: false });

/** generated/metrics.ts: the typed exporter and recorder. */
export function emitTypeScript(catalog: Catalog): Map<string, string> {
  const body = template(typeScriptView(catalog));
  const content = `${generatedHeader(catalog.sourceFile, '//')}\n${body}`;
  return new Map([[catalog.files.typescript, content.replace(/\n{3,}/g, '\n\n')]]);
}
