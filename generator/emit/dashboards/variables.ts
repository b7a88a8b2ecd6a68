/** Template variables: the data source, `job`, `instance`, then the dashboard's label variables. */
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { histogramShape } from '../../catalog/model.js';
import type { Catalog, LabelModel, MetricModel } from '../../catalog/model.js';
import { regexLiteral, stringLiteral } from '../promql.js';
import { aggregationFilters, DATASOURCE } from './panels.js';
import { sentence } from './text.js';

type VariableBuilder = DatasourceVariableBuilder | QueryVariableBuilder;

export function dashboardVariables(catalog: Catalog, labels: readonly LabelModel[]): VariableBuilder[] {
  const anchor = jobAnchor(catalog);
  // The aggregation labels (a cluster, a region) come first, each narrowing the ones after it, as
  // the store's labels sit above the scrape's: pick a cluster, then its jobs, then their instances.
  const scopes = aggregationFilters(catalog).map((f) => `${f.label}=~"$${f.variable}"`);
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    ...catalog.aggregationLabels.map((name, index) =>
      queryVariable(name, sentence(name), `label_values(${anchorSelector(anchor, scopes.slice(0, index))}, ${name})`, `The store's ${name} label, which every series carries.`),
    ),
    queryVariable('job', 'Job', `label_values(${anchorSelector(anchor, scopes)}, job)`, 'Prometheus job scraping the exporter.'),
    queryVariable('instance', 'Instance', `label_values(${anchorSelector(anchor, [...scopes, 'job=~"$job"'])}, instance)`, 'Scraped instance of the selected jobs.'),
    ...labels.map((label) => {
      const metric = catalog.metrics.find((m) => m.labels.some((l) => l.id === label.id)) ?? anchor;
      const series = anchorSelector(metric, ['job=~"$job"', 'instance=~"$instance"', ...scopes]);
      // label_values lists what Prometheus has seen, so learned values appear without regenerating.
      const description =
        label.learned === undefined
          ? label.description
          : `${label.description} Learned at run time: up to ${label.learned} values per metric${label.overflow === undefined ? '' : `, then ${label.overflow}`}.`;
      return queryVariable(label.id, sentence(label.id), `label_values(${series}, ${label.name})`, description);
    }),
  ];
}

/**
 * The series `job` and `instance` are read from: one every scrape of the exporter produces (its
 * own export duration), else the first metric.
 */
function jobAnchor(catalog: Catalog): MetricModel | undefined {
  return catalog.metrics.find((m) => m.role === 'scrape_duration') ?? catalog.metrics[0];
}

/**
 * The selector of a metric's series every scrape writes, with `matchers`: a classic histogram's
 * `_count`, a native one's own series, both of them for a histogram with both shapes (whichever
 * Prometheus stored), any other metric's own series.
 */
function anchorSelector(metric: MetricModel | undefined, matchers: readonly string[]): string {
  const withMatchers = (series: string): string => (matchers.length === 0 ? series : `${series}{${matchers.join(', ')}}`);
  if (!metric) return withMatchers('up');
  const count = metric.samples.at(-1) ?? metric.name;
  switch (histogramShape(metric)) {
    case 'native':
      return withMatchers(metric.name);
    case 'both':
      return `{${[`__name__=~${stringLiteral([count, metric.name].map(regexLiteral).join('|'))}`, ...matchers].join(', ')}}`;
    default:
      return withMatchers(count);
  }
}

function queryVariable(name: string, label: string, query: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}
