/**
 * The generated rules and panels of metrics.yaml and of every test and golden catalogue, read with
 * the Prometheus UI's grammar, against the Prometheus 3 changes they meet: `le` values normalised to
 * the OpenMetrics float form (every `le` matcher must select both spellings of its bound), regex `.`
 * matching newlines (no rule regex relies on an unescaped `.`), left-open ranges (every rule range
 * spans at least 4 scrape intervals; every panel range is `$__rate_interval`), and holt_winters
 * renamed (used nowhere).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { everyCatalogue } from '../helpers/catalogues.js';
import { parseDuration } from '../../generator/catalog/duration.js';
import { emitAll } from '../../generator/emit/index.js';
import { MIN_SCRAPES_PER_WINDOW } from '../../generator/catalog/rules/windows.js';
import { formatGoFloat, formatOpenMetricsFloat } from '../../runtime/format.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUES = everyCatalogue();

type Node = ReturnType<typeof parser.parse>['topNode'];

function nodes(expr: string, name: string): Node[] {
  const found: Node[] = [];
  parser.parse(expr).iterate({ enter: (ref) => void (ref.name === name ? found.push(ref.node) : undefined) });
  return found;
}

/** Label matchers of an expression: label, operator and value (string escapes decoded). */
function matchers(expr: string): { label: string; op: string; value: string }[] {
  return nodes(expr, 'UnquotedLabelMatcher').flatMap((matcher) => {
    const label = matcher.getChild('LabelName');
    const op = matcher.getChild('MatchOp');
    const value = matcher.getChild('StringLiteral');
    if (!label || !op || !value) return [];
    return [{ label: expr.slice(label.from, label.to), op: expr.slice(op.from, op.to), value: JSON.parse(expr.slice(value.from, value.to)) as string }];
  });
}

function leMatchers(expr: string): { op: string; value: string }[] {
  return matchers(expr).flatMap((m) => (m.label === 'le' ? [{ op: m.op, value: m.value }] : []));
}

/** Whether a matcher selects both the text format's and OpenMetrics' spelling of `bound`. */
function selectsBothSpellings(matcher: { op: string; value: string }, bound: number): boolean {
  const spellings = [formatGoFloat(bound), formatOpenMetricsFloat(bound)];
  if (matcher.op === '=') return spellings.every((s) => s === matcher.value);
  // RE2 and JavaScript agree on what the generator writes: digits, escaped dots and pluses, `|`.
  const pattern = new RegExp(`^(?:${matcher.value})$`, 's');
  return matcher.op === '=~' && spellings.every((s) => pattern.test(s));
}

/** A regex `.` not escaped: since Prometheus 3 it matches a line break too. */
function hasBareDot(regex: string): boolean {
  return /(^|[^\\])(\\\\)*\./.test(regex);
}

describe.each(CATALOGUES)('the outputs of %s', (catalogPath) => {
  const { catalog } = compileCatalog(readFileSync(join(root, catalogPath), 'utf8'), 'metrics.yaml');
  if (!catalog) throw new Error(`${catalogPath} does not compile`);
  const outputs = emitAll(catalog);
  const rules = (parse(outputs.get(catalog.files.rules) ?? '') as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr));
  const panels = [...outputs]
    .filter(([path]) => path.endsWith('.json') && path.startsWith(`${catalog.files.dashboards}/`))
    .flatMap(([, text]) => (JSON.parse(text) as { panels: { targets?: { expr: string }[] }[] }).panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)));
  const generated = rules.slice(0, rules.length - catalog.customRules.length);

  it('select every bucket bound by both of its spellings', () => {
    const bounds = catalog.metrics.flatMap((m) => m.buckets);
    const matchers = [...rules, ...panels].flatMap(leMatchers);
    const wrong = matchers.filter((m) => !bounds.some((bound) => selectsBothSpellings(m, bound)));
    expect(wrong).toEqual([]);
  });

  it('write no rule regex whose `.` could now match a line break', () => {
    const regexes = generated.flatMap((expr) => matchers(expr).flatMap((m) => (m.op.includes('~') ? [m.value] : [])));
    expect(regexes.filter(hasBareDot)).toEqual([]);
  });

  it(`take every rule range over at least ${MIN_SCRAPES_PER_WINDOW} scrape intervals, and every panel range over $__rate_interval`, () => {
    const scrape = parseDuration(catalog.scrapeInterval);
    const ranges = generated.flatMap((expr) => nodes(expr, 'MatrixSelector').map((m) => expr.slice(m.from, m.to).replace(/^.*\[([^\]]+)\]$/s, '$1')));
    expect(ranges.length > 0).toBe(generated.length > 0);
    expect(ranges.filter((range) => parseDuration(range) < MIN_SCRAPES_PER_WINDOW * scrape)).toEqual([]);
    const panelRanges = panels.flatMap((expr) => [...expr.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]));
    expect(panelRanges.filter((range) => range !== '$__rate_interval')).toEqual([]);
  });

  it('call no holt_winters', () => {
    expect([...rules, ...panels].filter((expr) => expr.includes('holt_winters'))).toEqual([]);
  });
});

describe('the checks above', () => {
  it('find a bound spelled one way only, and accept the generated two-way spelling', () => {
    expect(leMatchers('sum(rate(m_bucket{le="120"}[5m]))')).toEqual([{ op: '=', value: '120' }]);
    expect(selectsBothSpellings({ op: '=', value: '120' }, 120)).toBe(false);
    expect(selectsBothSpellings({ op: '=~', value: '120|120\\.0' }, 120)).toBe(true);
    expect(selectsBothSpellings({ op: '=', value: '0.5' }, 0.5)).toBe(true);
    expect(selectsBothSpellings({ op: '=~', value: '1e-05' }, 0.00001)).toBe(formatGoFloat(0.00001) === formatOpenMetricsFloat(0.00001));
  });

  it('find an unescaped regex dot, not an escaped one', () => {
    expect(matchers('m{a=~"x.y", b=~"x\\\\.y", c="q.r"}').map((m) => [m.label, hasBareDot(m.value)])).toEqual([['a', true], ['b', false], ['c', true]]);
  });

  it('have le matchers to look at in metrics.yaml', () => {
    const { catalog } = compileCatalog(readFileSync(join(root, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
    const rules = catalog ? (emitAll(catalog).get(catalog.files.rules) ?? '') : '';
    const exprs = (parse(rules) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.flatMap(leMatchers).length).toBeGreaterThan(0);
  });
});
