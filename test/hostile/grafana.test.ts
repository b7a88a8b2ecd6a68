/**
 * Label values that look like Grafana variables (`$job`, `${job}`, `[[job]]`, ...) in the fixed
 * matchers of dashboard queries: Grafana must find nothing to expand in them, and Prometheus must
 * still match exactly that value. Grafana's expansion is replayed with its own pattern, then the
 * query runs in a real Prometheus engine (`promtool test rules`).
 */
import { describe, expect, it } from 'vitest';
import { hostileCatalogue } from './helpers/catalogue.js';
import { errorLines, generate, grafanaVariables, output, promqlStrings, promtoolTestRules } from './helpers/outputs.js';

const GRAFANA_LOOKALIKES = ['$job', '${job}', '[[job]]', '[[job:raw]]', '${job:regex}', '$instance', '$l0', '${l0}', '$__rate_interval', 'a$', '$', '[[', '\\$job', '\\u0024job'];

/** What Grafana sends to Prometheus with every variable at "All" (`.+`) and a 5m rate interval. */
function asGrafanaSends(expr: string): string {
  const values: Record<string, string> = { job: '.+', instance: '.+', l0: '.+', __rate_interval: '5m' };
  return expr.replace(/\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g, (match, a?: string, b?: string, _f?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return Object.hasOwn(values, name) ? values[name]! : match;
  });
}

describe('a dashboard query matching a label value that looks like a Grafana variable', () => {
  it.each(GRAFANA_LOOKALIKES.map((value) => [JSON.stringify(value), value]))('%s', (_, value) => {
    const built = hostileCatalogue(['Plain text.'], { values: [value, 'plain value'], matched: () => value });
    const generation = generate(built.text);
    expect(errorLines(generation)).toEqual([]);
    const overview = JSON.parse(output(generation.outputs, 'dashboards/shop-overview.json')) as { panels: { type: string; targets?: { expr: string }[] }[] };
    const expr = overview.panels.find((p) => p.type === 'stat')?.targets?.[0]?.expr ?? '';
    // Only the generator's own variables are left for Grafana, and PromQL reads the value back exactly.
    expect(grafanaVariables(expr).sort()).toEqual(['__rate_interval', '__rate_interval', 'instance', 'instance', 'job', 'job']);
    expect(promqlStrings(expr)).toEqual(['$job', '$instance', value, '$job', '$instance']);

    // One series with the value, one with another: the share of the first is 1 / (1 + 3).
    const rules = `groups:\n  - name: g\n    rules:\n      - record: grafana:stat\n        expr: ${JSON.stringify(asGrafanaSends(expr))}\n`;
    const series = (labelValue: string, step: number): string =>
      `      - series: ${JSON.stringify(`shop_m0_total{job="j",instance="i",l0=${JSON.stringify(labelValue)}}`)}\n        values: "0+${step}x20"\n`;
    const test = `rule_files: [rules.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n${series(value, 1)}${series('plain value', 3)}    promql_expr_test:\n      - expr: grafana:stat\n        eval_time: 10m\n        exp_samples:\n          - labels: "grafana:stat"\n            value: 0.25\n`;
    const result = promtoolTestRules(rules, test);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });
});
