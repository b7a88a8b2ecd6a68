import type { RuleContext } from './context.js';

/** Label names Prometheus or the exposition give a meaning of their own. */
const RESERVED_INFO_LABELS = new Set(['le', 'quantile', 'job', 'instance']);

/**
 * Info metrics (OpenMetrics `info`): named `<something>_info`, no unit, one series whose labels are
 * `info_labels` with values set at run time; nothing computes over them (no alerts, ratios or summary figures).
 */
export function infoRules(context: RuleContext): void {
  for (const [key, metric] of context.metrics()) {
    const at = ['metrics', key];
    const name = context.fullName(key);
    if (metric.type !== 'info') {
      if (metric.info_labels !== undefined) {
        context.error('info-labels-unexpected', `${name}: only info metrics have info_labels (this is a ${metric.type})`, [...at, 'info_labels'], { key: true });
      }
      continue;
    }
    if (!key.endsWith('_info')) context.error('info-name-suffix', `${name}: an info metric's name ends with "_info" (OpenMetrics writes its sample so)`, at, { key: true });
    if (metric.unit !== 'none') context.error('info-unit', `${name}: an info metric has no unit (OpenMetrics); write unit: none`, [...at, 'unit']);
    if (metric.info_labels === undefined) {
      context.error('info-labels-missing', `${name}: an info metric needs info_labels, the labels whose values the application sets (e.g. [version, commit])`, at, { key: true });
    }
    (metric.info_labels ?? []).forEach((labelName, index) => {
      if (RESERVED_INFO_LABELS.has(labelName)) {
        context.error('info-label-reserved', `${name}: the label name "${labelName}" is reserved by Prometheus`, [...at, 'info_labels', index]);
      }
    });
    if (metric.labels !== undefined && metric.labels.length > 0) {
      context.error('info-fixed-labels', `${name}: an info metric has one series; put its labels in info_labels, not labels`, [...at, 'labels'], { key: true });
    }
    // Ratios on an info metric are refused by ratio-metric-type, like on any non-counter.
    if (metric.alerts !== undefined) {
      context.error('info-no-alerts', `${name}: an info metric only describes what runs (its value is always 1); it takes no alerts`, [...at, 'alerts'], { key: true });
    }
  }
}
