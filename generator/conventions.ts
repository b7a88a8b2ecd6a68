/**
 * Every name derived from the catalogue, in one place, so that the exporter, the dashboards, the
 * rules and the reference can never disagree about what a thing is called.
 */

import { createHash } from 'node:crypto';
import { DROPPED_METRIC_KEY } from '../runtime/names.js';

// The exposition's own names (full, family and sample names, the drop counter's key) live with the
// runtime, which must not import the generator; they are re-exported here as part of the authority.
export { counterSampleName, DROPPED_METRIC_KEY, familyName, histogramExposesSum, histogramSampleNames, metricFullName, sampleNames } from '../runtime/names.js';

/** `agent_latency_seconds` → `agentLatencySeconds` (the property of `createMetrics()`). */
export function metricPropertyName(key: string): string {
  return camelCase(key);
}

/** Members of the object `createMetrics()` returns besides the metrics. */
export const METRICS_OBJECT_MEMBERS: readonly string[] = ['summary', 'reset', 'runtime'];

/** `counter` → `Counter`: the runtime's store class of a metric type, as the generated module names it. */
export function storeClassName(type: string): string {
  return pascalCase(type);
}

/** `cache_layer` → `CacheLayer` (the TypeScript union type of a label's values). */
export function labelTypeName(labelId: string): string {
  return pascalCase(labelId);
}

/** `cache_layer` → `cacheLayerIndex` (the generated switch from a value to its position). */
export function labelIndexFunctionName(labelId: string): string {
  return `${camelCase(labelId)}Index`;
}

/**
 * `agentOperationIndex` → `AGENT_OPERATION_VALUES`, `AGENT_OPERATION_SLOTS`: the tables of an index
 * function that finds values by a perfect hash. Upper case, as no name derived from the catalogue is.
 */
export function indexTableNames(indexFunction: string): { readonly values: string; readonly slots: string } {
  const stem = indexFunction.replace(/Index$/, '').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return { values: `${stem}_VALUES`, slots: `${stem}_SLOTS` };
}

/** `cache_layer` → `CacheLayerLabel` (the generated LabelSpec constant). */
export function labelSpecConstName(labelId: string): string {
  return `${pascalCase(labelId)}Label`;
}

/**
 * `agent`, `from_agent` → `agentIndex` (the generated switch from a value to its position). Labels
 * with the same values share one switch, named after the first of them in the catalogue.
 */
export function valueSetIndexFunctionName(firstLabelId: string): string {
  return labelIndexFunctionName(firstLabelId);
}

/** `cache_layer` → `cacheLayer` (a label's value as a parameter of a metric's series function). */
export function labelParameterName(labelId: string): string {
  return camelCase(labelId);
}

/** `cache_layer` → `cacheLayerAt` (a local holding a label value's position). */
export function positionLocalName(id: string): string {
  return `${camelCase(id)}At`;
}

/**
 * `agent_calls_total` → `agentCallsTotalStore` (the local of createMetrics holding the metric's
 * storage). Suffixed: an event field often has the name of the metric it feeds, and the recorder
 * method's local for that field must not shadow the store.
 */
export function metricStoreName(key: string): string {
  return `${camelCase(key)}Store`;
}

/** `agent_calls_total` → `agentCallsTotalSeries` (label values → series number). */
export function metricSeriesFunctionName(key: string): string {
  return `${camelCase(key)}Series`;
}

/** `agent_calls_total` → `readAgentCallsTotalLabels` (label object → series number, a throwing read dropped). */
export function metricLabelReaderName(key: string): string {
  return `read${pascalCase(key)}Labels`;
}

/**
 * `agent_calls_total` → `agentCallsTotalFace` (runtime and metric id → the typed object of a
 * labelled metric; one per metric type and label list, shared by the metrics that have both).
 */
export function metricFaceFunctionName(key: string): string {
  return `${camelCase(key)}Face`;
}

/** `cost_usd` field of an event → `costUsd` (the local of the recorder method that reads it once). */
export function eventFieldLocalName(fieldId: string): string {
  return camelCase(fieldId);
}

/** `agent_calls_total` → `AgentCallsTotalLabels` (the label object type of a metric). */
export function metricLabelsTypeName(key: string): string {
  return `${pascalCase(key)}Labels`;
}

/**
 * Names generated/metrics.ts declares or imports whatever the catalogue says; a catalogue name
 * that would generate one of them (a label `metrics` → type `Metrics`) would not compile. The
 * runtime's store classes (`Counter`...) stay reserved although the module now infers their types.
 */
export const GENERATED_MODULE_NAMES: readonly string[] = [
  'lazybirdMetrics', 'RUNTIME_API', 'requireRuntimeApi', 'MetricsRuntime', 'averageOf', 'ratioOf', 'sumOf', 'runtimeMetricsHandler', 'runtimeStartMetricsServer',
  'Counter', 'Counter0', 'Exemplar', 'Gauge', 'Gauge0', 'Histogram', 'Histogram0', 'LabelSpec', 'LabeledCounter', 'LabeledGauge',
  'LabeledHistogram', 'MetricSpec', 'MetricsHandlerOptions', 'MetricsRequestHandler', 'MetricsServerOptions', 'RuntimeOptions', 'Server',
  'METRIC_SPECS', 'MetricsSummary', 'Metrics', 'MetricsOptions', 'createMetrics', 'Recorder', 'recorders',
  'createRecorder', 'DASHBOARDS', 'metricsHandler', 'startMetricsServer', 'NO_FIELDS',
];

/**
 * Locals and parameters of the generated functions (createMetrics, the faces, the recorder
 * methods). A metric, label or field name that generated one of them would shadow it.
 */
export const GENERATED_LOCAL_NAMES: readonly string[] = ['options', 'runtime', 'metrics', 'recorder', 'labels', 'value', 'by', 'event', 'error', 'exemplar', 'metricId'];

/**
 * Global names of TypeScript's libraries and Node's types that a generated module may use (utility
 * types, built-in classes, Node's namespace). A catalogue name that generates one of them (a label
 * `omit` → type `Omit`) would shadow the global inside the module: `Omit<...>` then fails with
 * TS2315. A test checks that every global the generated module uses is listed here.
 */
export const TYPESCRIPT_GLOBAL_NAMES: readonly string[] = [
  // utility and intrinsic types
  'Awaited', 'Capitalize', 'ConstructorParameters', 'Exclude', 'Extract', 'InstanceType', 'Lowercase', 'NoInfer', 'NonNullable',
  'Omit', 'OmitThisParameter', 'Parameters', 'Partial', 'Pick', 'Readonly', 'Record', 'Required', 'ReturnType', 'ThisParameterType',
  'ThisType', 'Uncapitalize', 'Uppercase',
  // built-in objects and their types
  'Array', 'ArrayBuffer', 'ArrayLike', 'AsyncIterable', 'AsyncIterableIterator', 'AsyncIterator', 'BigInt', 'Boolean', 'DataView',
  'Date', 'Error', 'Float32Array', 'Float64Array', 'Function', 'Generator', 'Infinity', 'Int16Array', 'Int32Array', 'Int8Array',
  'Iterable', 'IterableIterator', 'Iterator', 'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object', 'Promise', 'PromiseLike',
  'PropertyKey', 'Proxy', 'ReadonlyArray', 'ReadonlyMap', 'ReadonlySet', 'Reflect', 'RegExp', 'Set', 'String', 'Symbol',
  'TemplateStringsArray', 'TypeError', 'RangeError', 'Uint16Array', 'Uint32Array', 'Uint8Array', 'Uint8ClampedArray', 'WeakMap',
  'WeakRef', 'WeakSet',
  // Node's globals
  'Buffer', 'NodeJS', 'process', 'console', 'globalThis',
];

/** `task_completion` → `recordTaskCompletion` (the recorder method of an event). */
export function eventMethodName(eventId: string): string {
  return `record${pascalCase(eventId)}`;
}

/**
 * `recordAgentCall` → `recordAgentCallSlowly` (the local of createMetrics that records an event with
 * a label value outside the catalogue, out of the recorder method's line).
 */
export function eventSlowPathName(method: string): string {
  return `${method}Slowly`;
}

/**
 * `recordAgentCall` → `recordAgentCallUnreadable` (the local of createMetrics that counts an event
 * whose reading threw: a call in the recorder method's catch costs fewer bytes of bytecode than the
 * runtime call with every metric id written out).
 */
export function eventUnreadableName(method: string): string {
  return `${method}Unreadable`;
}

/** `task_completion` → `TaskCompletion` (the type of an event's argument). */
export function eventTypeName(eventId: string): string {
  return `${pascalCase(eventId)}Event`;
}

/** The exporter's own counter of dropped recording calls. */
export function droppedMetricKey(): string {
  return DROPPED_METRIC_KEY;
}

/** Grafana keeps uids to 40 characters. */
export const DASHBOARD_UID_LENGTH = 40;

/**
 * Grafana dashboard uid: short, stable, and unique per namespace and dashboard. A uid that would be
 * too long is cut and ends with a hash of the whole, so two names that share their first 40
 * characters still get two uids.
 */
export function dashboardUid(namespace: string, dashboard: string): string {
  const whole = `${namespace}-${dashboard}`.replace(/_/g, '-');
  if (whole.length <= DASHBOARD_UID_LENGTH) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 8);
  return `${whole.slice(0, DASHBOARD_UID_LENGTH - hash.length - 1)}-${hash}`;
}

/** Alert runbook link from the catalogue's pattern. */
export function runbookUrl(pattern: string, alert: string): string {
  return pattern.replace(/\{alert\}/g, alert);
}

export const GENERATED_MARKER = 'Generated by lazybird-metrics from';

/** The first line of every generated file, in the comment syntax of its kind. */
export function generatedHeader(catalogFile: string, commentStart: string, commentEnd = ''): string {
  const end = commentEnd === '' ? '' : ` ${commentEnd}`;
  return `${commentStart} ${GENERATED_MARKER} ${inertFileName(catalogFile)}. Do not edit: change the catalogue and run ${inertFileName(regenerateCommand(catalogFile))}${end}`;
}

/** The command a project runs to regenerate the outputs of `catalogFile` (named in headers and by `check`). */
export function regenerateCommand(catalogFile: string): string {
  return cliCommand('generate', catalogFile);
}

/** `npx lazybird-metrics <command> --catalog <file>`, the file quoted for a shell when it needs to be. */
export function cliCommand(command: string, catalogFile: string): string {
  return `npx lazybird-metrics ${command} --catalog ${shellWord(catalogFile)}`;
}

/** `name` as one shell word: as it is when that is safe, single-quoted otherwise. */
function shellWord(name: string): string {
  return /^[\w./@%+=:,-]+$/.test(name) ? name : `'${name.replaceAll("'", `'\\''`)}'`;
}

/**
 * The catalogue's file name as it may appear in a comment of any output: one line (no breaks or
 * controls), and unable to end the comment early (`*\/`, `-->`).
 */
function inertFileName(name: string): string {
  return name
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?')
    .replaceAll('*/', '*?')
    .replaceAll('-->', '--?');
}

export function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function pascalCase(snake: string): string {
  const camel = camelCase(snake);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

export interface DashboardRef {
  readonly uid: string;
  readonly title: string;
  /** File under dashboards/. */
  readonly file: string;
}

/** Folder of the dashboards in the default layout. */
export const DEFAULT_DASHBOARDS_DIR = 'dashboards';

/** The overview dashboard, which comes before the groups' own, in the dashboards folder `dir`. */
export function overviewDashboardRef(namespace: string, dir: string = DEFAULT_DASHBOARDS_DIR): DashboardRef {
  return { uid: dashboardUid(namespace, 'overview'), title: `${dashboardFolder(namespace)} overview`, file: `${dir}/${namespace}-overview.json` };
}

/** The dashboard of a catalogue group, in the dashboards folder `dir`. */
export function groupDashboardRef(namespace: string, group: { id: string; title: string }, dir: string = DEFAULT_DASHBOARDS_DIR): DashboardRef {
  return {
    uid: dashboardUid(namespace, group.id),
    title: `${dashboardFolder(namespace)} / ${group.title}`,
    file: `${dir}/${namespace}-${group.id.replace(/_/g, '-')}.json`,
  };
}

/** The dashboards the catalogue produces: an overview, then one per group, in group order. */
export function dashboardRefs(namespace: string, groups: readonly { id: string; title: string }[], dir: string = DEFAULT_DASHBOARDS_DIR): DashboardRef[] {
  return [overviewDashboardRef(namespace, dir), ...groups.map((group) => groupDashboardRef(namespace, group, dir))];
}

/** Grafana folder (and dashboard-link title stem) of the catalogue's dashboards: `Lazybird`. */
export function dashboardFolder(namespace: string): string {
  return pascalCase(namespace);
}

/** Grafana's file provider of the dashboards in the folder `dashboardsDir`. */
export function provisioningFile(dashboardsDir: string): string {
  return `${dashboardsDir}/provisioning/dashboards.yaml`;
}

/** The provisioning file in the default layout. */
export const PROVISIONING_FILE = provisioningFile(DEFAULT_DASHBOARDS_DIR);

/** Where Grafana is expected to find the `dashboards/` folder (mount it there). */
export function grafanaDashboardsPath(namespace: string): string {
  return `/var/lib/grafana/dashboards/${namespace}`;
}

/** The typed exporter and recorder. */
export const TYPESCRIPT_MODULE_FILE = 'generated/metrics.ts';

/** The reference of the catalogue. */
export const REFERENCE_FILE = 'generated/METRICS.md';

/** `success_rate` summary figure → `successRate` property of `metrics.summary()`. */
export function summaryPropertyName(figureId: string): string {
  return camelCase(figureId);
}

/** `git_commit` label of an info metric → `gitCommit` property of the object its `set` takes. */
export function infoLabelProperty(labelName: string): string {
  return camelCase(labelName);
}

/** `cache_layer` field of an event → `cacheLayer` property of its TypeScript argument. */
export function eventFieldProperty(fieldId: string): string {
  return camelCase(fieldId);
}

/** Name suffix each unit requires (before `_total`); count and none add none. */
export const UNIT_SUFFIX: Readonly<Record<string, string | undefined>> = {
  seconds: 'seconds',
  bytes: 'bytes',
  ratio: 'ratio',
  celsius: 'celsius',
  meters: 'meters',
  grams: 'grams',
  joules: 'joules',
  volts: 'volts',
  amperes: 'amperes',
  usd: 'usd',
  score: 'score',
  count: undefined,
  none: undefined,
};

/** OpenMetrics unit of a catalogue unit ('' when the unit adds no name suffix). */
export function exposedUnit(unit: string): string {
  return UNIT_SUFFIX[unit] ?? '';
}

/** Windows every ratio is recorded over; alerts and SLOs add their own. */
export const RATIO_WINDOWS = ['5m'] as const;

/**
 * Recording rule of a ratio, `level:metric:operations` as Prometheus names them. Rules keep `job`
 * and `instance` (so dashboards can filter on both) plus the ratio's `by` labels; the level names
 * them after instance: `instance_cache_layer:lazybird_cache_hit:ratio_rate5m`.
 */
export function ratioRecordName(namespace: string, ratioName: string, byLabelNames: readonly string[], window: string): string {
  return `${['instance', ...byLabelNames].join('_')}:${namespace}_${ratioName}:ratio_rate${window}`;
}

/** Labels every recording rule keeps besides its own `by`. */
export const RECORDING_KEEP_LABELS = ['job', 'instance'] as const;

/** `TaskSuccessSLO` → `task_success_slo`. */
export function snakeCase(camel: string): string {
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Level of a rule aggregated by job and some labels: `job`, `job_cache_layer`. */
export function jobLevel(byLabelNames: readonly string[]): string {
  return ['job', ...byLabelNames].join('_');
}

/** An SLO alert becomes a fast-burn (page) and a slow-burn (ticket) alert; any other alert keeps its name. */
export function alertNames(name: string, kind: string): string[] {
  return kind === 'slo' ? [`${name}FastBurn`, `${name}SlowBurn`] : [name];
}

/**
 * What an anomaly alert's recorded signal is named after: the metric key (a counter's rate: its
 * family stem, `tasks` of `tasks_total`), or the ratio it watches.
 */
export function signalSubject(metricKey: string, metricType: string, of: string | undefined, ratio: string | undefined): string {
  if (of === 'ratio' && ratio !== undefined) return ratio;
  return of === 'rate' ? familyNameStem(metricKey, metricType) : metricKey;
}

function familyNameStem(metricKey: string, metricType: string): string {
  return metricType === 'counter' ? metricKey.replace(/_total$/, '') : metricKey;
}

/** Operation part of a recorded signal: `max`, `max_delta5m`, `rate5m`, `ratio_rate5m`, `avg_rate5m`. */
export function signalOperation(of: string | undefined, window: string): string {
  switch (of) {
    case 'value':
      return 'max';
    case 'delta':
      return `max_delta${window}`;
    case 'rate':
      return `rate${window}`;
    case 'ratio':
      return `ratio_rate${window}`;
    default:
      return `avg_rate${window}`;
  }
}

/** Recorded signal an anomaly alert compares with its own history: `job:lazybird_task_duration_seconds:avg_rate5m`. */
export function signalRecordName(namespace: string, subject: string, operation: string, byLabelNames: readonly string[]): string {
  return `${jobLevel(byLabelNames)}:${namespace}_${subject}:${operation}`;
}

/** Error ratio of an SLO over one burn-rate window: `job:lazybird_task_success_slo:error_ratio_rate5m`. */
export function sloErrorRecordName(namespace: string, alertName: string, byLabelNames: readonly string[], window: string): string {
  return `${jobLevel(byLabelNames)}:${namespace}_${snakeCase(alertName)}:error_ratio_rate${window}`;
}

/** Prometheus evaluates a group's rules in order; small groups keep evaluation cheap and parallel. */
export const MAX_RULES_PER_GROUP = 20;

/** Rule group of a catalogue group; `part` > 1 when the group is split to stay small. */
export function ruleGroupName(namespace: string, group: string, part: number): string {
  return `${namespace}-${group.replace(/_/g, '-')}${part > 1 ? `-${part}` : ''}`;
}

/** File of the rules under alerts/. */
export function rulesFile(namespace: string): string {
  return `alerts/${namespace}.rules.yaml`;
}

/**
 * The promtool unit tests of a rules file, in its folder: `alerts/lazybird.rules.yaml` →
 * `alerts/lazybird.rules.test.yaml` (the stem without `.yaml`/`.yml`, then `.test.yaml`).
 */
export function ruleTestsFile(rules: string): string {
  return `${rules.replace(/\.ya?ml$/i, '')}.test.yaml`;
}

/** Where the catalogue's `outputs:` puts each output; unset ones keep the default layout. */
export interface OutputLayout {
  readonly typescript?: string | undefined;
  readonly dashboards?: string | undefined;
  readonly rules?: string | undefined;
  readonly reference?: string | undefined;
  /** The rules again as a Mimir/Cortex ruler namespace file; unset: not written. */
  readonly mimir_rules?: string | undefined;
  readonly mimir_namespace?: string | undefined;
}

export interface OutputFiles {
  readonly typescript: string;
  readonly reference: string;
  readonly rules: string;
  /** promtool unit tests of the generated alerts, beside the rules (see ruleTestsFile). */
  readonly ruleTests: string;
  /** Folder of the dashboards: one JSON file each, and the provisioning file under provisioning/. */
  readonly dashboards: string;
  readonly provisioning: string;
  /** The rules as a Mimir/Cortex ruler namespace file, and its namespace (the catalogue's by default). */
  readonly mimirRules: { readonly file: string; readonly namespace: string } | undefined;
}

/** Every output's path relative to the output root (`--out`), from the catalogue's `outputs:`. */
export function outputFiles(namespace: string, layout: OutputLayout = {}): OutputFiles {
  const dashboards = (layout.dashboards ?? DEFAULT_DASHBOARDS_DIR).replace(/\/+$/, '');
  return {
    typescript: layout.typescript ?? TYPESCRIPT_MODULE_FILE,
    reference: layout.reference ?? REFERENCE_FILE,
    rules: layout.rules ?? rulesFile(namespace),
    ruleTests: ruleTestsFile(layout.rules ?? rulesFile(namespace)),
    dashboards,
    provisioning: provisioningFile(dashboards),
    mimirRules: layout.mimir_rules === undefined ? undefined : { file: layout.mimir_rules, namespace: layout.mimir_namespace ?? namespace },
  };
}

/**
 * Folders whose generated files the catalogue no longer producing are removed: the folder of each
 * output (the project root never: a file there is only ever replaced, not cleaned up).
 */
export function ownedOutputDirs(files: OutputFiles): string[] {
  const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  const mimir = files.mimirRules === undefined ? [] : [folderOf(files.mimirRules.file)];
  const dirs = [folderOf(files.typescript), folderOf(files.reference), folderOf(files.rules), files.dashboards, ...mimir].filter((dir) => dir !== '');
  return [...new Set(dirs)].sort();
}

/** Sections of a group's dashboard, in order; each becomes a row when it has panels. */
export const GROUP_DASHBOARD_SECTIONS = ['Ratios', 'Rates', 'Gauges', 'Histograms'] as const;

/** Panels a metric has on its group's dashboard: a histogram's quantiles and heatmap, one otherwise. */
export function metricPanelCount(type: string): number {
  return type === 'histogram' ? 2 : 1;
}

/**
 * Grafana panel ids of a dashboard, numbered from 1 in order: each section with panels takes an id
 * for its row, then one per panel. `sections` holds each item's panel count; the answer holds each
 * item's first panel id (the id `?viewPanel=` opens). The model and the dashboards both number
 * through this function, so an alert's link and the panel it opens cannot drift apart.
 */
export function panelIds(sections: readonly (readonly number[])[]): { row: number | undefined; items: number[] }[] {
  let id = 0;
  return sections.map((counts) => {
    const total = counts.reduce((sum, n) => sum + n, 0);
    const row = total > 0 ? ++id : undefined;
    const items = counts.map((count) => {
      const first = id + 1;
      id += count;
      return first;
    });
    return { row, items };
  });
}

/** Link from an alert to a dashboard (and one of its panels) in the catalogue's Grafana. */
export function dashboardPanelUrl(grafanaUrl: string, uid: string, panelId: number | undefined): string {
  const base = `${grafanaUrl.replace(/\/+$/, '')}/d/${encodeURIComponent(uid)}`;
  return panelId === undefined ? base : `${base}?viewPanel=${panelId}`;
}

/** Rule group of the custom rules (`rules:`) of a catalogue group, after its generated ones. */
export function customRuleGroupName(namespace: string, group: string, part: number): string {
  return `${ruleGroupName(namespace, group, 1)}-custom${part > 1 ? `-${part}` : ''}`;
}
