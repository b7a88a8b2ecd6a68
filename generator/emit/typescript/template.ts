/**
 * The template of generated/metrics.ts, compiled. From the sources, handlebars compiles
 * metrics.ts.hbs when the template is first used; the package's bundle replaces this module with the
 * template precompiled at build time (scripts/bundle-modules.ts), which handlebars' runtime alone
 * runs, so the installed CLI neither loads the compiler nor compiles at every start.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

const TEMPLATE_FILE = new URL('./metrics.ts.hbs', import.meta.url);

/** The compile options of both: `strict` makes a name missing from the view an error, not "". */
export const TEMPLATE_OPTIONS = { strict: true, noEscape: false } as const;

/** The template, run by a new handlebars environment that `setUp` gives its helpers. */
export function createMetricsTemplate(setUp: (handlebars: typeof Handlebars) => void): HandlebarsTemplateDelegate {
  const handlebars = Handlebars.create();
  setUp(handlebars);
  return handlebars.compile(readFileSync(TEMPLATE_FILE, 'utf8'), TEMPLATE_OPTIONS);
}
