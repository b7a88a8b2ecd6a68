/**
 * The Prometheus base units (naming guide, OpenMetrics "Units and Base Units"): each in the schema,
 * required as the name's suffix, exposed as the OpenMetrics unit and shown in Grafana's unit.
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { exposedUnit } from '../../generator/conventions.js';
import { emitDashboards } from '../../generator/emit/dashboards/index.js';
import { catalogue, metric } from '../helpers/catalogue.js';

/** Unit, a gauge named with it, and Grafana's unit id (packages/grafana-data/src/valueFormats/categories.ts). */
const UNITS = [
  ['celsius', 'board_temperature_celsius', 'celsius'],
  ['meters', 'cable_length_meters', 'lengthm'],
  ['grams', 'filament_left_grams', 'massg'],
  ['joules', 'battery_charge_joules', 'joule'],
  ['volts', 'supply_voltage_volts', 'volt'],
  ['amperes', 'supply_current_amperes', 'amp'],
] as const;

const text = catalogue({
  labels: '  {}\n',
  events: null,
  metrics:
    UNITS.map(([unit, key]) => metric(key, { unit })).join('') +
    metric('energy_consumed_joules_total', { type: 'counter', unit: 'joules' }),
});

describe('base units', () => {
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');

  it('are accepted with their suffix, and exposed as the OpenMetrics unit', () => {
    expect(diagnostics).toEqual([]);
    for (const [unit, key] of UNITS) {
      const model = catalog!.metrics.find((m) => m.key === key)!;
      expect(model.unit).toBe(unit);
      expect(exposedUnit(model.unit)).toBe(unit);
    }
  });

  it("are shown in Grafana's unit; a joules counter's rate in watts", () => {
    const panels = [...emitDashboards(catalog!)].filter(([file]) => file.endsWith('.json')).flatMap(([, json]) => {
      const dashboard = JSON.parse(json) as { panels?: { title?: string; fieldConfig?: { defaults?: { unit?: string } }; targets?: { expr?: string }[] }[] };
      return dashboard.panels ?? [];
    });
    const unitOf = (name: string): string | undefined =>
      panels.find((p) => (p.targets ?? []).some((t) => t.expr?.includes(`shop_${name}{`)))?.fieldConfig?.defaults?.unit;
    for (const [, key, grafana] of UNITS) expect(unitOf(key), key).toBe(grafana);
    expect(unitOf('energy_consumed_joules_total')).toBe('watt');
  });

  it('require the name to end with the unit, and refuse non-base units in names', () => {
    const wrong = compileCatalog(catalogue({ labels: '  {}\n', events: null, metrics: metric('board_temperature', { unit: 'celsius' }) }), 'metrics.yaml');
    expect(wrong.diagnostics.map((d) => [d.rule, d.message])).toEqual([['unit-suffix', expect.stringContaining('end with "_celsius"')]]);
    const scaled = compileCatalog(
      catalogue({ labels: '  {}\n', events: null, metrics: metric('power_draw_watts', { unit: 'none' }) + metric('cable_length_kilometers', { unit: 'none' }) }),
      'metrics.yaml',
    );
    expect(scaled.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/use the base unit "joules" instead of "watts"/),
      expect.stringMatching(/use the base unit "meters" instead of "kilometers"/),
    ]);
  });
});
