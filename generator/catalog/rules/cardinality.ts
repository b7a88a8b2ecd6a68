import { DROP_REASONS } from '../../../runtime/drops.js';
import { DEFAULT_BUDGET, seriesCount } from '../defaults.js';
import type { RuleContext } from './context.js';

/**
 * Series of a metric = product of its labels' value counts × what a histogram's label set costs in
 * the TSDB: buckets + 3 classic series (also with a negative bound: see seriesCount), 1 native
 * series, or both added up (seriesCount). A label
 * that learns its values counts its declared values, its overflow value and its `learned.max` slots:
 * the runtime never gives it more, so the budget holds at generation time.
 */
export function cardinalityRules(context: RuleContext): void {
  const perMetric = context.raw.budget?.series_per_metric ?? DEFAULT_BUDGET.seriesPerMetric;
  const total = context.raw.budget?.total_series ?? DEFAULT_BUDGET.totalSeries;
  let sum = 0;
  const sizes: { name: string; series: number }[] = [];
  for (const [key, metric] of context.metrics()) {
    const labels = (metric.labels ?? []).map((id) => ({ id, label: context.label(id) }));
    if (labels.some(({ label }) => label === undefined)) continue; // reported by label-undefined
    const counts = labels.map(({ label }) => (label?.values?.length ?? 0) + (label?.overflow !== undefined ? 1 : 0) + (label?.learned?.max ?? 0));
    const buckets = metric.type === 'histogram' ? (metric.buckets?.length ?? 0) : undefined;
    const native = metric.type === 'histogram' && metric.native !== undefined;
    const series = seriesCount(counts, buckets, native);
    sum += series;
    sizes.push({ name: context.fullName(key), series });
    const limit = metric.series_limit ?? perMetric;
    if (series > limit) {
      const drivers = labels
        .map(({ id, label }, index) => `${id} (${counts[index]}${label?.learned ? `, ${label.learned.max} learned` : ''})`)
        .concat(buckets === undefined ? [] : [histogramDriver(buckets, native)])
        .join(' × ');
      context.error(
        'series-limit',
        `${context.fullName(key)} may create ${series} series, over its limit of ${limit}: ${drivers}`,
        ['metrics', key],
        { key: true },
      );
    }
  }
  // The exporter's drop counter has a series per metric and reason; it counts against the budget too.
  const dropSeries = context.metrics().length * DROP_REASONS.length;
  sum += dropSeries;
  if (sum > total) {
    const largest = sizes
      .sort((a, b) => b.series - a.series)
      .slice(0, 5)
      .map((s) => `${s.name} (${s.series})`)
      .join(', ');
    context.error('series-budget', `the catalogue may create ${sum} series (${dropSeries} series of the drop counter included), over its budget of ${total}; largest: ${largest}`, context.raw.budget?.total_series === undefined ? ['metrics'] : ['budget', 'total_series']);
  }
}

/** What one label set of a histogram costs, as the message spells it. */
function histogramDriver(buckets: number, native: boolean): string {
  if (!native) return `${buckets} buckets + 3`;
  return buckets === 0 ? '1 native series' : `(${buckets} buckets + 3 + 1 native series)`;
}
