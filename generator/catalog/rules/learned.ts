import type { RuleContext } from './context.js';

/**
 * Labels that learn their values at run time. Without an overflow value, every value past the
 * limit is dropped: the calls still happen, but their counts vanish from every sum, which is rarely
 * what a dashboard wants. Only a warning: dropping is a legitimate choice (a per-tenant gauge).
 */
export function learnedLabelRules(context: RuleContext): void {
  for (const [id, label] of Object.entries(context.raw.labels)) {
    if (label.learned === undefined || label.overflow !== undefined) continue;
    context.warning(
      'label-learned-no-overflow',
      `label ${id}: values past the ${label.learned.max} learned ones are dropped; add an overflow value (e.g. overflow: other) to keep counting them`,
      ['labels', id, 'learned'],
      { key: true },
    );
  }
}
