import { labelNameOf } from '../defaults.js';
import type { RuleContext } from './context.js';
import { templateProblem } from './template.js';

/** Prometheus label (and annotation) name syntax. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the alerting rule or its series set already: overriding them would mislabel every alert. */
const SET_BY_RULE: Readonly<Record<string, string>> = {
  alertname: 'Prometheus sets it to the alert name',
  severity: 'every alert has its own "severity" key',
  job: 'it would overwrite the label of the series the alert is about',
  instance: 'it would overwrite the label of the series the alert is about',
};
const SET_BY_ANNOTATION_KEY: Readonly<Record<string, string>> = {
  summary: 'every alert has its own "summary" key',
  description: 'every alert has its own "description" key',
};

/**
 * Alert labels and annotations, at catalogue, group and alert level: names Prometheus accepts,
 * that override nothing the rule sets itself, and values whose templates expand.
 */
export function alertRoutingRules(context: RuleContext): void {
  const raw = context.raw;
  // Labels of the series the alerts in scope are about: a catalogue or group label must not overwrite them.
  const alertedLabels = (group: string | undefined): string[] =>
    context
      .metrics()
      .filter(([, metric]) => (group === undefined || metric.group === group) && (metric.alerts ?? []).length > 0)
      .flatMap(([, metric]) =>
        (metric.labels ?? []).flatMap((labelId) => {
          const label = context.label(labelId);
          return label ? [labelNameOf(labelId, label)] : [];
        }),
      );
  checkLayer(context, raw.alert_labels, raw.alert_annotations, ['alert_labels'], ['alert_annotations'], alertedLabels(undefined));
  for (const [id, group] of Object.entries(raw.groups)) {
    checkLayer(context, group.alert_labels, group.alert_annotations, ['groups', id, 'alert_labels'], ['groups', id, 'alert_annotations'], alertedLabels(id));
  }
  for (const [key, metric] of context.metrics()) {
    const metricLabels = (metric.labels ?? []).flatMap((labelId) => {
      const label = context.label(labelId);
      return label ? [labelNameOf(labelId, label)] : [];
    });
    (metric.alerts ?? []).forEach((alert, index) => {
      const at = ['metrics', key, 'alerts', index];
      checkLayer(context, alert.labels, alert.annotations, [...at, 'labels'], [...at, 'annotations'], metricLabels);
    });
  }
}

function checkLayer(
  context: RuleContext,
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
  labelsAt: readonly (string | number)[],
  annotationsAt: readonly (string | number)[],
  seriesLabels: readonly string[],
): void {
  for (const [name, value] of Object.entries(labels ?? {})) {
    const why = !LABEL_NAME.test(name)
      ? 'is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'
      : name.startsWith('__')
        ? 'starts with "__", which Prometheus reserves for itself'
        : Object.hasOwn(SET_BY_RULE, name)
          ? `cannot be set here: ${SET_BY_RULE[name]}`
          : seriesLabels.includes(name)
            ? 'cannot be set here: it would overwrite the label of the series the alert is about'
            : undefined;
    if (why !== undefined) context.error('alert-label-name', `alert label "${name}" ${why}`, [...labelsAt, name], { key: true });
    const template = templateProblem(value);
    if (template !== undefined) context.error('alert-label-template', `alert label ${name}: the value is a Prometheus template, and ${template}`, [...labelsAt, name]);
  }
  for (const [name, value] of Object.entries(annotations ?? {})) {
    const why = !LABEL_NAME.test(name)
      ? 'is not a Prometheus annotation name ([a-zA-Z_][a-zA-Z0-9_]*)'
      : Object.hasOwn(SET_BY_ANNOTATION_KEY, name)
        ? `cannot be set here: ${SET_BY_ANNOTATION_KEY[name]}`
        : undefined;
    if (why !== undefined) context.error('alert-annotation-name', `alert annotation "${name}" ${why}`, [...annotationsAt, name], { key: true });
    const template = templateProblem(value);
    if (template !== undefined) context.error('alert-annotation-template', `alert annotation ${name}: the value is a Prometheus template, and ${template}`, [...annotationsAt, name]);
  }
}
