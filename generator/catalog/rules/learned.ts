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

/**
 * `metrics.summary()` adds up series the generated code addresses by number at generation time; a
 * value a label will only learn at run time has no number yet, so a summary ratio matching one
 * would silently count nothing.
 */
export function learnedSummaryRules(context: RuleContext): void {
  const figures = Object.entries(context.raw.summary ?? {}).flatMap(([id, figure]) => ('ratio' in figure ? [{ id, ratio: figure.ratio }] : []));
  if (figures.length === 0) return;
  for (const [key, metric] of context.metrics()) {
    (metric.ratios ?? []).forEach((ratio, index) => {
      const figure = figures.find((f) => f.ratio === ratio.name);
      if (figure === undefined) return;
      for (const side of ['match', 'denominator_match'] as const) {
        for (const [labelId, written] of Object.entries(ratio[side] ?? {})) {
          const label = context.label(labelId);
          if (label?.learned === undefined) continue;
          // A negated matcher also selects every value the label learns, which summary() cannot address.
          const values = typeof written === 'string' ? [written] : Array.isArray(written) ? written : undefined;
          const unaddressable = values === undefined ? `not ${JSON.stringify((written as { not: string | string[] }).not)}` : values.find((value) => !(label.values ?? []).includes(value) && label.overflow !== value);
          if (unaddressable === undefined) continue;
          context.error(
            'summary-learned-value',
            values === undefined
              ? `summary ${figure.id}: ratio ${ratio.name} matches ${labelId} ${unaddressable}, which takes in every value label ${labelId} learns at run time; summary() cannot address them (match declared values instead)`
              : `summary ${figure.id}: ratio ${ratio.name} matches ${labelId}=${JSON.stringify(unaddressable)}, a value label ${labelId} can only learn at run time; summary() cannot address it (declare the value under values)`,
            ['metrics', key, 'ratios', index, side, labelId],
          );
        }
      }
    });
  }
}
