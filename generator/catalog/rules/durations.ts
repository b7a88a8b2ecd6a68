import { durationProblem } from '../duration.js';
import type { RuleContext } from './context.js';

/** Every duration the schema takes, by where it sits; a test holds this list to the schema's. */
export const ALERT_DURATION_KEYS = ['for', 'window', 'offset', 'baseline', 'slo_window'] as const;
/** Durations of a custom alert (`rules:`). */
export const CUSTOM_RULE_DURATION_KEYS = ['for'] as const;

/**
 * Durations within Prometheus's range. Their spelling is the schema's (a canonical pattern); the
 * range is not a pattern, and promtool would refuse the rule file over it.
 */
export function durationRules(context: RuleContext): void {
  const check = (value: string | undefined, path: readonly (string | number)[], where: string): void => {
    const problem = value === undefined ? undefined : durationProblem(value);
    if (problem !== undefined) context.error('duration-range', `${where}: ${problem}`, path);
  };
  check(context.raw.scrape_interval, ['scrape_interval'], 'scrape_interval');
  for (const [key, metric] of context.metrics()) {
    (metric.alerts ?? []).forEach((alert, index) => {
      for (const slot of ALERT_DURATION_KEYS) check(alert[slot], ['metrics', key, 'alerts', index, slot], `alert ${alert.name}: ${slot}`);
    });
  }
  (context.raw.rules ?? []).forEach((rule, index) => {
    if (!('alert' in rule)) return;
    for (const slot of CUSTOM_RULE_DURATION_KEYS) check(rule[slot], ['rules', index, slot], `alert ${rule.alert}: ${slot}`);
  });
}
