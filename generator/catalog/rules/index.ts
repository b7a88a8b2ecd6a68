import type { Diagnostic } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import type { RawCatalog } from '../raw.js';
import { alertRules } from './alerts.js';
import { cardinalityRules } from './cardinality.js';
import { durationRules } from './durations.js';
import { RuleContext } from './context.js';
import type { Rule } from './context.js';
import { eventRules } from './events.js';
import { namingRules } from './naming.js';
import { infoRules } from './info.js';
import { negativeBucketRules } from './negative-buckets.js';
import { labelRules, metricStructureRules, ratioRules, summaryRules } from './structure.js';
import { textRules } from './text.js';

const RULES: readonly Rule[] = [textRules, namingRules, labelRules, metricStructureRules, cardinalityRules, ratioRules, eventRules, summaryRules, durationRules, alertRules, negativeBucketRules, infoRules];

/** The semantic rules, run on a catalogue that passed the JSON Schema. */
export function checkRules(raw: RawCatalog, loaded: LoadedCatalog): Diagnostic[] {
  const context = new RuleContext(raw, loaded);
  for (const rule of RULES) rule(context);
  return context.diagnostics;
}
