/**
 * What each dashboard shows, decided before any panel is built: sections (rendered as rows) of
 * items, each item one metric, ratio, summary figure or comparison. The dashboard's label
 * variables follow from the labels its items split by.
 */
import { RECORDING_KEEP_LABELS, generatedHeader } from '../../conventions.js';
import type { Catalog, DashboardRef, GroupModel, LabelModel, MetricModel, RatioModel, SummaryFigureModel } from '../../catalog/model.js';

export type Item =
  /** Every panel of one metric, chosen by its type. */
  | { readonly kind: 'metric'; readonly metric: MetricModel }
  /** A ratio through its recording rule. */
  | { readonly kind: 'ratio'; readonly ratio: RatioModel }
  /** A summary figure as a single stat. */
  | { readonly kind: 'figure'; readonly figure: SummaryFigureModel }
  /** Means of several histograms side by side, per value of one label. */
  | { readonly kind: 'comparison'; readonly label: LabelModel; readonly metrics: readonly MetricModel[] }
  /** Links to every dashboard, in group order. */
  | { readonly kind: 'navigation'; readonly refs: readonly DashboardRef[] };

export interface Section {
  readonly title: string;
  readonly items: readonly Item[];
}

export interface DashboardPlan {
  readonly ref: DashboardRef;
  readonly description: string;
  readonly tags: readonly string[];
  readonly sections: readonly Section[];
}

/** Labels a metric's panels split by: the panel hint's `split_by`, else all its labels. */
export function splitLabels(metric: MetricModel): LabelModel[] {
  return [...(metric.panel.splitBy ?? metric.labels)];
}

/**
 * Labels worth a dashboard variable: those the catalogue explicitly splits by (panel `split_by`,
 * ratio `by`) in at least two metrics. One panel split by a label already shows each value; a
 * label several panels split by is a dimension worth filtering the whole dashboard on.
 */
export function variableLabelCandidates(catalog: Catalog): Set<string> {
  const counts = new Map<string, number>();
  for (const metric of catalog.metrics) {
    const ids = new Set([...(metric.panel.splitBy ?? []), ...metric.ratios.flatMap((ratio) => ratio.by)].map((label) => label.id));
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const reserved = new Set<string>([...RECORDING_KEEP_LABELS, 'datasource', 'le']);
  return new Set(
    catalog.labels
      .filter((label) => !label.builtin && (counts.get(label.id) ?? 0) >= 2 && !reserved.has(label.id) && !reserved.has(label.name))
      .map((label) => label.id),
  );
}

/** Label variables of a dashboard, in catalogue label order. */
export function dashboardVariableLabels(catalog: Catalog, plan: DashboardPlan): LabelModel[] {
  const candidates = variableLabelCandidates(catalog);
  const used = new Set(plan.sections.flatMap((section) => section.items.flatMap((item) => itemSplitLabels(item).map((l) => l.id))));
  return catalog.labels.filter((label) => candidates.has(label.id) && used.has(label.id));
}

function itemSplitLabels(item: Item): LabelModel[] {
  switch (item.kind) {
    case 'metric':
      return splitLabels(item.metric);
    case 'ratio':
      return [...item.ratio.by];
    case 'comparison':
      return [item.label];
    case 'figure':
    case 'navigation':
      return [];
  }
}

function header(catalog: Catalog): string {
  return generatedHeader(catalog.sourceFile, '').trim();
}

/** A group's dashboard: a row per kind of panel, each metric's panels in catalogue order. */
export function groupPlan(catalog: Catalog, group: GroupModel, ref: DashboardRef): DashboardPlan {
  const shown = group.metrics.filter((metric) => !metric.panel.hide);
  const ofType = (type: MetricModel['type']): Item[] => shown.filter((m) => m.type === type).map((metric) => ({ kind: 'metric', metric }));
  return {
    ref,
    description: `${header(catalog)} ${group.title}${group.description ? `: ${group.description}` : '.'}`,
    tags: [catalog.namespace],
    sections: [
      { title: 'Ratios', items: group.metrics.flatMap((metric) => metric.ratios.map((ratio): Item => ({ kind: 'ratio', ratio }))) },
      { title: 'Rates', items: ofType('counter') },
      { title: 'Gauges', items: ofType('gauge') },
      { title: 'Histograms', items: ofType('histogram') },
      { title: 'Build and version', items: ofType('info') },
    ],
  };
}

/**
 * The overview: the catalogue's summary figures as stats, then the panel behind each figure
 * (ratio, distribution, rate), then the comparison, then links to every dashboard.
 */
export function overviewPlan(catalog: Catalog, ref: DashboardRef, refs: readonly DashboardRef[]): DashboardPlan {
  const details: Item[] = [];
  const seen = new Set<string>();
  for (const figure of catalog.summary) {
    const key = figure.kind === 'ratio' ? `ratio:${figure.ratio.name}` : `metric:${figure.metric.key}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push(figure.kind === 'ratio' ? { kind: 'ratio', ratio: figure.ratio } : { kind: 'metric', metric: figure.metric });
  }
  const comparison = comparisonItem(catalog);
  if (comparison) details.push(comparison);
  return {
    ref,
    description: `${header(catalog)} Overview of the ${catalog.namespace} metrics: the catalogue's summary figures, the panels behind them${
      comparison ? ` and a comparison by ${comparison.label.name}` : ''
    }; one dashboard per group has every metric.`,
    tags: [catalog.namespace],
    sections: [
      { title: 'Summary', items: catalog.summary.map((figure): Item => ({ kind: 'figure', figure })) },
      { title: 'Details', items: details },
      { title: 'Dashboards', items: [{ kind: 'navigation', refs }] },
    ],
  };
}

/**
 * The label most panel hints split by (the catalogue's main dimension, `agent` for LazyBird), and
 * the histograms split by it that are not durations (those belong to performance): their means
 * per label value make the comparison.
 */
export function comparisonItem(catalog: Catalog): Extract<Item, { kind: 'comparison' }> | undefined {
  const counts = new Map<string, number>();
  for (const metric of catalog.metrics) for (const { id } of metric.panel.splitBy ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  let best: LabelModel | undefined;
  for (const label of catalog.labels) {
    const count = counts.get(label.id) ?? 0;
    if (!label.builtin && count >= 2 && count > (best ? (counts.get(best.id) ?? 0) : 0)) best = label;
  }
  if (!best) return undefined;
  const label = best;
  const metrics = catalog.metrics.filter(
    (m) => m.type === 'histogram' && m.unit !== 'seconds' && !m.panel.hide && (m.panel.splitBy ?? []).some((l) => l.id === label.id),
  );
  return metrics.length === 0 ? undefined : { kind: 'comparison', label, metrics };
}
