/**
 * The breaking-change check: what a new catalogue does to dashboards, alerts and queries written
 * against the previous one. Removing or renaming a metric, changing its type, unit or buckets, or
 * taking away labels, label values, alerts or recording rules breaks them, and so does a label that
 * stops learning its values (a changed alert label reroutes the alert, and a label that starts
 * learning widens its type: warnings), unless the metric was
 * deprecated first (removal) or is experimental (anything). Additions pass. Diagnostics sit on the
 * nodes of the new file (OpenTelemetry Weaver's `registry diff` is the model).
 */
import type { Diagnostic } from '../catalog/diagnostics.js';
import type { LoadedCatalog } from '../catalog/load.js';
import type { Catalog, MetricModel } from '../catalog/model.js';

type Source = Pick<LoadedCatalog, 'diagnostic'>;

export function breakingChanges(previous: Catalog, current: Catalog, source: Source): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (rule: string, message: string, path: (string | number)[], options: { key?: boolean; warning?: boolean } = {}) =>
    out.push(source.diagnostic(rule, message, path, { key: options.key ?? false, severity: options.warning ? 'warning' : 'error' }));

  if (previous.namespace !== current.namespace) {
    report('breaking-namespace', `the namespace changed from ${previous.namespace} to ${current.namespace}: every metric is renamed`, ['namespace']);
    return out;
  }
  const now = new Map(current.metrics.map((m) => [m.name, m]));
  const declared = (m: MetricModel) => m.role !== 'dropped_records';

  for (const before of previous.metrics.filter(declared)) {
    const after = now.get(before.name);
    const at = ['metrics', before.key];
    const lenient = before.stability === 'experimental';
    if (!after) {
      if (before.deprecated) continue; // deprecated first, removed now: the agreed path
      const twin = current.metrics.find((m) => !previous.metrics.some((p) => p.name === m.name) && m.type === before.type && sameLabels(m, before));
      report(
        'breaking-metric-removed',
        `${before.name} was removed${twin ? ` (renamed to ${twin.name}?)` : ''} without being deprecated first; deprecate it (deprecated: { reason, replaced_by }) and remove it in a later change`,
        twin ? ['metrics', twin.key] : ['metrics'],
        { key: true, warning: lenient },
      );
      continue;
    }
    if (after.type !== before.type) report('breaking-type-changed', `${after.name} changed type from ${before.type} to ${after.type}`, [...at, 'type'], { warning: lenient });
    if (after.unit !== before.unit) report('breaking-unit-changed', `${after.name} changed unit from ${before.unit} to ${after.unit}`, [...at, 'unit'], { warning: lenient });
    if (after.type === 'histogram' && before.type === 'histogram' && after.buckets.join() !== before.buckets.join()) {
      report('breaking-buckets-changed', `${after.name} changed buckets from [${before.buckets.join(', ')}] to [${after.buckets.join(', ')}]: quantiles and le selectors across the change break`, [...at, 'buckets'], { warning: lenient });
    }
    for (const label of before.labels) {
      const kept = after.labels.find((l) => l.name === label.name);
      if (!kept) {
        report('breaking-label-removed', `${after.name} lost its label ${label.name}`, after.labels.length > 0 ? [...at, 'labels'] : at, { key: true, warning: lenient });
        continue;
      }
      // Learning keeps every declared value and its series, and only adds series: not a break. But
      // the generated type widens to string and label_values() lists grow, which is worth a warning.
      if (label.learned === undefined && kept.learned !== undefined) {
        report(
          'compat-label-learned',
          `${after.name}: label ${label.name} now learns up to ${kept.learned} values at run time: every declared value keeps its series, new values get series of their own, and its generated type widens to string`,
          ['labels', kept.id, 'learned'],
          { key: true, warning: true },
        );
      } else if (label.learned !== undefined && kept.learned === undefined) {
        // The values the application sent into learned slots are unknown here; whichever are not
        // declared now lose their series, so dashboards showing them go flat and their rates reset.
        report(
          'breaking-label-fixed',
          `${after.name}: label ${label.name} no longer learns its values (it learned up to ${label.learned}): values the application recorded outside [${kept.values.join(', ')}] lose their series and ${kept.overflow === undefined ? 'are dropped' : `move to ${JSON.stringify(kept.overflow)}`}, and its generated type narrows from string to the declared values`,
          ['labels', kept.id, 'values'],
          { warning: lenient },
        );
      } else if (label.learned !== undefined && kept.learned !== undefined && kept.learned < label.learned) {
        report(
          'breaking-label-learned-fewer',
          `${after.name}: label ${label.name} learns at most ${kept.learned} values instead of ${label.learned}: values that had a series of their own ${kept.overflow === undefined ? 'are dropped' : `move to ${JSON.stringify(kept.overflow)}`}`,
          ['labels', kept.id, 'learned', 'max'],
          { warning: lenient },
        );
      }
      // A value the previous catalogue declared stays allowed when the label now learns its values.
      const lost = kept.learned === undefined ? label.values.filter((v) => !kept.values.includes(v)) : [];
      if (lost.length > 0) {
        report('breaking-label-value-removed', `${after.name}: label ${label.name} no longer allows ${lost.map((v) => JSON.stringify(v)).join(', ')}`, ['labels', kept.id, 'values'], { warning: lenient });
      }
    }
    for (const label of after.labels) {
      if (!before.labels.some((l) => l.name === label.name)) {
        report('compat-label-added', `${after.name} gained the label ${label.name}: queries that match its series exactly, or aggregate without it, change`, [...at, 'labels'], { key: true, warning: true });
      }
    }
    // An info metric's labels are what queries join on (`* on (instance) group_left (version) x_info`).
    for (const label of before.infoLabels) {
      if (!after.infoLabels.some((l) => l.name === label.name)) {
        report('breaking-label-removed', `${after.name} lost its info label ${label.name}`, after.infoLabels.length > 0 ? [...at, 'info_labels'] : at, { key: true, warning: lenient });
      }
    }
    for (const label of after.infoLabels) {
      if (before.type === 'info' && !before.infoLabels.some((l) => l.name === label.name)) {
        report('compat-label-added', `${after.name} gained the info label ${label.name}: queries that match its series exactly change`, [...at, 'info_labels'], { key: true, warning: true });
      }
    }
    const ratiosNow = new Set(after.ratios.map((r) => r.name));
    for (const ratio of before.ratios) {
      if (!ratiosNow.has(ratio.name)) report('breaking-recording-rule-removed', `the recording rules of ratio ${ratio.name} on ${after.name} were removed; dashboards and queries read them`, [...at], { key: true, warning: lenient });
    }
  }

  // Alertmanager routes, inhibits and silences on alert labels: changing one reroutes the alert.
  const alertNow = new Map(current.metrics.flatMap((m) => m.alerts.map((alert) => [alert.name, alert] as const)));
  for (const metric of previous.metrics) {
    for (const before of metric.alerts) {
      const after = alertNow.get(before.name);
      if (after === undefined) continue;
      const changed = [...new Set([...before.labels, ...after.labels].map((l) => l.name))]
        .sort()
        .filter((name) => before.labels.find((l) => l.name === name)?.value !== after.labels.find((l) => l.name === name)?.value);
      if (changed.length === 0) continue;
      const describe = (labels: typeof before.labels, name: string) => {
        const value = labels.find((l) => l.name === name)?.value;
        return value === undefined ? 'none' : JSON.stringify(value);
      };
      report(
        'compat-alert-label-changed',
        `alert ${before.name}: ${changed.map((name) => `label ${name} ${describe(before.labels, name)} -> ${describe(after.labels, name)}`).join(', ')}; Alertmanager routes, inhibitions and silences that match it change`,
        [...after.path, 'name'],
        { warning: true },
      );
    }
  }

  const customNow = new Set(current.customRules.map((rule) => rule.name));
  const alertsNow = new Set([...current.metrics.flatMap((m) => m.alerts.flatMap((alert) => alert.names)), ...customNow]);
  for (const metric of previous.metrics) {
    for (const alert of metric.alerts) {
      for (const name of alert.names) {
        if (alertsNow.has(name)) continue;
        const still = now.get(metric.name);
        report('breaking-alert-removed', `alert ${name} (on ${metric.name}) was removed: silences, routes and dashboards that name it stop matching`, still ? ['metrics', still.key] : ['metrics'], { key: true });
      }
    }
  }
  // A custom rule may move between the generated kinds and `rules:` under the same name; only its name counts.
  const recordsNow = new Set([...customNow, ...current.metrics.flatMap((m) => m.ratios.flatMap((r) => r.records.map((record) => record.name)))]);
  for (const rule of previous.customRules) {
    if (rule.kind === 'alert' && !alertsNow.has(rule.name)) {
      report('breaking-alert-removed', `custom alert ${rule.name} was removed: silences, routes and dashboards that name it stop matching`, ['rules'], { key: true });
    }
    if (rule.kind === 'record' && !recordsNow.has(rule.name)) {
      report('breaking-recording-rule-removed', `custom recording rule ${rule.name} was removed; dashboards and queries that read it go empty`, ['rules'], { key: true });
    }
  }
  return out;
}

function sameLabels(a: MetricModel, b: MetricModel): boolean {
  const names = (m: MetricModel): string => [...m.labels, ...m.infoLabels].map((l) => l.name).join();
  return names(a) === names(b);
}
