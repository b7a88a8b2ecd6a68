import type { Catalog } from '../catalog/model.js';
import type { Outputs } from '../write.js';
import { emitDashboards } from './dashboards/index.js';
import { emitAlerts } from './alerts/index.js';
import { emitRuleTests } from './alerts/tests.js';
import { emitDocs } from './docs.js';
import { emitTypeScript } from './typescript/index.js';

type Emitter = (catalog: Catalog) => Map<string, string>;

/** One emitter per artifact; each is a pure function of the model. */
const EMITTERS: readonly Emitter[] = [emitAlerts, emitRuleTests, emitDocs, emitTypeScript, emitDashboards];

/** Every output file, keyed by relative path in sorted order, each ending with one newline. */
export function emitAll(catalog: Catalog): Outputs {
  const outputs = new Map<string, string>();
  for (const emit of EMITTERS) {
    for (const [path, content] of emit(catalog)) {
      if (outputs.has(path)) throw new Error(`two emitters produce ${path}`);
      outputs.set(path, content.replace(/\r\n/g, '\n').replace(/\n*$/, '\n'));
    }
  }
  return new Map([...outputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
