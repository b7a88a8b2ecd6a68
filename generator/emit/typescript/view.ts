import { exposedUnit, storeClassName } from '../../conventions.js';
import type { Catalog, LabelModel, MetricModel } from '../../catalog/model.js';
import { seriesMatching } from '../../catalog/model.js';
import { INFO_METRICS_RUNTIME_API, OLDEST_SERVED_RUNTIME_API } from '../../../runtime/version.js';

/**
 * What the template of generated/metrics.ts needs, already decided: identifiers, index arithmetic
 * and literal values. The template only lays it out.
 */
export interface TypeScriptView {
  readonly namespace: string;
  readonly labels: readonly LabelView[];
  readonly metrics: readonly MetricView[];
  readonly events: readonly EventView[];
  readonly summary: readonly SummaryView[];
  readonly dashboards: readonly { uid: string; title: string }[];
  readonly scrapeDurationMetric: string | undefined;
  /** The runtime API the module is generated for (the runtime built with this generator). */
  readonly runtimeApi: number;
  /** What the module takes from the runtime: only what it uses, so it compiles under noUnusedLocals. */
  readonly runtimeValues: readonly { readonly name: string; readonly alias: string | undefined }[];
  readonly runtimeTypes: readonly string[];
  /** The stores and series functions the recorder's events use. */
  readonly recorderInternals: readonly string[];
}

interface LabelView {
  readonly typeName: string;
  readonly indexFn: string;
  readonly specConst: string;
  readonly name: string;
  readonly description: string;
  readonly values: readonly { value: string; index: number }[];
  readonly valueList: readonly string[];
  readonly overflow: string | undefined;
}

interface MetricView {
  readonly id: number;
  readonly name: string;
  readonly property: string;
  readonly help: string;
  readonly type: string;
  readonly unit: string;
  readonly buckets: readonly number[] | undefined;
  readonly store: string;
  readonly storeClass: string;
  readonly accessor: string;
  readonly seriesFn: string;
  /** Reads a label object into a series number, counting a throwing read as a drop. */
  readonly readFn: string;
  readonly labels: readonly { key: string; typeName: string; indexFn: string; specConst: string; position: number; stride: number }[];
  readonly labeled: boolean;
  readonly labelsType: string;
  readonly faceType: string;
  /** Info metrics: their run-time labels, exposed names and `set` properties. */
  readonly info: boolean;
  readonly infoLabels: readonly { readonly name: string; readonly property: string }[];
  readonly infoLabelNames: readonly string[];
}

interface EventView {
  readonly method: string;
  /** Each field the records use, read once into a local (`f0`, `f1`, ...). */
  readonly locals: readonly { local: string; property: string }[];
  /** Ids of the metrics the event records, each once: an unreadable event is a drop for each. */
  readonly metricIds: readonly number[];
  readonly typeName: string;
  readonly description: string;
  readonly fields: readonly { property: string; type: string; optional: boolean; description: string | undefined }[];
  readonly records: readonly {
    readonly store: string;
    readonly operation: string;
    readonly seriesFn: string;
    readonly labeled: boolean;
    readonly args: readonly ({ fixed: true; value: string } | { fixed: false; local: string })[];
    readonly value: string | undefined;
    readonly optionalValue: boolean;
  }[];
}

interface SummaryView {
  readonly property: string;
  readonly description: string;
  readonly kind: 'average' | 'total' | 'ratio';
  readonly store: string;
  readonly series: readonly number[];
  readonly denominatorStore: string;
  readonly denominatorSeries: readonly number[];
}

export function typeScriptView(catalog: Catalog): TypeScriptView {
  // The runtime owns the drop counter; every other metric is a spec, addressed by its position.
  const metrics = catalog.metrics.filter((m) => m.role !== 'dropped_records');
  const used = new Set(metrics.flatMap((m) => m.labels.map((l) => l.id)));
  const labels = catalog.labels.filter((l) => used.has(l.id) && !l.builtin);
  const ids = new Map(metrics.map((m, id) => [m.key, id]));
  const idOf = (metric: MetricModel): number => {
    const id = ids.get(metric.key);
    if (id === undefined) throw new Error(`metric ${metric.name} has no runtime id`);
    return id;
  };

  const metricViews = metrics.map((metric, id): MetricView => {
    const storeClass = storeClassName(metric.type);
    const labeled = metric.labels.length > 0;
    const labelsType = metric.labelsTypeName;
    return {
      id,
      name: metric.name,
      property: metric.property,
      help: metric.help,
      type: metric.type,
      unit: exposedUnit(metric.unit),
      buckets: metric.type === 'histogram' ? metric.buckets : undefined,
      store: `m${id}`,
      storeClass,
      accessor: metric.type,
      seriesFn: `s${id}`,
      readFn: `r${id}`,
      labels: metric.labels.map((label, position) => ({
        key: label.name,
        typeName: label.typeName,
        indexFn: indexFnOf(label),
        specConst: specConstOf(label),
        position,
        stride: metric.labels.slice(position + 1).reduce((product, l) => product * l.values.length, 1),
      })),
      labeled,
      labelsType,
      faceType: metric.type === 'info' ? `InfoMetric<${labelsType}>` : labeled ? `Labeled${storeClass}<${labelsType}>` : `${storeClass}0`,
      info: metric.type === 'info',
      infoLabels: metric.infoLabels,
      infoLabelNames: metric.infoLabels.map((label) => label.name),
    };
  });
  const viewOf = (metric: MetricModel): MetricView => {
    const view = metricViews[idOf(metric)];
    if (!view) throw new Error(`no view of ${metric.name}`);
    return view;
  };

  const events = catalog.events.map((event): EventView => {
    const fields = new Map(event.fields.map((f) => [f.id, f]));
    // One read per field: fewer property loads, and a fractional number is boxed once, not per use.
    const used = [...new Set(event.records.flatMap((r) => [...r.labels.flatMap((b) => (b.kind === 'field' ? [b.field] : [])), ...(r.valueField ? [r.valueField] : [])]))];
    const localOf = new Map(used.map((field, index) => [field, `f${index}`]));
    const local = (field: string): string => localOf.get(field) ?? '';
    const propertyOf = (field: string): string => fields.get(field)?.property ?? '';
    return {
      method: event.method,
      locals: used.map((field) => ({ local: local(field), property: propertyOf(field) })),
      metricIds: [...new Set(event.records.map((record) => idOf(record.metric)))],
      typeName: event.typeName,
      description: event.description,
      fields: event.fields.map((field) => ({
        property: field.property,
        type: field.kind === 'label' ? field.label.typeName : 'number',
        optional: field.kind === 'number' && field.optional,
        description: field.description,
      })),
      records: event.records.map((record) => {
        const view = viewOf(record.metric);
        const valueField = record.valueField === undefined ? undefined : fields.get(record.valueField);
        return {
          store: view.store,
          operation: record.operation,
          seriesFn: view.seriesFn,
          labeled: view.labeled,
          args: record.labels.map((binding) =>
            binding.kind === 'fixed' ? { fixed: true, value: binding.value } : { fixed: false, local: local(binding.field) },
          ),
          value: valueField && local(valueField.id),
          optionalValue: valueField?.kind === 'number' && valueField.optional,
        };
      }),
    };
  });

  const summary = catalog.summary.map((figure): SummaryView => {
    const description = figure.description ?? '';
    if (figure.kind === 'ratio') {
      const { numerator, denominator } = figure.ratio;
      return {
        property: figure.property,
        description,
        kind: 'ratio',
        store: viewOf(numerator).store,
        series: seriesMatching(numerator, figure.ratio.match),
        denominatorStore: viewOf(denominator).store,
        denominatorSeries: seriesMatching(denominator, figure.ratio.denominatorMatch),
      };
    }
    const view = viewOf(figure.metric);
    return {
      property: figure.property,
      description,
      kind: figure.kind,
      store: view.store,
      series: seriesMatching(figure.metric, []),
      denominatorStore: view.store,
      denominatorSeries: [],
    };
  });

  const kinds = new Set(summary.map((figure) => figure.kind));
  const runtimeValues = [
    { name: 'MetricsRuntime', alias: undefined },
    ...(kinds.has('average') ? [{ name: 'averageOf', alias: undefined }] : []),
    { name: 'metricsHandler', alias: 'runtimeMetricsHandler' },
    ...(kinds.has('ratio') ? [{ name: 'ratioOf', alias: undefined }] : []),
    { name: 'requireRuntimeApi', alias: undefined },
    { name: 'startMetricsServer', alias: 'runtimeStartMetricsServer' },
    ...(kinds.has('ratio') || kinds.has('total') ? [{ name: 'sumOf', alias: undefined }] : []),
  ];
  const storeTypes = new Set(metricViews.flatMap((m) => [m.storeClass, m.info ? 'InfoMetric' : m.labeled ? `Labeled${m.storeClass}` : `${m.storeClass}0`]));
  if (labels.length > 0) storeTypes.add('LabelSpec');
  const runtimeTypes = [...storeTypes, 'MetricSpec', 'MetricsHandlerOptions', 'MetricsRequestHandler', 'MetricsServerOptions', 'RuntimeOptions'].sort();
  const recorded = new Set(events.flatMap((event) => event.records.flatMap((record) => (record.labeled ? [record.store, record.seriesFn] : [record.store]))));
  // Every event method counts a throwing getter through the runtime.
  const recorderInternals = events.length === 0 ? [] : ['runtime', ...metricViews.flatMap((m) => [m.store, ...(m.labeled ? [m.seriesFn] : [])]).filter((name) => recorded.has(name))];

  return {
    namespace: catalog.namespace,
    labels: labels.map((label) => ({
      typeName: label.typeName,
      indexFn: indexFnOf(label),
      specConst: specConstOf(label),
      name: label.name,
      description: label.description,
      values: label.values.map((value, index) => ({ value, index })),
      valueList: label.values,
      overflow: label.overflow,
    })),
    metrics: metricViews,
    events,
    summary,
    dashboards: catalog.dashboards.map(({ uid, title }) => ({ uid, title })),
    scrapeDurationMetric: metrics.find((m) => m.role === 'scrape_duration')?.name,
    // The oldest API that serves what this module calls, so it runs on as many runtimes as it can.
    runtimeApi: metrics.some((m) => m.type === 'info') ? INFO_METRICS_RUNTIME_API : OLDEST_SERVED_RUNTIME_API,
    runtimeValues,
    runtimeTypes,
    recorderInternals,
  };
}

function indexFnOf(label: LabelModel): string {
  return label.indexFunction;
}

function specConstOf(label: LabelModel): string {
  return label.specConst;
}
