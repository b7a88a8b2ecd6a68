/**
 * A catalogue's runtime, built at run time the way the generated module builds it: the same
 * MetricSpecs (taken from the TypeScript emitter's view, so the two cannot drift apart) and the
 * same runtime options, with no TypeScript generated or compiled.
 */
import type { Catalog } from '../catalog/model.js';
import { typeScriptView } from '../emit/typescript/view.js';
import { MetricsRuntime } from '../../runtime/index.js';
import type { LabelSpec, MetricSpec, RuntimeOptions } from '../../runtime/index.js';

export interface CatalogueRuntime {
  readonly runtime: MetricsRuntime;
  /** `specs[id]` is the catalogue metric the runtime addresses by `id`. */
  readonly specs: readonly MetricSpec[];
  /** Catalogue key of each spec, in id order. */
  readonly keys: readonly string[];
  readonly dashboards: readonly { uid: string; title: string }[];
}

/** The specs the generated module's METRIC_SPECS would hold for `catalog`. */
export function metricSpecs(catalog: Catalog): MetricSpec[] {
  const view = typeScriptView(catalog);
  const labels = new Map(
    view.labels.map((label): [string, LabelSpec] => [
      label.specConst,
      {
        name: label.name,
        values: label.valueList,
        ...(label.overflow === undefined ? {} : { overflow: label.overflow }),
        ...(label.learned === undefined ? {} : { learned: label.learned }),
      },
    ]),
  );
  return view.metrics.map((metric) => {
    const spec: MetricSpec = {
      name: metric.name,
      type: metric.type as MetricSpec['type'],
      help: metric.help,
      unit: metric.unit,
      labels: metric.labels.map((label) => {
        const found = labels.get(label.specConst);
        if (found === undefined) throw new Error(`label ${label.key} of ${metric.name} has no spec`);
        return found;
      }),
    };
    if (metric.info) return { ...spec, infoLabels: metric.infoLabelNames };
    if (metric.buckets === undefined) return spec;
    return metric.native === undefined ? { ...spec, buckets: metric.buckets } : { ...spec, buckets: metric.buckets, native: metric.native };
  });
}

/** A runtime for `catalog`, configured as `createMetrics(options)` of its generated module would be. */
export function createCatalogueRuntime(catalog: Catalog, options: Omit<RuntimeOptions, 'namespace' | 'scrapeDurationMetric' | 'droppedMetricName'> = {}): CatalogueRuntime {
  const view = typeScriptView(catalog);
  const specs = metricSpecs(catalog);
  const runtime = new MetricsRuntime(specs, {
    ...options,
    namespace: view.namespace,
    ...(view.scrapeDurationMetric === undefined ? {} : { scrapeDurationMetric: view.scrapeDurationMetric }),
  });
  const keys = catalog.metrics.filter((m) => m.role !== 'dropped_records').map((m) => m.key);
  return { runtime, specs, keys, dashboards: view.dashboards };
}
