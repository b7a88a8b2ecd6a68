/**
 * Custom rules (`rules:`): what can be checked on the catalogue as written (groups, record names,
 * PromQL syntax, templates; durations are durations.ts's), then, on the model where every series name is stored, that
 * each selector names a series the catalogue has, with its labels and their allowed values. Errors
 * inside an expression sit on the character they concern.
 */
import { catalogSeries, customSeries, selectorLabels } from '../custom-rules.js';
import type { KnownSeries } from '../custom-rules.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import type { Catalog, MetricModel } from '../model.js';
import { PromqlExpression } from '../promql.js';
import type { LabelMatcher, LabelValues, Selector } from '../promql.js';
import type { RawCatalog, RawCustomRule } from '../raw.js';
import type { RuleContext } from './context.js';
import { templateProblem } from './template.js';

/** Prometheus' convention for recording rules: `level:metric:operations`. */
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

/** Checks that need only the catalogue as written. */
export function customRules(context: RuleContext): void {
  (context.raw.rules ?? []).forEach((rule, index) => {
    const at = ['rules', index];
    const where = ruleTitle(rule);
    if (!Object.hasOwn(context.raw.groups, rule.group)) {
      context.error('group-undefined', `${where}: group "${rule.group}" is not defined under groups`, [...at, 'group']);
    }
    if ('record' in rule && !RECORD_NAME.test(rule.record)) {
      context.error(
        'custom-record-name',
        `${where}: a recording rule is named level:metric:operations (e.g. job:${context.raw.namespace}_requests:rate5m), three parts joined by colons`,
        [...at, 'record'],
      );
    }
    const syntax = new PromqlExpression(rule.expr).syntaxError();
    // Prometheus 3 renamed holt_winters; the grammar (Prometheus 3's) no longer knows the name.
    const renamed = syntax && /\bholt_winters\s*$/.exec(rule.expr.slice(0, syntax.span.from));
    if (renamed) {
      context.error(
        'custom-expr-holt-winters',
        `${where}: holt_winters does not exist in Prometheus 3, which renamed it double_exponential_smoothing (behind --enable-feature=promql-experimental-functions), a name Prometheus 2 does not know; deriv or predict_linear load on both`,
        [...at, 'expr'],
        { offset: renamed.index },
      );
    } else if (syntax) context.error('custom-expr-syntax', `${where}: PromQL syntax: ${syntax.message}`, [...at, 'expr'], { offset: syntax.span.from });
    if ('alert' in rule) {
      if (!rule.summary.trim().endsWith('.')) context.error('alert-summary', `${where}: the summary should be a sentence ending with a period`, [...at, 'summary']);
      if (rule.summary.includes('{{')) context.error('alert-summary', `${where}: the summary is static; put templated labels and values in the description`, [...at, 'summary']);
      const templates: [string, string, (string | number)[]][] = [
        ...(rule.description === undefined ? [] : [['the description', rule.description, [...at, 'description']] as [string, string, (string | number)[]]]),
        ...Object.entries(rule.annotations ?? {}).map(([name, value]): [string, string, (string | number)[]] => [`annotation ${name}`, value, [...at, 'annotations', name]]),
        ...Object.entries(rule.labels ?? {}).map(([name, value]): [string, string, (string | number)[]] => [`label ${name}`, value, [...at, 'labels', name]]),
      ];
      for (const [what, text, path] of templates) {
        const problem = templateProblem(text);
        if (problem !== undefined) context.error('custom-template', `${where}: ${what} is a Prometheus template, and ${problem}`, path);
      }
    }
  });
}

type Source = Pick<LoadedCatalog, 'diagnostic'>;

/** Every selector of every custom rule names a series of the catalogue, with its labels and values. */
export function customExpressionRules(catalog: Catalog, raw: RawCatalog, source: Source): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const rules = raw.rules ?? [];
  const lookup = customSeries(catalog.metrics, rules, catalog.aggregationLabels);
  const names = [...new Set([...catalogSeries(catalog.metrics, catalog.aggregationLabels).keys(), ...rules.flatMap((r) => ('record' in r ? [r.record] : []))])];
  rules.forEach((rule, index) => {
    const path = ['rules', index, 'expr'];
    const where = ruleTitle(rule);
    const report = (id: string, message: string, offset: number): void => {
      diagnostics.push(source.diagnostic(id, `${where}: ${message}`, path, { offset }));
    };
    const expression = new PromqlExpression(rule.expr);
    for (const selector of expression.selectors()) {
      const series = checkName(selector, lookup, names, catalog.metrics, report);
      if (series?.labels === undefined) continue;
      for (const matcher of selector.matchers) checkMatcher(matcher, series, report);
    }
    expression.labels(
      (selector) => selectorLabels(selector, lookup),
      (problem) => report('custom-expr-label', `${problem.clause} (${problem.label}): ${problem.label} is not a label of the vector it applies to`, problem.span.from),
    );
  });
  return diagnostics;
}

function checkName(
  selector: Selector,
  lookup: (name: string) => KnownSeries | undefined,
  names: readonly string[],
  metrics: readonly MetricModel[],
  report: (id: string, message: string, offset: number) => void,
): KnownSeries | undefined {
  if (selector.name !== undefined) {
    const series = lookup(selector.name.value);
    if (series === undefined) report('custom-expr-metric', `${selector.name.value} is not a series of the catalogue, one of its recording rules or one Prometheus writes${nameHint(selector.name.value, metrics)}`, selector.name.span.from);
    return series;
  }
  const pattern = selector.namePattern;
  // Only a positive pattern can miss everything; a negative one matches the rest.
  if (pattern?.op === '=~') {
    const matches = valueMatcher(pattern);
    if (matches !== undefined && !names.some(matches)) {
      report('custom-expr-metric', `__name__${pattern.op}${JSON.stringify(pattern.value)} matches no series of the catalogue`, pattern.valueSpan.from);
    }
  }
  return undefined;
}

/** Where a near miss has an obvious fix: the series names of a histogram, a counter's `_total`, the namespace. */
function nameHint(name: string, metrics: readonly MetricModel[]): string {
  const near = metrics.find((m) => m.key === name || m.name === name || m.family === name);
  return near ? `; did you mean ${near.samples.join(' or ')}?` : '';
}

function checkMatcher(matcher: LabelMatcher, series: KnownSeries, report: (id: string, message: string, offset: number) => void): void {
  const labels = series.labels;
  if (labels === undefined) return;
  if (!labels.has(matcher.label)) {
    report('custom-expr-label', `${matcher.label} is not a label of ${series.what}; its labels are ${[...labels.keys()].join(', ')}`, matcher.labelSpan.from);
    return;
  }
  const allowed: LabelValues = labels.get(matcher.label);
  if (allowed === undefined) return;
  // `!=""` asks for the label to be present: a common idiom, never a typo.
  if (matcher.op === '!=' && matcher.value === '') return;
  const matches = valueMatcher(matcher);
  if (matches === undefined || allowed.some(matches)) return;
  const shown = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, …` : allowed.join(', ');
  const what = matcher.op === '=' || matcher.op === '!=' ? `${JSON.stringify(matcher.value)} is not a value` : `${matcher.op}${JSON.stringify(matcher.value)} matches no value`;
  report('custom-expr-label-value', `${what} of ${matcher.label} on ${series.what} (allowed: ${shown})`, matcher.valueSpan.from);
}

/**
 * Which values the matcher's positive form selects: `=`/`!=` by equality, `=~`/`!~` by the fully
 * anchored pattern. Undefined for a pattern JavaScript cannot read (RE2 syntax it lacks): not checked.
 */
function valueMatcher(matcher: LabelMatcher): ((value: string) => boolean) | undefined {
  if (matcher.op === '=' || matcher.op === '!=') return (value) => value === matcher.value;
  try {
    const pattern = new RegExp(`^(?:${matcher.value})$`, 's');
    return (value) => pattern.test(value);
  } catch {
    return undefined;
  }
}

function ruleTitle(rule: RawCustomRule): string {
  return 'record' in rule ? `recording rule ${rule.record}` : `alert ${rule.alert}`;
}
