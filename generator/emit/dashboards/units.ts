import * as units from '@grafana/grafana-foundation-sdk/units';
import type { MetricModel, Unit } from '../../catalog/model.js';

/** Grafana unit id of each catalogue unit. */
export const GRAFANA_UNITS: Readonly<Record<Unit, string>> = {
  seconds: units.Seconds,
  bytes: units.BytesIEC,
  ratio: units.PercentUnit,
  usd: units.Dollars,
  score: units.NoUnit,
  count: units.Short,
  none: units.NoUnit,
};

/** Unit of a metric's panels: the panel hint's Grafana unit id, else the catalogue unit's. */
export function panelUnit(metric: MetricModel): string {
  return metric.panel.unit ?? GRAFANA_UNITS[metric.unit];
}

/** Unit of a ratio (0-1). */
export const RATIO_UNIT = units.PercentUnit;

/** Unit of heatmap cells: observations per bucket. */
export const COUNT_UNIT = units.Short;
