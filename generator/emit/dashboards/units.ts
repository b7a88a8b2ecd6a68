import * as units from '@grafana/grafana-foundation-sdk/units';
import type { MetricModel, Unit } from '../../catalog/model.js';

/** Grafana unit id of each catalogue unit. */
export const GRAFANA_UNITS: Readonly<Record<Unit, string>> = {
  seconds: units.Seconds,
  bytes: units.BytesIEC,
  ratio: units.PercentUnit,
  celsius: units.Celsius,
  meters: units.Meter,
  grams: units.Gram,
  joules: units.Joule,
  volts: units.Volt,
  amperes: units.Ampere,
  usd: units.Dollars,
  score: units.NoUnit,
  count: units.Short,
  none: units.NoUnit,
};

/**
 * Unit of a metric's panels: the panel hint's Grafana unit id, else the catalogue unit's. A counter
 * panel shows a rate, and energy per second is power: a joules counter is drawn in watts (the naming
 * guide's way to expose power is such a counter).
 */
export function panelUnit(metric: MetricModel): string {
  if (metric.panel.unit !== undefined) return metric.panel.unit;
  return metric.type === 'counter' && metric.unit === 'joules' ? units.Watt : GRAFANA_UNITS[metric.unit];
}

/** Unit of a ratio (0-1). */
export const RATIO_UNIT = units.PercentUnit;

/** Unit of heatmap cells: observations per bucket. */
export const COUNT_UNIT = units.Short;
