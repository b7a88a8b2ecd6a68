/** What the catalogue model says the dashboards must show, independent of the emitter. */
import { RATIO_WINDOWS, ratioRecordName, sampleNames } from '../../../generator/conventions.js';
import type { Catalog, LabelModel, MetricModel, RatioModel, Unit } from '../../../generator/catalog/model.js';
import { panelsOf } from './dashboard.js';
import type { DashboardJson, PanelJson } from './dashboard.js';
import { parsedTargets } from './lint.js';
import { selectorName } from './promql.js';

/** The unit mapping the project decided on (README, "Dashboards"). */
export const EXPECTED_UNITS: Readonly<Record<Unit, string>> = {
  seconds: 's',
  bytes: 'bytes',
  ratio: 'percentunit',
  // Grafana's ids, from packages/grafana-data/src/valueFormats/categories.ts.
  celsius: 'celsius',
  meters: 'lengthm',
  grams: 'massg',
  joules: 'joule',
  volts: 'volt',
  amperes: 'amp',
  usd: 'currencyUSD',
  score: 'none',
  count: 'short',
  none: 'none',
};

export const DEFAULT_QUANTILES = [0.5, 0.95, 0.99];

export function expectedUnit(metric: MetricModel): string {
  // A counter panel shows a rate: joules per second are watts.
  if (metric.panel.unit === undefined && metric.type === 'counter' && metric.unit === 'joules') return 'watt';
  return metric.panel.unit ?? EXPECTED_UNITS[metric.unit];
}

/** Labels the panels of a metric split by: the hint, else all the metric's labels. */
export function expectedSplit(metric: MetricModel): LabelModel[] {
  return [...(metric.panel.splitBy ?? metric.labels)];
}

export function ratioLabelsOf(_catalog: Catalog, ratio: RatioModel): LabelModel[] {
  return [...ratio.by];
}

export function recordOf(catalog: Catalog, ratio: RatioModel): string {
  return ratioRecordName(catalog.namespace, ratio.name, ratioLabelsOf(catalog, ratio).map((l) => l.name), RATIO_WINDOWS[0]);
}

export type SeriesOwner = { readonly kind: 'metric'; readonly metric: MetricModel } | { readonly kind: 'ratio'; readonly ratio: RatioModel; readonly labels: LabelModel[] };

/** Every series name the dashboards may query, to what it belongs. */
export function seriesOwners(catalog: Catalog): Map<string, SeriesOwner> {
  const owners = new Map<string, SeriesOwner>();
  for (const metric of catalog.metrics) {
    for (const name of sampleNames(metric.name, metric.type)) owners.set(name, { kind: 'metric', metric });
    for (const ratio of metric.ratios) owners.set(recordOf(catalog, ratio), { kind: 'ratio', ratio, labels: ratioLabelsOf(catalog, ratio) });
  }
  return owners;
}

/** Series names the targets of a panel (or of every panel) select. */
export function seriesOfPanel(dashboard: DashboardJson, panel: PanelJson): Set<string> {
  return new Set(
    parsedTargets(dashboard)
      .filter((t) => t.panel === panel)
      .flatMap(({ query }) => query.nodes('VectorSelector').map((s) => selectorName(query, s) ?? '')),
  );
}

export function seriesOfDashboard(dashboard: DashboardJson): Set<string> {
  return new Set(panelsOf(dashboard).flatMap((panel) => [...seriesOfPanel(dashboard, panel)]));
}

/** Panels showing one metric (and nothing else). */
export function panelsOfMetric(dashboard: DashboardJson, metric: MetricModel): PanelJson[] {
  const names = new Set(sampleNames(metric.name, metric.type));
  return panelsOf(dashboard).filter((panel) => {
    const series = [...seriesOfPanel(dashboard, panel)];
    return series.length > 0 && series.every((s) => names.has(s));
  });
}
