import type { Diagnostic } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import type { RawCatalog } from '../raw.js';
import { aggregationLabelRules } from './aggregation-labels.js';
import { alertRules } from './alerts.js';
import { alertRoutingRules } from './alert-routing.js';
import { cardinalityRules } from './cardinality.js';
import { customRules } from './custom.js';
import { durationRules } from './durations.js';
import { RuleContext } from './context.js';
import type { Rule } from './context.js';
import { eventRules } from './events.js';
import { learnedLabelRules, learnedSummaryRules } from './learned.js';
import { namingRules } from './naming.js';
import { nativeHistogramRules } from './native.js';
import { infoRules } from './info.js';
import { negativeBucketRules } from './negative-buckets.js';
import { labelRules, metricStructureRules, ratioRules, summaryRules } from './structure.js';
import { outputRules } from './outputs.js';
import { textRules } from './text.js';
import { windowRules } from './windows.js';

const RULES: readonly Rule[] = [textRules, namingRules, labelRules, learnedLabelRules, metricStructureRules, nativeHistogramRules, cardinalityRules, ratioRules, eventRules, summaryRules, learnedSummaryRules, durationRules, alertRules, alertRoutingRules, customRules, outputRules, negativeBucketRules, infoRules, aggregationLabelRules, windowRules];

/** The semantic rules, run on a catalogue that passed the JSON Schema. */
export function checkRules(raw: RawCatalog, loaded: LoadedCatalog): Diagnostic[] {
  const context = new RuleContext(raw, loaded);
  for (const rule of RULES) rule(context);
  return context.diagnostics;
}
