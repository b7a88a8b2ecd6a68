import { labelNameOf } from '../defaults.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import type { Catalog } from '../model.js';
import type { RuleContext } from './context.js';

/**
 * Names an aggregation label cannot take, each with what already means it: the scrape's own target
 * labels (rules keep them anyway), the labels the exposition and Prometheus' alerts write, and the
 * dashboards' own variable.
 */
const RESERVED: ReadonlyMap<string, string> = new Map([
  ['job', 'the scrape job, which every rule already keeps'],
  ['instance', 'the scraped target, which the recording rules already keep'],
  ['le', 'a histogram bucket\'s bound'],
  ['quantile', 'a summary\'s quantile'],
  ['alertname', 'the alert\'s name on every alert'],
  ['alertstate', 'the state of an alert in the ALERTS series'],
  ['severity', 'every alert\'s severity'],
  ['datasource', 'the dashboards\' data source variable'],
  // The exporter's own drop counter is labelled by these.
  ['metric', 'a label of the exporter\'s drop counter'],
  ['reason', 'a label of the exporter\'s drop counter'],
]);

/**
 * `aggregation_labels:` are labels the store adds to every series (a cluster or region, from
 * external_labels, a remote-write label or relabelling): each must be free for that, so no label
 * of the catalogue's own, no reserved name, and no routing label (a fixed `cluster: eu` on the alert
 * would overwrite the value every alert carries from its series).
 */
export function aggregationLabelRules(context: RuleContext): void {
  const extra = context.raw.aggregation_labels;
  if (extra === undefined) return;
  // By exposed name (the series' label) and by id (the dashboards' variable of the label).
  const catalogueLabels = new Map(Object.entries(context.raw.labels).flatMap(([id, label]) => [[id, id], [labelNameOf(id, label), id]] as const));
  const infoLabels = new Map(context.metrics().flatMap(([key, metric]) => (metric.info_labels ?? []).map((name) => [name, key] as const)));
  const routing = [
    { labels: context.raw.alert_labels, where: 'alert_labels' },
    ...Object.entries(context.raw.groups).map(([id, group]) => ({ labels: group.alert_labels, where: `groups.${id}.alert_labels` })),
    ...context.metrics().flatMap(([key, metric]) => (metric.alerts ?? []).map((alert) => ({ labels: alert.labels, where: `the labels of alert ${alert.name} (metrics.${key})` }))),
    ...(context.raw.rules ?? []).map((rule) => ({ labels: rule.labels, where: `the labels of ${'alert' in rule ? rule.alert : rule.record} (rules:)` })),
  ];
  extra.forEach((name, index) => {
    const at = ['aggregation_labels', index];
    const reserved = RESERVED.get(name);
    if (reserved !== undefined) {
      context.error('aggregation-label-reserved', `aggregation_labels: "${name}" is ${reserved}; name the label the store adds (e.g. cluster, region)`, at);
      return;
    }
    const label = catalogueLabels.get(name);
    if (label !== undefined) {
      context.error('aggregation-label-clash', `aggregation_labels: "${name}" is the catalogue's label ${label}; the store's label would overwrite or be overwritten by the exporter's`, at);
      return;
    }
    const info = infoLabels.get(name);
    if (info !== undefined) {
      context.error('aggregation-label-clash', `aggregation_labels: "${name}" is an info label of metrics.${info}; the store's label would overwrite or be overwritten by the exporter's`, at);
      return;
    }
    const fixed = routing.find((layer) => layer.labels !== undefined && Object.hasOwn(layer.labels, name));
    if (fixed !== undefined) {
      context.error('aggregation-label-clash', `aggregation_labels: "${name}" is also set in ${fixed.where}; a fixed value would hide the one every alert carries from its series`, at);
    }
  });
}

/**
 * On the model: a custom rule's expression is kept as written, so a `by (...)` that leaves out an
 * aggregation label adds the clusters up. Warned, not refused: a store-wide rule may mean it.
 */
export function customAggregationRules(catalog: Catalog, source: Pick<LoadedCatalog, 'diagnostic'>): Diagnostic[] {
  if (catalog.aggregationLabels.length === 0) return [];
  return catalog.customRules.flatMap((rule) => {
    // Unknown result labels (Prometheus' own series, a cycle of records): nothing to say.
    if (rule.outputLabels === undefined) return [];
    const kept = new Set(rule.outputLabels.map((label) => label.name));
    const dropped = catalog.aggregationLabels.filter((name) => !kept.has(name));
    if (dropped.length === 0) return [];
    const names = dropped.map((name) => `"${name}"`).join(', ');
    return [
      source.diagnostic(
        'custom-aggregation-label',
        `${rule.kind === 'alert' ? 'alert' : 'recording rule'} ${rule.name}: its result drops ${names} of aggregation_labels, so it adds up every ${dropped[0]}; keep ${dropped.length > 1 ? 'them' : 'it'} in each by (...) unless the rule is meant store-wide`,
        [...rule.path, 'expr'],
        { severity: 'warning' },
      ),
    ];
  });
}
