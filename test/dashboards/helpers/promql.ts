/**
 * PromQL as Grafana would send it: dashboard variables substituted, then parsed with the same
 * lezer grammar the Prometheus UI uses. Substitution keeps a map back to the original text, so a
 * check can still see `$__rate_interval` or `"$job"` where the parser saw `5m` or `".+"`.
 */
import { parser } from '@prometheus-io/lezer-promql';

export type Tree = ReturnType<typeof parser.parse>;
export type SyntaxNode = Tree['topNode'];

/** Grafana's global variables a query may use, with a value that parses in its place. */
const GLOBALS: Readonly<Record<string, string>> = { __rate_interval: '5m', __interval: '1m', __range: '1h' };

interface Replacement {
  /** Span in the substituted text. */
  readonly from: number;
  readonly to: number;
  /** Span in the original text. */
  readonly originalFrom: number;
  readonly originalTo: number;
}

export class ParsedQuery {
  readonly tree: Tree;

  constructor(
    readonly original: string,
    readonly text: string,
    private readonly replacements: readonly Replacement[],
  ) {
    this.tree = parser.parse(text);
  }

  /** Syntax error nodes; empty for a valid expression. */
  errors(): SyntaxNode[] {
    return this.nodes((node) => node.type.isError);
  }

  nodes(test: string | ((node: SyntaxNode) => boolean)): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    const match = typeof test === 'string' ? (node: SyntaxNode) => node.name === test : test;
    this.tree.iterate({
      enter: (ref) => {
        if (match(ref.node)) found.push(ref.node);
      },
    });
    return found;
  }

  /** Text of a node as parsed (variables substituted). */
  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  /** Text of a node as written in the dashboard (variables as they were). */
  source(node: SyntaxNode): string {
    return this.original.slice(this.mapStart(node.from), this.mapEnd(node.to));
  }

  private mapStart(position: number): number {
    let delta = 0;
    for (const r of this.replacements) {
      if (position >= r.to) {
        delta += r.originalTo - r.originalFrom - (r.to - r.from);
        continue;
      }
      if (position >= r.from) return r.originalFrom;
      break;
    }
    return position + delta;
  }

  private mapEnd(position: number): number {
    let delta = 0;
    for (const r of this.replacements) {
      if (position > r.to) {
        delta += r.originalTo - r.originalFrom - (r.to - r.from);
        continue;
      }
      if (position > r.from) return r.originalTo;
      break;
    }
    return position + delta;
  }
}

/**
 * Substitutes `$name` and `${name}`: Grafana globals by a duration, dashboard variables by `.+`
 * (what "All" sends). A reference to anything else is an error: Grafana would send it verbatim.
 */
export function parseQuery(expr: string, variables: ReadonlySet<string>): ParsedQuery {
  const replacements: Replacement[] = [];
  let text = '';
  let last = 0;
  for (const match of expr.matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
    const name = (match[1] ?? match[2])!;
    const value = GLOBALS[name] ?? (variables.has(name) ? '.+' : undefined);
    if (value === undefined) throw new Error(`undefined variable $${name} in ${expr}`);
    text += expr.slice(last, match.index);
    replacements.push({ from: text.length, to: text.length + value.length, originalFrom: match.index, originalTo: match.index + match[0].length });
    text += value;
    last = match.index + match[0].length;
  }
  text += expr.slice(last);
  return new ParsedQuery(expr, text, replacements);
}

/** The metric name of a vector selector. */
export function selectorName(query: ParsedQuery, selector: SyntaxNode): string | undefined {
  const identifier = selector.getChild('Identifier');
  return identifier ? query.slice(identifier) : undefined;
}

export interface Matcher {
  readonly label: string;
  readonly op: string;
  /** The string literal as written, quotes included: `"$job"`. */
  readonly value: string;
}

export function selectorMatchers(query: ParsedQuery, selector: SyntaxNode): Matcher[] {
  const list = selector.getChild('LabelMatchers');
  if (!list) return [];
  return list.getChildren('UnquotedLabelMatcher').map((m) => ({
    label: query.slice(m.getChild('LabelName')!),
    op: query.slice(m.getChild('MatchOp')!),
    value: query.source(m.getChild('StringLiteral')!),
  }));
}

/** Name of the function a call node calls (`rate`, `histogram_quantile`, ...). */
export function functionName(query: ParsedQuery, call: SyntaxNode): string {
  return query.slice(call.getChild('FunctionIdentifier')!);
}

/** For `X` directly inside `f(...)`, the FunctionCall node of `f`; else undefined. */
export function enclosingCall(node: SyntaxNode): SyntaxNode | undefined {
  const body = node.parent;
  if (body?.name !== 'FunctionCallBody') return undefined;
  return body.parent?.name === 'FunctionCall' ? body.parent : undefined;
}

/** For `X` directly inside `agg by (...) (X)`, the AggregateExpr node; else undefined. */
export function enclosingAggregation(node: SyntaxNode): SyntaxNode | undefined {
  const body = node.parent;
  if (body?.name !== 'FunctionCallBody') return undefined;
  return body.parent?.name === 'AggregateExpr' ? body.parent : undefined;
}

export interface Aggregation {
  readonly op: string;
  readonly modifier: 'by' | 'without' | undefined;
  readonly labels: string[];
}

export function aggregation(query: ParsedQuery, node: SyntaxNode): Aggregation {
  const modifier = node.getChild('AggregateModifier');
  const kind = modifier?.getChild('By') ? 'by' : modifier?.getChild('Without') ? 'without' : undefined;
  const labels = modifier?.getChild('GroupingLabels')?.getChildren('LabelName').map((n) => query.slice(n)) ?? [];
  return { op: query.slice(node.getChild('AggregateOp')!), modifier: kind, labels };
}
