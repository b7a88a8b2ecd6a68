import { eventSlowPathName, eventUnreadableName, exposedUnit, indexTableNames, storeClassName } from '../../conventions.js';
import { findLabelHash } from './label-hash.js';
import type { Catalog, EventField, MetricModel } from '../../catalog/model.js';
import { seriesMatching } from '../../catalog/model.js';
import { BASE_RUNTIME_API, EXEMPLARS_RUNTIME_API, INFO_METRICS_RUNTIME_API, LEARNED_LABELS_RUNTIME_API, NATIVE_HISTOGRAMS_RUNTIME_API } from '../../../runtime/version.js';

/**
 * What the template of generated/metrics.ts needs, already decided: identifiers, index arithmetic
 * and literal values. The template only lays it out.
 */
export interface TypeScriptView {
  readonly namespace: string;
  readonly labels: readonly LabelView[];
  /** One value-to-position function per distinct value set. */
  readonly indexFunctions: readonly IndexFunctionView[];
  readonly metrics: readonly MetricView[];
  /**
   * One series function and one label reader per distinct label list, shared by the metrics that
   * have it and named after the first of them: a metric id argument says whose drops to count. One
   * function per metric cost the type checker more than a second for a 1000-metric catalogue.
   */
  readonly labelSets: readonly LabelSetView[];
  /**
   * One function per metric type and label list (classic and native histograms apart) that builds
   * the typed object of a labelled metric over its store, shared like the label readers: an object
   * literal per metric inside createMetrics cost the type checker about a millisecond each.
   */
  readonly faces: readonly FaceView[];
  readonly events: readonly EventView[];
  readonly summary: readonly SummaryView[];
  /** Doc comment of `summary()`: the catalogue's figures. */
  readonly summaryDoc: string;
  readonly dashboards: readonly { uid: string; title: string }[];
  readonly scrapeDurationMetric: string | undefined;
  /** The oldest runtime API that serves the module: learned labels need a newer one than the rest. */
  readonly runtimeApi: number;
  /** What the module takes from the runtime: only what it uses, so it compiles under noUnusedLocals. */
  readonly runtimeValues: readonly { readonly name: string; readonly alias: string | undefined }[];
  readonly runtimeTypes: readonly string[];
}

interface LabelView {
  readonly typeName: string;
  readonly specConst: string;
  readonly name: string;
  readonly description: string;
  readonly valueList: readonly string[];
  readonly overflow: string | undefined;
  /** Learned slots: the type is `string`, and values outside the switch go to the runtime to learn. */
  readonly learned: number | undefined;
}

interface IndexFunctionView {
  readonly name: string;
  /** Ids of the labels that share it. */
  readonly doc: string;
  readonly values: readonly { value: string; index: number }[];
  /** The perfect hash that finds a value, or undefined for a `switch` (one value, or no hash found). */
  readonly hash: HashView | undefined;
}

/** A perfect hash (see label-hash.ts), as the template writes it. */
interface HashView {
  readonly valuesTable: string;
  readonly slotsTable: string;
  readonly values: readonly string[];
  readonly slots: readonly number[];
  /** Each character read: at `offset`, or at `length - back`; shifted left by `shift` into the key. */
  readonly reads: readonly { readonly fromEnd: boolean; readonly offset: number; readonly back: number; readonly shift: number }[];
  readonly multiplier: number;
  /** 32 minus the table's bits: the slot is the product's top bits. */
  readonly shift: number;
}

function hashView(indexFunction: string, values: readonly string[]): HashView | undefined {
  const hash = findLabelHash(values);
  if (hash === undefined) return undefined;
  const tables = indexTableNames(indexFunction);
  return {
    valuesTable: tables.values,
    slotsTable: tables.slots,
    values,
    slots: hash.slots,
    reads: hash.reads.map((read, i) => ({ fromEnd: read.fromEnd, offset: read.offset, back: read.offset + 1, shift: 8 * (i + 1) })),
    multiplier: hash.multiplier,
    shift: 32 - hash.bits,
  };
}

interface LabelSetView {
  readonly seriesFn: string;
  readonly readFn: string;
  /** The labels type of the first metric; the other metrics' types have the same properties. */
  readonly labelsType: string;
  readonly labels: MetricView['labels'];
  /** Which metrics share the functions, for their doc comments. */
  readonly sharedBy: string;
}

interface FaceView {
  readonly faceFn: string;
  readonly type: string;
  readonly storeClass: string;
  readonly accessor: string;
  readonly readFn: string;
  /** The labels type of the first metric; the other metrics' types have the same properties. */
  readonly labelsType: string;
  readonly sharedBy: string;
}

interface MetricView {
  readonly id: number;
  readonly name: string;
  readonly property: string;
  readonly help: string;
  readonly type: string;
  readonly unit: string;
  readonly buckets: readonly number[] | undefined;
  /** A native-only histogram: its classic `buckets` are written, empty. */
  readonly nativeOnly: boolean;
  readonly native: { readonly schema: number; readonly maxBuckets: number; readonly zeroThreshold: number } | undefined;
  readonly store: string;
  readonly storeClass: string;
  readonly accessor: string;
  readonly seriesFn: string;
  /** Reads a label object into a series number, counting a throwing read as a drop. */
  readonly readFn: string;
  /** Builds the typed object of a labelled metric (its store inside). */
  readonly faceFn: string;
  /** Whether createMetrics holds the store in a local: unlabelled metrics, and those an event or a summary figure records or reads. */
  readonly storeLocal: boolean;
  readonly labels: readonly { key: string; parameter: string; positionLocal: string; typeName: string; indexFn: string; specConst: string; position: number; stride: number }[];
  readonly labeled: boolean;
  readonly labelsType: string;
  /** Info metrics: their run-time labels, exposed names and `set` properties. */
  readonly info: boolean;
  readonly infoLabels: readonly { readonly name: string; readonly property: string }[];
  readonly infoLabelNames: readonly string[];
}

/** `local * stride` terms plus a constant: the series number from label positions. */
interface SeriesView {
  readonly terms: readonly { readonly local: string; readonly stride: number }[];
  readonly constant: number;
  /** Fixed label values the constant stands for, as `label="value"` (for a comment). */
  readonly fixed: string;
  /** The metric the record updates (the series function counts a drop for it). */
  readonly id: number;
  /** Position locals that must all be known (>= 0) for the arithmetic; else the series function decides. */
  readonly known: readonly string[];
  readonly seriesFn: string;
  /** The series function's arguments for that case: field locals or fixed values. */
  readonly args: readonly ({ fixed: true; value: string } | { fixed: false; local: string })[];
}

interface EventView {
  readonly method: string;
  /** Each field the records use, read once into a local named after it. */
  readonly locals: readonly { local: string; property: string }[];
  /** Each label field the records use, resolved once to its position. */
  readonly positions: readonly { positionLocal: string; indexFn: string; local: string }[];
  /**
   * Records the event when a label field's value is outside the catalogue or an exemplar comes with
   * it, each record through its metric's series function (and its `…WithExemplar` method); kept out
   * of the method so that the method stays small enough to inline.
   */
  readonly slowPath: string;
  /** The local that counts the event as unreadable input for each of its metrics. */
  readonly unreadable: string;
  /** Whether the event has a slow path: it has a label field, or takes an exemplar. */
  readonly hasSlowPath: boolean;
  /** The fields the slow path takes, with their types: label values as read, numbers as declared. */
  readonly slowParameters: readonly { local: string; type: 'unknown' | 'number' | 'Exemplar'; optional: boolean }[];
  /** Ids of the metrics the event records, each once: an unreadable event is a drop for each. */
  readonly metricIds: readonly number[];
  readonly typeName: string;
  readonly description: string;
  /** Whether the event records a counter or histogram, and so takes an optional `exemplar`. */
  readonly exemplar: boolean;
  readonly fields: readonly { property: string; type: string; optional: boolean; description: string | undefined }[];
  readonly records: readonly {
    readonly store: string;
    /** The store's method: `inc`/`dec` for a step of 1, `incBy`/`decBy` with a value field, `set`, `observe`. */
    readonly method: string;
    readonly series: SeriesView;
    readonly value: string | undefined;
    readonly optionalValue: boolean;
    /** A counter or histogram of an event that takes an exemplar: the method is `…WithExemplar`. */
    readonly exemplar: boolean;
    /** The method on the line without an exemplar (the plain one). */
    readonly fastMethod: string;
    /** The fast method takes an explicit step of 1 (`incBy(series, 1)` for an `inc` without a value). */
    readonly fastStep: boolean;
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

  const indexFunctions = new Map<string, { name: string; labels: string[]; values: readonly string[] }>();
  for (const label of labels) {
    const shared = indexFunctions.get(label.indexFunction);
    if (shared === undefined) indexFunctions.set(label.indexFunction, { name: label.indexFunction, labels: [label.id], values: label.values });
    else if (JSON.stringify(shared.values) !== JSON.stringify(label.values)) throw new Error(`${label.indexFunction} serves two value sets`);
    else shared.labels.push(label.id);
  }

  // A metric's label list, by label ids in order: metrics with the same list share their functions.
  const labelSetKey = (metric: MetricModel): string => JSON.stringify(metric.labels.map((label) => label.id));
  const labelSetOwners = new Map<string, MetricModel>();
  for (const metric of metrics) if (metric.labels.length > 0 && !labelSetOwners.has(labelSetKey(metric))) labelSetOwners.set(labelSetKey(metric), metric);
  // A face function serves one type and label list; native histograms are a store class of their own.
  const faceKey = (metric: MetricModel): string => `${metric.type}${metric.native === undefined ? '' : ' native'} ${labelSetKey(metric)}`;
  const faceOwners = new Map<string, MetricModel>();
  for (const metric of metrics) if (metric.labels.length > 0 && metric.type !== 'info' && !faceOwners.has(faceKey(metric))) faceOwners.set(faceKey(metric), metric);
  const readStores = new Set([...catalog.events.flatMap((event) => event.records.map((record) => record.metric.key)), ...catalog.summary.flatMap((figure) => (figure.kind === 'ratio' ? [figure.ratio.numerator.key, figure.ratio.denominator.key] : [figure.metric.key]))]);
  const metricViews = metrics.map((metric, id): MetricView => {
    const storeClass = storeClassName(metric.type);
    const owner = labelSetOwners.get(labelSetKey(metric)) ?? metric;
    const faceOwner = faceOwners.get(faceKey(metric));
    return {
      id,
      name: metric.name,
      property: metric.property,
      help: metric.help,
      type: metric.type,
      unit: exposedUnit(metric.unit),
      buckets: metric.type === 'histogram' ? metric.buckets : undefined,
      nativeOnly: metric.native !== undefined && metric.buckets.length === 0,
      native: metric.native,
      store: metric.store,
      storeClass,
      accessor: metric.type,
      seriesFn: owner.seriesFunction,
      readFn: owner.labelReader,
      faceFn: faceOwner?.faceFunction ?? '',
      storeLocal: faceOwner === undefined || readStores.has(metric.key),
      labels: metric.labels.map((label, position) => ({
        key: label.name,
        parameter: label.parameter,
        positionLocal: label.positionLocal,
        typeName: label.typeName,
        indexFn: label.indexFunction,
        specConst: label.specConst,
        position,
        stride: strideOf(metric, position),
      })),
      labeled: metric.labels.length > 0,
      labelsType: metric.labelsTypeName,
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
    const fieldOf = (id: string): EventField => {
      const field = fields.get(id);
      if (!field) throw new Error(`event ${event.id} has no field ${id}`);
      return field;
    };
    // One read per field and one index lookup per label field, whatever the number of records.
    const usedFields = [...new Set(event.records.flatMap((r) => [...r.labels.flatMap((b) => (b.kind === 'field' ? [b.field] : [])), ...(r.valueField ? [r.valueField] : [])]))].map(fieldOf);
    const labelFields = usedFields.flatMap((field) => (field.kind === 'label' ? [field] : []));
    const takesExemplar = (metric: MetricModel): boolean => metric.type === 'counter' || metric.type === 'histogram';
    const exemplar = event.records.some((record) => takesExemplar(record.metric));
    return {
      method: event.method,
      slowPath: eventSlowPathName(event.method),
      unreadable: eventUnreadableName(event.method),
      hasSlowPath: labelFields.length > 0 || exemplar,
      slowParameters: [
        ...usedFields.map((field) => ({ local: field.local, type: field.kind === 'label' ? ('unknown' as const) : ('number' as const), optional: field.kind === 'number' && field.optional })),
        ...(exemplar ? [{ local: 'exemplar', type: 'Exemplar' as const, optional: true }] : []),
      ],
      locals: usedFields.map((field) => ({ local: field.local, property: field.property })),
      positions: labelFields.map((field) => ({ positionLocal: field.positionLocal, indexFn: field.label.indexFunction, local: field.local })),
      metricIds: [...new Set(event.records.map((record) => idOf(record.metric)))],
      typeName: event.typeName,
      description: event.description,
      exemplar,
      fields: event.fields.map((field) => ({
        property: field.property,
        type: field.kind === 'label' ? field.label.typeName : 'number',
        optional: field.kind === 'number' && field.optional,
        description: field.description,
      })),
      records: event.records.map((record) => {
        const view = viewOf(record.metric);
        const valueField = record.valueField === undefined ? undefined : fieldOf(record.valueField);
        const terms: { local: string; stride: number }[] = [];
        const fixed: string[] = [];
        let constant = 0;
        record.labels.forEach((binding, position) => {
          const label = record.metric.labels[position];
          if (!label) throw new Error(`${record.metric.name} has no label ${position}`);
          const stride = strideOf(record.metric, position);
          if (binding.kind === 'fixed') {
            constant += label.values.indexOf(binding.value) * stride;
            fixed.push(`${label.name}=${JSON.stringify(binding.value)}`);
            return;
          }
          const field = fieldOf(binding.field);
          if (field.kind !== 'label' || field.label.indexFunction !== label.indexFunction) throw new Error(`field ${field.id} cannot take label ${label.id}`);
          terms.push({ local: field.positionLocal, stride });
        });
        const withExemplar = takesExemplar(record.metric);
        const method = valueField !== undefined && (record.operation === 'inc' || record.operation === 'dec') ? `${record.operation}By` : record.operation;
        return {
          store: view.store,
          method: withExemplar ? `${method}WithExemplar` : method,
          // A step of 1 goes to incBy/decBy with an explicit 1: `inc` would be one more function
          // for V8 to inline, out of the caller's budget.
          fastMethod: valueField === undefined && (record.operation === 'inc' || record.operation === 'dec') ? `${record.operation}By` : method,
          fastStep: valueField === undefined && (record.operation === 'inc' || record.operation === 'dec'),
          exemplar: withExemplar,
          series: {
            id: view.id,
            terms,
            constant,
            fixed: fixed.join(', '),
            known: terms.map((term) => term.local),
            seriesFn: view.seriesFn,
            args: record.labels.map((binding) => (binding.kind === 'fixed' ? { fixed: true, value: binding.value } : { fixed: false, local: fieldOf(binding.field).local })),
          },
          value: valueField?.local,
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
  const storeTypes = new Set(metricViews.map((m) => (m.info ? 'InfoMetric' : m.labeled ? `Labeled${m.storeClass}` : `${m.storeClass}0`)));
  if (labels.length > 0) storeTypes.add('LabelSpec');
  if (events.some((event) => event.exemplar)) storeTypes.add('Exemplar');
  const runtimeTypes = [...storeTypes, 'MetricSpec', 'MetricsHandlerOptions', 'MetricsRequestHandler', 'MetricsServerOptions', 'RuntimeOptions'].sort();

  return {
    namespace: catalog.namespace,
    labels: labels.map((label) => ({
      typeName: label.typeName,
      specConst: label.specConst,
      name: label.name,
      description: label.description,
      valueList: label.values,
      overflow: label.overflow,
      learned: label.learned,
    })),
    indexFunctions: [...indexFunctions.values()].map((fn) => {
      const hash = hashView(fn.name, fn.values);
      const how = hash === undefined ? '' : ` Found by a perfect hash of the length${hash.reads.length > 0 ? ` and ${hash.reads.length === 1 ? 'one character' : 'two characters'}` : ''}, then one comparison: no branch depends on which value it is.`;
      return {
        name: fn.name,
        doc: `Position of a value of ${fn.labels.length === 1 ? 'label' : 'labels'} ${fn.labels.join(', ')}; -1 for any other value, which sends the call to the runtime's slow path.${how}`,
        values: fn.values.map((value, index) => ({ value, index })),
        hash,
      };
    }),
    faces: [...faceOwners.values()].map((owner): FaceView => {
      const view = viewOf(owner);
      return {
        faceFn: view.faceFn,
        type: view.type,
        storeClass: view.storeClass,
        accessor: view.accessor,
        readFn: view.readFn,
        labelsType: view.labelsType,
        sharedBy: sharedByText(metricViews.filter((m) => m.faceFn === view.faceFn).map((m) => m.name)),
      };
    }),
    metrics: metricViews,
    labelSets: [...labelSetOwners.values()].map((owner): LabelSetView => {
      const view = viewOf(owner);
      return {
        seriesFn: view.seriesFn,
        readFn: view.readFn,
        labelsType: view.labelsType,
        labels: view.labels,
        sharedBy: sharedByText(metricViews.filter((m) => m.seriesFn === view.seriesFn).map((m) => m.name)),
      };
    }),
    events,
    summary,
    summaryDoc:
      summary.length === 0
        ? 'The catalogue declares no summary figures: an empty object.'
        : `The catalogue's summary figures (${summary.map((figure) => figure.property).join(', ')}), computed from what was recorded.`,
    dashboards: catalog.dashboards.map(({ uid, title }) => ({ uid, title })),
    scrapeDurationMetric: metrics.find((m) => m.role === 'scrape_duration')?.name,
    // The oldest API that serves what this module calls, so it runs on as many runtimes as it can.
    runtimeApi: Math.max(
      BASE_RUNTIME_API,
      labels.some((label) => label.learned !== undefined) ? LEARNED_LABELS_RUNTIME_API : 0,
      metrics.some((m) => m.type === 'info') ? INFO_METRICS_RUNTIME_API : 0,
      // The wrappers and events of counters and histograms call the exemplar methods.
      metrics.some((m) => m.type === 'counter' || m.type === 'histogram') ? EXEMPLARS_RUNTIME_API : 0,
      metrics.some((m) => m.native !== undefined) ? NATIVE_HISTOGRAMS_RUNTIME_API : 0,
    ),
    runtimeValues,
    runtimeTypes,
  };
}

/** `a`, `a and b`, `a, b and c`, or `a and 41 other metrics`. */
function sharedByText(names: readonly string[]): string {
  if (names.length > 3) return `${names[0]} and ${names.length - 1} other metrics`;
  return names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Series of the labels after `position` each value of the label at `position` spans (first label most significant). */
function strideOf(metric: MetricModel, position: number): number {
  return metric.labels.slice(position + 1).reduce((product, label) => product * label.positions, 1);
}
