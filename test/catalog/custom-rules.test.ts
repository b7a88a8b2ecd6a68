/**
 * Custom rules beyond the one-error-per-rule cases of rules.test.ts: the labels the PromQL walker
 * says each kind of expression keeps, positions inside expressions however YAML writes them, the
 * model and outputs of the http-service test catalogue, and the breaking-change check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { decodeString, PromqlExpression } from '../../generator/catalog/promql.js';
import type { LabelSet } from '../../generator/catalog/promql.js';
import { breakingChanges } from '../../generator/checks/compat.js';
import { emitAll } from '../../generator/emit/index.js';
import { catalogue, positionOf } from '../helpers/catalogue.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('labels of an expression', () => {
  // a{x, y} and b{x, z}, x taking 1 or 2; c's labels cannot be known.
  const series: Record<string, LabelSet> = {
    a: new Map([['x', ['1', '2']], ['y', undefined]]),
    b: new Map([['x', ['1', '2']], ['z', undefined]]),
    h_bucket: new Map([['x', ['1', '2']], ['le', ['0.5', '+Inf']]]),
  };
  const labelsOf = (expr: string) => {
    const problems: string[] = [];
    const labels = new PromqlExpression(expr).labels((s) => (s.name ? series[s.name.value] : undefined), (p) => problems.push(`${p.clause} ${p.label}`));
    return { labels: labels && Object.fromEntries(labels), problems };
  };

  it.each([
    ['a selector', 'a', { x: ['1', '2'], y: undefined }],
    ['a function of a range', 'rate(a[5m])', { x: ['1', '2'], y: undefined }],
    ['sum by', 'sum by (x) (a)', { x: ['1', '2'] }],
    ['sum ... by, the modifier after', 'sum(a) by (y)', { y: undefined }],
    ['sum without', 'sum without (y) (a)', { x: ['1', '2'] }],
    ['a plain sum', 'sum(a)', {}],
    ['topk keeps every label', 'topk(3, a)', { x: ['1', '2'], y: undefined }],
    ['count_values adds its label', 'count_values by (x) ("v", a)', { x: ['1', '2'], v: undefined }],
    ['histogram_quantile drops le', 'histogram_quantile(0.9, sum by (x, le) (rate(h_bucket[5m])))', { x: ['1', '2'] }],
    ['label_replace adds its target', 'label_replace(a, "w", "$1", "y", "(.*)")', { x: ['1', '2'], y: undefined, w: undefined }],
    ['absent keeps its equality matchers', 'absent(a{x="1", y=~"."})', { x: ['1'] }],
    ['vector and scalar', 'a * 2', { x: ['1', '2'], y: undefined }],
    ['scalar and vector', '2 * b', { x: ['1', '2'], z: undefined }],
    ['one-to-one: the left side', 'a / ignoring (y, z) b', { x: ['1', '2'] }],
    ['on keeps only its labels', 'a > on (x) b', { x: ['1', '2'] }],
    ['group_left adds the one side\'s labels', 'a * on (x) group_left (z) b', { x: ['1', '2'], y: undefined, z: undefined }],
    ['and keeps the left side', 'a and on (x) b', { x: ['1', '2'], y: undefined }],
    ['or: both sides', 'a or b', { x: ['1', '2'], y: undefined, z: undefined }],
    ['vector()', 'vector(1)', {}],
    ['parentheses and offset', '(a offset 1h)', { x: ['1', '2'], y: undefined }],
  ])('%s: %s', (_, expr, expected) => {
    expect(labelsOf(expr)).toEqual({ labels: expected, problems: [] });
  });

  it('is unknown when a selector\'s labels are', () => {
    expect(labelsOf('rate(c[5m])').labels).toBeUndefined();
    expect(labelsOf('sum by (q) (c)')).toEqual({ labels: { q: undefined }, problems: [] });
  });

  it('reports grouping labels the vector lacks, each where it applies', () => {
    expect(labelsOf('sum by (z) (a) + on (y) b').problems).toEqual(['by z', 'on y']);
    expect(labelsOf('sum without (w) (a)').problems).toEqual(['without w']);
    // ignoring may name a label of one side only, not of neither.
    expect(labelsOf('a / ignoring (w) b').problems).toEqual(['ignoring w']);
  });

  it('decodes PromQL strings as Go does', () => {
    expect(decodeString(String.raw`"a\"b\n\x41\u00e9\101"`)).toBe('a"b\nAéA');
    expect(decodeString(String.raw`'it\'s'`)).toBe("it's");
    expect(decodeString('`raw\\n`')).toBe('raw\\n');
  });

  it('finds selectors written every way: name, __name__, quoted name', () => {
    const names = new PromqlExpression('a{x="1"} + {__name__="b"} + {"c", x="2"} + {__name__=~"d.*"}').selectors().map((s) => s.name?.value ?? s.namePattern?.value);
    expect(names).toEqual(['a', 'b', 'c', 'd.*']);
  });
});

describe('positions inside an expression', () => {
  const alert = (expr: string) =>
    catalogue({ tail: `rules:\n  - alert: Custom\n    group: main\n    expr: ${expr}\n    severity: warning\n    summary: Something is off.\n` });
  const where = (text: string) => compileCatalog(text, 'metrics.yaml').diagnostics.map((d) => `${d.line}:${d.col} [${d.rule}]`);

  it('are the same with CRLF line endings, in a literal block', () => {
    const text = alert('|\n      sum(rate(shop_requests_total[5m]))\n      > sum(rate(shop_requests_total{methd="get"}[5m]))');
    const at = positionOf(text, { line: '> sum(rate(', col: 'methd' });
    expect(where(text)).toEqual([`${at.line}:${at.col} [custom-expr-label]`]);
    expect(where(text.replace(/\n/g, '\r\n'))).toEqual([`${at.line}:${at.col} [custom-expr-label]`]);
  });

  it('follow an explicit indentation indicator', () => {
    const text = alert('|2\n       rate(shop_requests_total{methd="get"}[5m]) > 1');
    const at = positionOf(text, { line: 'rate(shop_requests_total{', col: 'methd' });
    expect(where(text)).toEqual([`${at.line}:${at.col} [custom-expr-label]`]);
  });

  it('fall back to the expression itself where YAML rewrote the text (escapes)', () => {
    const text = alert(String.raw`"rate(shop_requests_total{methd=\"get\"}[5m]) > 1"`);
    const at = positionOf(text, { line: 'expr: "rate', col: '"rate' });
    expect(where(text)).toEqual([`${at.line}:${at.col} [custom-expr-label]`]);
  });
});

describe('the http-service test catalogue', () => {
  const path = join(ROOT, 'test/catalogues/http-service/metrics.yaml');
  const text = readFileSync(path, 'utf8');
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');

  it('resolves its custom rules: labels kept, group, defaults', () => {
    expect(diagnostics).toEqual([]);
    const rules = catalog!.customRules.map((r) => ({ name: r.name, kind: r.kind, group: r.group.id, labels: r.outputLabels?.map((l) => l.name) }));
    expect(rules).toEqual([
      { name: 'job_http_route:checkout_http_server_server_errors:rate5m', kind: 'record', group: 'red', labels: ['job', 'http_route'] },
      { name: 'CheckoutPaymentsMissing', kind: 'alert', group: 'red', labels: ['job', 'team'] },
      { name: 'CheckoutServerErrorsFast', kind: 'alert', group: 'red', labels: ['job', 'http_route', 'team'] },
    ]);
    expect(catalog!.customRuleGroups.map((g) => [g.name, g.rules.length])).toEqual([['checkout-red-custom', 3]]);
    // The record keeps http_route with its allowed values, so a selector on it is checked against them.
    expect(catalog!.customRules[0]!.outputLabels?.find((l) => l.name === 'http_route')?.values).toContain('/checkout');
  });

  it('writes them after the generated groups, and in the reference', () => {
    const outputs = emitAll(catalog!);
    const rules = outputs.get(catalog!.files.rules)!;
    const groups = [...rules.matchAll(/^ {2}- name: (.+)$/gm)].map((m) => m[1]);
    expect(groups.at(-1)).toBe('checkout-red-custom');
    expect(groups.slice(0, -1)).toEqual(catalog!.groups.flatMap((g) => g.ruleGroups));
    const reference = outputs.get(catalog!.files.reference)!;
    expect(reference).toContain('## Custom rules');
    for (const rule of catalog!.customRules) expect(reference).toContain(`<code>${rule.name}</code>`);
  });

  it('breaks compatibility when a custom alert or record is removed, not when one is added', () => {
    const compare = (oldText: string, newText: string) => {
      const before = compileCatalog(oldText, 'old.yaml');
      const after = compileCatalog(newText, 'metrics.yaml');
      return breakingChanges(before.catalog!, after.catalog!, after.source);
    };
    // Drop the last custom alert, then the record and the alert reading it.
    const withoutLast = text.slice(0, text.indexOf('  - alert: CheckoutServerErrorsFast'));
    const withoutRecord = withoutLast.replace(/ {2}- record: [\s\S]*?(?= {2}- alert: CheckoutPaymentsMissing)/, '');
    const at = positionOf(withoutLast, { line: 'rules:', col: 'rules' });
    expect(compare(text, withoutLast).map((d) => `${d.line}:${d.col} [${d.rule}] ${d.message}`)).toEqual([
      `${at.line}:${at.col} [breaking-alert-removed] custom alert CheckoutServerErrorsFast was removed: silences, routes and dashboards that name it stop matching`,
    ]);
    expect(compare(withoutLast, withoutRecord).map((d) => d.rule)).toEqual(['breaking-recording-rule-removed']);
    expect(compare(withoutRecord, text)).toEqual([]);
  });
});

describe('custom alerts route like the generated ones', () => {
  it('carry the catalogue and group alert labels and annotations, their own on top', () => {
    const text = catalogue({
      head: 'namespace: shop\nalert_labels: { team: shop, tier: "1" }\nalert_annotations: { dashboard: shop-main }\n',
      tail:
        'rules:\n' +
        '  - alert: RequestsStopped\n    group: main\n    expr: sum(rate(shop_requests_total[5m])) == 0\n    severity: warning\n    summary: No requests.\n    labels: { tier: "2" }\n' +
        '  - record: job:shop_requests:rate5m\n    group: main\n    expr: sum by (job) (rate(shop_requests_total[5m]))\n',
    });
    const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [alert, record] = catalog!.customRules;
    expect(alert?.kind === 'alert' && [alert.labels, alert.annotations]).toEqual([
      [{ name: 'team', value: 'shop' }, { name: 'tier', value: '2' }],
      [{ name: 'dashboard', value: 'shop-main' }],
    ]);
    expect(record?.labels).toEqual([]);
    const rules = [...emitAll(catalog!).values()].find((content) => content.includes('alert: RequestsStopped'))!;
    expect(rules).toMatch(/alert: RequestsStopped[\s\S]*team: shop[\s\S]*tier: "2"/);
  });
});
