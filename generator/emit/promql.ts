/** PromQL pieces the rules and the dashboards both write, spelled one way. */

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
