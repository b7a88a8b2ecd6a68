/**
 * grafana/dashboard-linter's rules over every generated dashboard, for the project catalogue and
 * for a variant exercising every panel hint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, editedCatalog, emit, projectCatalog } from './helpers/dashboard.js';
import type { DashboardJson, PanelJson } from './helpers/dashboard.js';
import { RULES, bucketProblems } from './helpers/lint.js';
import { hintedCatalog } from './helpers/variants.js';

const catalogues = [
  ['metrics.yaml', projectCatalog()],
  ['metrics.yaml with panel hints', hintedCatalog()],
  ['metrics.yaml with groups reordered', editedCatalog((raw) => {
    raw.groups['exporter']!.order = 0;
  })],
  ['test/catalogues/job-runner (labels that learn their values)', compile(readFileSync(new URL('../catalogues/job-runner/metrics.yaml', import.meta.url), 'utf8'))],
  // Base units, an info metric's table, a histogram without _sum.
  ['test/catalogues/device-fleet', compile(readFileSync(new URL('../catalogues/device-fleet/metrics.yaml', import.meta.url), 'utf8'))],
  // Native histograms: native-only ones and ones with both shapes.
  ['test/catalogues/native-service', compile(readFileSync(new URL('../catalogues/native-service/metrics.yaml', import.meta.url), 'utf8'))],
] as const;

describe.each(catalogues)('%s', (_, catalog) => {
  const { dashboards } = emit(catalog);

  describe.each([...dashboards])('%s', (_file, dashboard) => {
    it.each(Object.keys(RULES))('passes %s', (rule) => {
      expect(RULES[rule]!(dashboard)).toEqual([]);
    });

    it('aggregates every _bucket selector as sum by (le, ...) over rate or increase', () => {
      expect(bucketProblems(dashboard)).toEqual([]);
    });
  });
});

/** The rules must catch what they are about, or passing them means nothing. */
describe('the lint rules reject bad dashboards', () => {
  const variables = [
    { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus' },
    ...['job', 'instance'].map((name) => ({
      type: 'query',
      name,
      label: name.charAt(0).toUpperCase() + name.slice(1),
      query: `label_values(up, ${name})`,
      datasource: { uid: '${datasource}' },
      multi: true,
      includeAll: true,
      allValue: '.+',
      refresh: 2,
    })),
  ];
  const withExpr = (expr: string, panel: Partial<PanelJson> = {}): DashboardJson => ({
    title: 't',
    uid: 'u',
    editable: false,
    templating: { list: variables },
    panels: [
      {
        type: 'timeseries',
        id: 1,
        title: 'p',
        description: 'd',
        datasource: { uid: '${datasource}' },
        fieldConfig: { defaults: { unit: 's' } },
        targets: [{ refId: 'A', expr }],
        ...panel,
      },
    ],
  });
  const good = 'sum by (le) (rate(x_bucket{job=~"$job", instance=~"$instance"}[$__rate_interval]))';

  it('accepts a well-formed dashboard', () => {
    for (const rule of Object.values(RULES)) expect(rule(withExpr(good))).toEqual([]);
    expect(bucketProblems(withExpr(good))).toEqual([]);
  });

  it.each([
    ['target-promql', 'sum(rate(x{job=~"$job", instance=~"$instance"}[$__rate_interval])'],
    ['target-rate-interval', 'rate(x{job=~"$job", instance=~"$instance"}[5m])'],
    ['target-rate-interval', 'max_over_time(x{job=~"$job", instance=~"$instance"}[$__rate_interval:1m])'],
    ['target-job', 'rate(x{instance=~"$instance"}[$__rate_interval])'],
    ['target-job', 'rate(x{job="$job", instance=~"$instance"}[$__rate_interval])'],
    ['target-instance', 'x{job=~"$job"} / y{job=~"$job", instance=~"$instance"}'],
    ['target-counter-agg', 'sum(x_total{job=~"$job", instance=~"$instance"})'],
    ['target-counter-agg', 'sum_over_time(x_total{job=~"$job", instance=~"$instance"}[$__rate_interval])'],
  ])('%s rejects %s', (rule, expr) => {
    expect(RULES[rule]!(withExpr(expr))).not.toEqual([]);
  });

  it.each([
    'histogram_quantile(0.9, rate(x_bucket{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
    'sum(rate(x_bucket{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
    'sum by (le) (x_bucket{job=~"$job", instance=~"$instance"})',
  ])('the bucket check rejects %s', (expr) => {
    expect(bucketProblems(withExpr(expr))).not.toEqual([]);
  });

  it('rejects panels without units, description, templated data source or targets', () => {
    expect(RULES['panel-units']!(withExpr(good, { fieldConfig: { defaults: { unit: 'milliseconds' } } }))).not.toEqual([]);
    expect(RULES['panel-title-description']!(withExpr(good, { description: '' }))).not.toEqual([]);
    expect(RULES['panel-datasource']!(withExpr(good, { datasource: { uid: 'prometheus' } }))).not.toEqual([]);
    expect(RULES['panel-no-targets']!(withExpr(good, { targets: [] }))).not.toEqual([]);
  });

  it('rejects bad variables and an editable dashboard', () => {
    const dashboard = withExpr(good);
    const list = dashboard.templating.list;
    const edit = (name: string, change: object): DashboardJson => ({ ...dashboard, templating: { list: list.map((v) => (v.name === name ? { ...v, ...change } : v)) } });
    expect(RULES['template-datasource']!(edit('datasource', { label: 'Prometheus' }))).not.toEqual([]);
    expect(RULES['template-job']!(edit('job', { allValue: '.*' }))).not.toEqual([]);
    expect(RULES['template-instance']!(edit('instance', { multi: false }))).not.toEqual([]);
    expect(RULES['template-label-promql']!(edit('job', { query: 'label_values(up{, job)' }))).not.toEqual([]);
    expect(RULES['template-on-time-change-reload']!(edit('job', { refresh: 1 }))).not.toEqual([]);
    expect(RULES['uneditable-dashboard']!({ ...dashboard, editable: true })).not.toEqual([]);
  });
});
