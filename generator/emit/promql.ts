/** PromQL pieces the rules and the dashboards both write, spelled one way. */

/** A PromQL double-quoted string (Go escapes), e.g. a label value in a matcher. */
export function stringLiteral(value: string): string {
  return JSON.stringify(value);
}

/** `sum by (a, b) (expr)`, or `sum(expr)` without labels. */
export function aggregate(operator: 'sum' | 'max' | 'avg', by: readonly string[], expression: string): string {
  return by.length === 0 ? `${operator}(${expression})` : `${operator} by (${by.join(', ')}) (${expression})`;
}
