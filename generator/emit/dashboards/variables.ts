/** Template variables: the data source, `job`, `instance`, then the dashboard's label variables. */
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Catalog, LabelModel, MetricModel } from '../../catalog/model.js';
import { aggregationFilters, DATASOURCE } from './panels.js';
import { selector } from './promql.js';
import { sentence } from './text.js';

type VariableBuilder = DatasourceVariableBuilder | QueryVariableBuilder;

export function dashboardVariables(catalog: Catalog, labels: readonly LabelModel[]): VariableBuilder[] {
  const anchor = anchorSeries(jobAnchor(catalog));
  // The aggregation labels (a cluster, a region) come first, each narrowing the ones after it, as
  // the store's labels sit above the scrape's: pick a cluster, then its jobs, then their instances.
  const scopes = aggregationFilters(catalog).map((f) => `${f.label}=~"$${f.variable}"`);
  const scoped = (matchers: readonly string[]): string => (matchers.length === 0 ? anchor : `${anchor}{${matchers.join(', ')}}`);
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    ...catalog.aggregationLabels.map((name, index) =>
      queryVariable(name, sentence(name), `label_values(${scoped(scopes.slice(0, index))}, ${name})`, `The store's ${name} label, which every series carries.`),
    ),
    queryVariable('job', 'Job', `label_values(${scoped(scopes)}, job)`, 'Prometheus job scraping the exporter.'),
    queryVariable('instance', 'Instance', `label_values(${scoped([...scopes, 'job=~"$job"'])}, instance)`, 'Scraped instance of the selected jobs.'),
    ...labels.map((label) => {
      const metric = catalog.metrics.find((m) => m.labels.some((l) => l.id === label.id));
      const series = metric ? anchorSeries(metric) : anchor;
      // label_values lists what Prometheus has seen, so learned values appear without regenerating.
      const description =
        label.learned === undefined
          ? label.description
          : `${label.description} Learned at run time: up to ${label.learned} values per metric${label.overflow === undefined ? '' : `, then ${label.overflow}`}.`;
      return queryVariable(label.id, sentence(label.id), `label_values(${selector(series, aggregationFilters(catalog))}, ${label.name})`, description);
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

/** A histogram's `_count`, any other metric's own series. */
function anchorSeries(metric: MetricModel | undefined): string {
  if (!metric) return 'up';
  return metric.samples.at(-1) ?? metric.name;
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
