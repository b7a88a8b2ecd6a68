/**
 * Every derived name that must be unique is unique: dashboard uids, output paths, rule groups,
 * alert and record names, and the TypeScript names of the generated module. Runs on the model,
 * where each name was computed once, so it checks exactly the names the emitters write.
 */
import { GENERATED_LOCAL_NAMES, GENERATED_MODULE_NAMES, METRICS_OBJECT_MEMBERS, TYPESCRIPT_GLOBAL_NAMES, eventSlowPathName, eventUnreadableName, indexTableNames } from '../../conventions.js';
import type { Diagnostic, Position } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import { alertRecords } from '../model.js';
import type { Catalog, SourcePath } from '../model.js';

/** Who makes a name: a catalogue entry (with its place), or something the generator itself declares. */
interface Owner {
  readonly what: string;
  readonly path: SourcePath | undefined;
  /** Owners with the same `meaning` may share a name (two alerts recording one signal). */
  readonly meaning?: string;
}

type Source = Pick<LoadedCatalog, 'diagnostic' | 'locate'>;

export function uniqueNameRules(catalog: Catalog, source: Source): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  /** One report per pair of owners and rule: a group named like the overview meets it twice (uid and file). */
  const reported = new Set<string>();
  const where = (owner: Owner): string => {
    if (owner.path === undefined) return owner.what;
    const at: Position = source.locate(owner.path, { key: true });
    return `${owner.what} (${catalog.sourceFile}:${at.line}:${at.col})`;
  };
  /** A space of names; the second owner of a name is reported, naming the first. */
  const space = (rule: string, kind: string, fix: string) => {
    const owners = new Map<string, Owner>();
    return (name: string, owner: Owner): void => {
      const first = owners.get(name);
      if (first === undefined) {
        owners.set(name, owner);
        return;
      }
      if (owner.meaning !== undefined && owner.meaning === first.meaning) return;
      const path = owner.path ?? first.path ?? [];
      const [second, other] = owner.path === undefined ? [first, owner] : [owner, first];
      const pair = `${rule}\u0000${second.what}\u0000${other.what}`;
      if (reported.has(pair)) return;
      reported.add(pair);
      diagnostics.push(source.diagnostic(rule, `${second.what} would make the ${kind} ${JSON.stringify(name)}, already taken by ${where(other)}; ${fix}`, path, { key: true }));
    };
  };

  const namespaceOwner: Owner = { what: 'the namespace', path: ['namespace'] };
  const uid = space('dashboard-duplicate', 'dashboard uid', 'rename one group');
  const file = space('dashboard-duplicate', 'output file', 'rename one group');
  uid(catalog.overviewDashboard.uid, { what: 'the overview dashboard', path: undefined });
  file(catalog.overviewDashboard.file, { what: 'the overview dashboard', path: undefined });
  for (const [key, path] of Object.entries(catalog.files)) if (key !== 'dashboards') file(path, namespaceOwner);
  for (const group of catalog.groups) {
    const owner = { what: `group ${group.id}`, path: group.path };
    uid(group.dashboard.uid, owner);
    file(group.dashboard.file, owner);
  }

  // A gauge `x` and a counter `x_total` share the family `x`; a histogram `x` owns `x_bucket`, `x_sum`, `x_count`.
  const exposed = space('duplicate-name', 'series or family name', 'rename one metric');
  for (const metric of catalog.metrics) {
    const owner = metric.role === 'dropped_records' ? { what: `the exporter's drop counter ${metric.name}`, path: undefined } : { what: `metric ${metric.name}`, path: metric.path };
    for (const name of new Set([metric.family, ...metric.samples])) exposed(name, owner);
  }

  const ruleGroup = space('rule-group-duplicate', 'rule group', 'rename one group');
  for (const group of catalog.groups) for (const name of group.ruleGroups) ruleGroup(name, { what: `group ${group.id}`, path: group.path });
  for (const custom of catalog.customRuleGroups) ruleGroup(custom.name, { what: `the custom rules of group ${custom.group.id}`, path: custom.rules[0]?.path ?? custom.group.path });

  const alertName = space('alert-name-duplicate', 'alert', 'rename one alert');
  const record = space('record-name-conflict', 'recording rule', 'change one of them so they record different names');
  for (const metric of catalog.metrics) {
    for (const ratio of metric.ratios) {
      for (const r of ratio.records) record(r.name, { what: `ratio ${ratio.name}`, path: ratio.path, meaning: `ratio ${ratio.name} over ${r.window}` });
    }
    for (const alert of metric.alerts) {
      for (const name of alert.names) alertName(name, { what: `alert ${alert.name} of ${metric.name}`, path: alert.path });
      for (const r of alertRecords(alert)) record(r.name, { what: `alert ${alert.name}`, path: alert.path, meaning: r.meaning });
    }
  }
  // Custom rules come after the generated ones: a clash is reported on the custom rule.
  for (const rule of catalog.customRules) {
    if (rule.kind === 'alert') alertName(rule.name, { what: `custom alert ${rule.name}`, path: [...rule.path, 'alert'] });
    else record(rule.name, { what: `custom recording rule ${rule.name}`, path: [...rule.path, 'record'] });
  }

  // The module scope of generated/metrics.ts.
  const identifier = space('generated-name-collision', 'TypeScript name', 'rename one (a label can keep its exposed name with `name:`)');
  for (const name of GENERATED_MODULE_NAMES) identifier(name, { what: 'the generated module itself', path: undefined });
  for (const name of TYPESCRIPT_GLOBAL_NAMES) identifier(name, { what: 'a TypeScript global the generated module may use', path: undefined });
  const declared = catalog.metrics.filter((m) => m.role !== 'dropped_records');
  const used = new Set(declared.flatMap((m) => m.labels.map((l) => l.id)));
  for (const name of GENERATED_LOCAL_NAMES) identifier(name, { what: 'a local of the generated functions', path: undefined });
  for (const label of catalog.labels) {
    if (label.builtin || !used.has(label.id)) continue; // unused labels generate nothing
    const owner = { what: `label ${label.id}`, path: label.path };
    for (const name of [label.typeName, label.specConst]) identifier(name, owner);
    // Labels with the same values share their index function.
    identifier(label.indexFunction, { ...owner, meaning: `index function of ${JSON.stringify(label.values)}` });
    for (const table of Object.values(indexTableNames(label.indexFunction))) identifier(table, { ...owner, meaning: `table of ${label.indexFunction}` });
  }
  for (const metric of declared) if (metric.labels.length > 0) identifier(metric.labelsTypeName, { what: `metric ${metric.key}`, path: metric.path });
  for (const event of catalog.events) identifier(event.typeName, { what: `event ${event.id}`, path: event.path });
  // Members of the objects the module returns.
  const property = space('generated-name-collision', 'property of the metrics object', 'rename one');
  for (const name of METRICS_OBJECT_MEMBERS) property(name, { what: `the method metrics.${name}()`, path: undefined });
  for (const metric of declared) property(metric.property, { what: `metric ${metric.key}`, path: metric.path });

  // Locals of createMetrics, after the properties: two metrics with one property also share a store
  // name, and the property is the clearer report.
  for (const metric of declared) {
    const owner = { what: `metric ${metric.key}`, path: metric.path };
    identifier(metric.store, owner);
    if (metric.labels.length > 0) for (const name of [metric.seriesFunction, metric.labelReader, metric.faceFunction]) identifier(name, owner);
  }
  for (const event of catalog.events) {
    identifier(eventSlowPathName(event.method), { what: `the slow path of event ${event.id}`, path: event.path });
    identifier(eventUnreadableName(event.method), { what: `the unreadable-input count of event ${event.id}`, path: event.path });
  }
  // Parameters and locals of the series functions and recorder methods: they may repeat from one
  // function to the next, but must not shadow a name of the module or of createMetrics, nor meet
  // another local of the same function.
  const inner = 'a local of one generated function';
  for (const metric of declared) {
    const local = space('generated-name-collision', `local of the series function of ${metric.key}`, 'rename one label');
    for (const label of metric.labels) {
      for (const name of [label.parameter, label.positionLocal]) {
        identifier(name, { what: `label ${label.id}`, path: label.path, meaning: inner });
        local(name, { what: `label ${label.id}`, path: label.path });
      }
    }
  }
  for (const event of catalog.events) {
    const local = space('generated-name-collision', `local of ${event.method}()`, 'rename one field');
    for (const field of event.fields) {
      const owner = { what: `field ${field.id} of event ${event.id}`, path: field.path };
      for (const name of field.kind === 'label' ? [field.local, field.positionLocal] : [field.local]) {
        identifier(name, { ...owner, meaning: inner });
        local(name, owner);
      }
    }
  }

  const method = space('generated-name-collision', 'recorder method', 'rename one event');
  for (const event of catalog.events) method(event.method, { what: `event ${event.id}`, path: event.path });
  const figure = space('generated-name-collision', 'summary property', 'rename one figure');
  for (const f of catalog.summary) figure(f.property, { what: `summary figure ${f.id}`, path: f.path });
  for (const event of catalog.events) {
    const field = space('generated-name-collision', `property of the argument of ${event.method}()`, 'rename one field');
    for (const f of event.fields) field(f.property, { what: `field ${f.id} of event ${event.id}`, path: f.path });
  }
  return diagnostics;
}
