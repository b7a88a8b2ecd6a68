import type Handlebars from 'handlebars';
import { generatedHeader } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';
import { registerHelpers } from './helpers.js';
import { createMetricsTemplate } from './template.js';
import { typeScriptView } from './view.js';

const template = createMetricsTemplate((handlebars) => {
  registerHelpers(handlebars);
  handlebars.registerHelper('eq', function (this: unknown, left: unknown, right: unknown, options: Handlebars.HelperOptions) {
    return left === right ? options.fn(this) : options.inverse(this);
  });
});

/** generated/metrics.ts: the typed exporter and recorder. */
export function emitTypeScript(catalog: Catalog): Map<string, string> {
  const body = template(typeScriptView(catalog));
  const content = `${generatedHeader(catalog.sourceFile, '//')}\n${body}`;
  return new Map([[catalog.files.typescript, content.replace(/\n{3,}/g, '\n\n')]]);
}
