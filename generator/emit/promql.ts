/** PromQL pieces the rules and the dashboards both write, spelled one way. */
import type { HistogramShape } from '../catalog/model.js';

/** A PromQL double-quoted string (Go escapes), e.g. a label value in a matcher. */
export function stringLiteral(value: string): string {
  return JSON.stringify(value);
}

/** `sum by (a, b) (expr)`, or `sum(expr)` without labels. */
export function aggregate(operator: 'sum' | 'max' | 'min' | 'avg', by: readonly string[], expression: string): string {
  return by.length === 0 ? `${operator}(${expression})` : `${operator} by (${by.join(', ')}) (${expression})`;
}

/** A regular expression (RE2) that matches exactly `value`: every metacharacter escaped. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * A label matcher selecting `values` of label `name`, or every other value when `negated`:
 * `=`/`!=` for one value, `=~`/`!~` for several. Prometheus anchors a regex at both ends
 * (`^(?:a|b)$`), so the alternation of escaped values matches whole values only.
 */
export function labelMatcher(name: string, values: readonly string[], negated: boolean, literal: (text: string) => string = stringLiteral): string {
  if (values.length === 1) return `${name}${negated ? '!=' : '='}${literal(values[0] ?? '')}`;
  return `${name}${negated ? '!~' : '=~'}${literal(values.map(regexLiteral).join('|'))}`;
}


/**
 * The expression for whichever shape Prometheus ingested: a native-only histogram's native
 * expression, a classic one's classic expression, and for a histogram with both `(native) or
 * (classic)`. Both sides must carry the same labels (the same `by`, no `le` left): `or` then keeps
 * the native result of a label set and adds a classic one only for a label set the native side
 * lacks, so nothing is counted twice. `block`: laid out on lines, for rule files.
 */
export function eitherShape(shape: HistogramShape, native: string, classic: string, layout: 'line' | 'block' = 'line'): string {
  if (shape === 'native') return native;
  if (shape === 'classic') return classic;
  // Parenthesized as a whole: `or` binds looser than any comparison or `and` written after it.
  if (layout === 'line') return `((${native}) or (${classic}))`;
  const side = (expr: string): string => (expr.includes('\n') ? `(\n    ${expr.replace(/\n/g, '\n    ')}\n  )` : `(${expr})`);
  return `(\n  ${side(native)}\n  or\n  ${side(classic)}\n)`;
}

/** Quantile of a native histogram: its rate summed by `by` (no `le`: the buckets are in the sample). */
export function nativeQuantile(quantile: number, by: readonly string[], rateExpr: string): string {
  return `histogram_quantile(${quantile}, ${aggregate('sum', by, rateExpr)})`;
}

/** Observations per second of a native histogram, summed by `by`. */
export function nativeCountRate(by: readonly string[], rateExpr: string): string {
  return aggregate('sum', by, `histogram_count(${rateExpr})`);
}

/** Sum of observations per second of a native histogram, summed by `by`. */
export function nativeSumRate(by: readonly string[], rateExpr: string): string {
  return aggregate('sum', by, `histogram_sum(${rateExpr})`);
}

/**
 * Fraction of a native histogram's observations at or below `upper`. The lower bound is -Inf, as
 * Prometheus documents for "all observations below": a classic `le` bucket counts the same
 * (negative observations and the zero bucket included).
 */
export function nativeFractionBelow(upper: number, by: readonly string[], rateExpr: string): string {
  return `histogram_fraction(-Inf, ${upper}, ${aggregate('sum', by, rateExpr)})`;
}
