import { histogramExposesSum } from '../../conventions.js';
import type { RuleContext } from './context.js';

/**
 * A histogram with a negative bucket bound exposes its buckets only: OpenMetrics 1.0 forbids its
 * `_sum` ("it would no longer be a counter semantically") and writes `_count` only beside `_sum`.
 * Whatever the catalogue builds on those two series could never see data, so it is refused here,
 * where the catalogue says it, rather than left to answer nothing in Prometheus.
 */
export function negativeBucketRules(context: RuleContext): void {
  const withoutSum = new Set<string>();
  for (const [key, metric] of context.metrics()) {
    if (metric.type !== 'histogram' || histogramExposesSum(metric.buckets ?? [])) continue;
    withoutSum.add(key);
    const why = `${context.fullName(key)} has a negative bucket bound, so it exposes no _sum and no _count (OpenMetrics forbids a sum there)`;
    (metric.alerts ?? []).forEach((alert, index) => {
      const at = ['metrics', key, 'alerts', index];
      if (alert.of === 'average') {
        context.error('histogram-negative-sum', `alert ${alert.name}: ${why}; an average cannot be computed: alert on a quantile instead`, [...at, 'of']);
      } else if (alert.kind === 'quantile' && alert.min_rate !== undefined) {
        context.error('histogram-negative-sum', `alert ${alert.name}: ${why}; min_rate needs the observation count: leave it out`, [...at, 'min_rate']);
      } else if (alert.kind === 'absence' || alert.kind === 'slo') {
        context.error('histogram-negative-sum', `alert ${alert.name}: ${why}; a ${alert.kind} alert reads the observation count`, [...at, 'kind']);
      }
    });
  }
  for (const [id, figure] of Object.entries(context.raw.summary ?? {})) {
    if (!('average' in figure) || !withoutSum.has(figure.average)) continue;
    context.error(
      'histogram-negative-sum',
      `summary ${id}: ${context.fullName(figure.average)} has a negative bucket bound, so it exposes no _sum and no _count; its dashboard average could never show data`,
      ['summary', id, 'average'],
    );
  }
}
