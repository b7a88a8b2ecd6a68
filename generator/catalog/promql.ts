/**
 * PromQL of custom rules, read with the lezer grammar the Prometheus UI uses: syntax errors, the
 * selectors an expression names, and the labels its result carries. Knows nothing of the catalogue:
 * a caller resolves each selector to the labels of the series it names.
 */
import { parser } from '@prometheus-io/lezer-promql';

type Tree = ReturnType<typeof parser.parse>;
type SyntaxNode = Tree['topNode'];

/** Offsets in the expression text, `to` exclusive. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly labelSpan: Span;
  readonly op: MatchOperator;
  /** The value, string escapes decoded. */
  readonly value: string;
  readonly valueSpan: Span;
}

export interface Selector {
  /** The metric name, written before the braces or as `__name__="..."` / `{"name"}`. */
  readonly name: { readonly value: string; readonly span: Span } | undefined;
  /** A `__name__` matcher other than `=` (a pattern of names). */
  readonly namePattern: LabelMatcher | undefined;
  /** Every other matcher. */
  readonly matchers: readonly LabelMatcher[];
  readonly span: Span;
}

/** Values a label may take; undefined: any. */
export type LabelValues = readonly string[] | undefined;
/** The labels of a vector with their values; undefined when they cannot be known. */
export type LabelSet = ReadonlyMap<string, LabelValues> | undefined;

/** A grouping label (`by`, `without`, `on`, `ignoring`) that the vector it applies to does not carry. */
export interface GroupingProblem {
  readonly label: string;
  readonly span: Span;
  readonly clause: string;
}

type Shape = { readonly kind: 'scalar' } | { readonly kind: 'string' } | { readonly kind: 'vector'; readonly labels: LabelSet };

const SCALAR: Shape = { kind: 'scalar' };
const UNKNOWN: Shape = { kind: 'vector', labels: undefined };
const NO_LABELS: Shape = { kind: 'vector', labels: new Map() };

/** Functions whose result is a scalar; `vector()` and the date functions without argument return a label-less vector. */
const SCALAR_FUNCTIONS = new Set(['time', 'pi', 'scalar']);
/** Aggregations that keep every label of the series they select. */
const SELECTING_AGGREGATIONS = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

export class PromqlExpression {
  private readonly tree: Tree;

  constructor(readonly text: string) {
    this.tree = parser.parse(text);
  }

  /** The first syntax error, with what the parser stopped at; undefined for a valid expression. */
  syntaxError(): { readonly span: Span; readonly message: string } | undefined {
    let found: SyntaxNode | undefined;
    this.tree.iterate({
      enter: (ref) => {
        if (found !== undefined) return false;
        if (ref.type.isError) found = ref.node;
        return undefined;
      },
    });
    if (found === undefined) {
      if (this.text.trim() === '') return { span: { from: 0, to: 0 }, message: 'the expression is empty' };
      return undefined;
    }
    const at = found.from;
    const rest = this.text.slice(at).trim();
    const message = rest === '' ? 'the expression ends too early' : `unexpected ${JSON.stringify(firstToken(rest))}`;
    return { span: { from: at, to: Math.max(found.to, at) }, message };
  }

  selectors(): Selector[] {
    const found: Selector[] = [];
    this.tree.iterate({
      enter: (ref) => {
        if (ref.name === 'VectorSelector') found.push(this.selector(ref.node));
      },
    });
    return found;
  }

  /**
   * The labels of the expression's result, each selector's labels given by `resolve`; `report`
   * hears of grouping labels missing from the vector they group.
   */
  labels(resolve: (selector: Selector) => LabelSet, report: (problem: GroupingProblem) => void = () => {}): LabelSet {
    const shape = this.shape(this.tree.topNode, resolve, report);
    return shape.kind === 'vector' ? shape.labels : new Map();
  }

  private slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private selector(node: SyntaxNode): Selector {
    const identifier = node.getChild('Identifier');
    let name = identifier ? { value: this.slice(identifier), span: spanOf(identifier) } : undefined;
    let namePattern: LabelMatcher | undefined;
    const matchers: LabelMatcher[] = [];
    const list = node.getChild('LabelMatchers');
    for (let child = list?.firstChild ?? null; child; child = child.nextSibling) {
      if (child.name === 'QuotedLabelName') {
        // `{"name"}`: a metric name in quotes.
        const literal = child.getChild('StringLiteral');
        if (literal) name = { value: decodeString(this.slice(literal)), span: spanOf(literal) };
        continue;
      }
      if (child.name !== 'UnquotedLabelMatcher' && child.name !== 'QuotedLabelMatcher') continue;
      const labelNode = child.getChild('LabelName') ?? child.getChild('QuotedLabelName')?.getChild('StringLiteral');
      const opNode = child.getChild('MatchOp');
      const valueNode = child.getChildren('StringLiteral').at(-1);
      if (!labelNode || !opNode || !valueNode || valueNode === labelNode) continue;
      const label = labelNode.name === 'StringLiteral' ? decodeString(this.slice(labelNode)) : this.slice(labelNode);
      const matcher: LabelMatcher = {
        label,
        labelSpan: spanOf(labelNode),
        op: this.slice(opNode) as MatchOperator,
        value: decodeString(this.slice(valueNode)),
        valueSpan: spanOf(valueNode),
      };
      if (label !== '__name__') matchers.push(matcher);
      else if (matcher.op === '=') name = { value: matcher.value, span: matcher.valueSpan };
      else namePattern = matcher;
    }
    return { name, namePattern, matchers, span: spanOf(node) };
  }

  private shape(node: SyntaxNode, resolve: (selector: Selector) => LabelSet, report: (problem: GroupingProblem) => void): Shape {
    const of = (child: SyntaxNode | undefined): Shape => (child ? this.shape(child, resolve, report) : UNKNOWN);
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr':
      case 'UnaryExpr':
      case 'MatrixSelector':
      case 'SubqueryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
        return of(expressions(node)[0]);
      case 'VectorSelector':
        return { kind: 'vector', labels: resolve(this.selector(node)) };
      case 'NumberDurationLiteral':
        return SCALAR;
      case 'StringLiteral':
        return { kind: 'string' };
      case 'FunctionCall':
        return this.call(node, of);
      case 'AggregateExpr':
        return this.aggregation(node, of, report);
      case 'BinaryExpr':
        return this.binary(node, of, report);
      default:
        return UNKNOWN;
    }
  }

  private call(node: SyntaxNode, of: (child: SyntaxNode | undefined) => Shape): Shape {
    const name = this.slice(node.getChild('FunctionIdentifier') ?? node);
    const args = expressions(node.getChild('FunctionCallBody') ?? node);
    if (SCALAR_FUNCTIONS.has(name)) return SCALAR;
    switch (name) {
      case 'vector':
        return NO_LABELS;
      case 'histogram_quantile':
      case 'histogram_fraction': {
        const inner = of(args.at(-1));
        return inner.kind === 'vector' ? { kind: 'vector', labels: without(inner.labels, ['le']) } : inner;
      }
      case 'label_replace':
      case 'label_join': {
        const inner = of(args[0]);
        const target = args[1]?.name === 'StringLiteral' ? decodeString(this.slice(args[1])) : undefined;
        if (inner.kind !== 'vector' || inner.labels === undefined || target === undefined) return UNKNOWN;
        return { kind: 'vector', labels: new Map([...inner.labels, [target, undefined]]) };
      }
      case 'absent':
      case 'absent_over_time': {
        // The result carries the labels the selector fixes with `=`.
        let selector = args[0];
        while (selector && selector.name !== 'VectorSelector') selector = expressions(selector)[0];
        if (!selector) return NO_LABELS;
        const fixed = this.selector(selector).matchers.filter((m) => m.op === '=');
        return { kind: 'vector', labels: new Map(fixed.map((m) => [m.label, [m.value]])) };
      }
      default: {
        // Most functions keep the labels of their vector argument.
        const vector = args.map((arg) => of(arg)).find((shape) => shape.kind === 'vector');
        return vector ?? (args.length === 0 ? NO_LABELS : UNKNOWN);
      }
    }
  }

  private aggregation(node: SyntaxNode, of: (child: SyntaxNode | undefined) => Shape, report: (problem: GroupingProblem) => void): Shape {
    const op = this.slice(node.getChild('AggregateOp') ?? node);
    const args = expressions(node.getChild('FunctionCallBody') ?? node);
    const inner = of(args.at(-1));
    const innerLabels = inner.kind === 'vector' ? inner.labels : undefined;
    const modifier = node.getChild('AggregateModifier');
    const clause = modifier?.getChild('By') ? 'by' : modifier?.getChild('Without') ? 'without' : undefined;
    const grouping = this.groupingLabels(modifier?.getChild('GroupingLabels') ?? undefined);
    if (clause !== undefined && innerLabels !== undefined) {
      for (const g of grouping) if (!innerLabels.has(g.label)) report({ ...g, clause });
    }
    if (SELECTING_AGGREGATIONS.has(op)) return { kind: 'vector', labels: innerLabels };
    let labels: LabelSet;
    if (clause === 'without') labels = without(innerLabels, grouping.map((g) => g.label));
    else if (clause === 'by') labels = new Map(grouping.map((g) => [g.label, innerLabels?.get(g.label)]));
    else labels = new Map();
    if (op === 'count_values' && labels !== undefined) {
      const target = args[0]?.name === 'StringLiteral' ? decodeString(this.slice(args[0])) : undefined;
      labels = target === undefined ? undefined : new Map([...labels, [target, undefined]]);
    }
    return { kind: 'vector', labels };
  }

  private binary(node: SyntaxNode, of: (child: SyntaxNode | undefined) => Shape, report: (problem: GroupingProblem) => void): Shape {
    const operands = expressions(node);
    const left = of(operands[0]);
    const right = of(operands.at(-1));
    if (left.kind !== 'vector') return right.kind === 'vector' ? right : SCALAR;
    if (right.kind !== 'vector') return left;
    const matching = node.getChild('MatchingModifierClause');
    const lists = matching?.getChildren('GroupingLabels') ?? [];
    const clause = matching?.getChild('On') ? 'on' : matching?.getChild('Ignoring') ? 'ignoring' : undefined;
    const matchingLabels = clause ? this.groupingLabels(lists[0]) : [];
    // `on` matches by labels both sides should carry; `ignoring` may name labels only one side has.
    const lacks = (labels: LabelSet, label: string): boolean => labels !== undefined && !labels.has(label);
    for (const g of matchingLabels) {
      const missing = clause === 'on' ? lacks(left.labels, g.label) || lacks(right.labels, g.label) : lacks(left.labels, g.label) && lacks(right.labels, g.label);
      if (missing) report({ ...g, clause: clause ?? 'on' });
    }
    const groupLeft = Boolean(matching?.getChild('GroupLeft'));
    const groupRight = Boolean(matching?.getChild('GroupRight'));
    const include = (groupLeft || groupRight) && lists.length > (clause ? 1 : 0) ? this.groupingLabels(lists.at(-1)) : [];
    if (node.getChild('And') || node.getChild('Unless')) return left;
    if (node.getChild('Or')) return { kind: 'vector', labels: union(left.labels, right.labels) };
    if (groupLeft || groupRight) {
      const [many, one] = groupLeft ? [left, right] : [right, left];
      if (many.labels === undefined) return UNKNOWN;
      return { kind: 'vector', labels: new Map([...many.labels, ...include.map((g) => [g.label, one.labels?.get(g.label)] as const)]) };
    }
    const names = matchingLabels.map((g) => g.label);
    if (clause === 'on') return { kind: 'vector', labels: left.labels && new Map([...left.labels].filter(([label]) => names.includes(label))) };
    return { kind: 'vector', labels: without(left.labels, names) };
  }

  private groupingLabels(list: SyntaxNode | undefined): { label: string; span: Span }[] {
    return (list?.getChildren('LabelName') ?? []).map((n) => ({ label: this.slice(n), span: spanOf(n) }));
  }
}

/** Children that are expressions (not keywords, operators, modifiers or punctuation). */
function expressions(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (EXPRESSION_NODES.has(child.name)) out.push(child);
  }
  return out;
}

const EXPRESSION_NODES = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr', 'ParenExpr',
  'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);

function spanOf(node: SyntaxNode): Span {
  return { from: node.from, to: node.to };
}

function without(labels: LabelSet, names: readonly string[]): LabelSet {
  return labels && new Map([...labels].filter(([label]) => !names.includes(label)));
}

function union(a: LabelSet, b: LabelSet): LabelSet {
  if (a === undefined || b === undefined) return undefined;
  const out = new Map(a);
  for (const [label, values] of b) {
    const before = out.get(label);
    out.set(label, out.has(label) && before !== undefined && values !== undefined ? [...new Set([...before, ...values])] : out.has(label) ? undefined : values);
  }
  return out;
}

function firstToken(text: string): string {
  return /^([A-Za-z_:][A-Za-z0-9_:]*|\d[\w.]*|"(?:[^"\\]|\\.)*"?|\S)/.exec(text)?.[1] ?? text.slice(0, 1);
}

/**
 * A PromQL string literal's value: double or single quotes with Go's escapes, or backquotes
 * taken as written.
 */
export function decodeString(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, literal.endsWith(quote ?? '') && literal.length > 1 ? -1 : undefined);
  if (quote === '`') return body;
  return body.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))/gs, (_, hex: string, u4: string, u8: string, octal: string, c: string) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
    if (octal) return String.fromCharCode(parseInt(octal, 8));
    return ESCAPES[c] ?? c;
  });
}

const ESCAPES: Readonly<Record<string, string>> = { a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
