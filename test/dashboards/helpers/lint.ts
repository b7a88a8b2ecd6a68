/**
 * The rules of grafana/dashboard-linter (github.com/grafana/dashboard-linter, lint/rule_*.go),
 * re-implemented over the dashboard JSON, with PromQL walked through lezer-promql's syntax tree.
 * Each rule returns its problems; an empty list is a pass.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import { aggregation, enclosingCall, functionName, parseQuery, selectorMatchers, selectorName } from './promql.js';
import type { ParsedQuery } from './promql.js';
import { panelsOf, queryPanelsOf, variableNames } from './dashboard.js';
import type { DashboardJson, PanelJson, TargetJson, VariableJson } from './dashboard.js';

/** Every unit id Grafana knows, as the SDK lists them. */
export const GRAFANA_UNIT_IDS: ReadonlySet<string> = new Set(Object.values(units as Record<string, unknown>).filter((v): v is string => typeof v === 'string'));

/** Panel types the linter's panel rules apply to. */
const LINTED_PANEL_TYPES = new Set(['stat', 'singlestat', 'graph', 'table', 'timeseries', 'gauge']);
const TEMPLATED_DATASOURCE = new Set(['$datasource', '${datasource}']);

type Rule = (dashboard: DashboardJson) => string[];

export interface TargetRef {
  readonly panel: PanelJson;
  readonly target: TargetJson;
  readonly query: ParsedQuery;
}

/** Every target of every panel, parsed with the dashboard's variables substituted. */
export function parsedTargets(dashboard: DashboardJson): TargetRef[] {
  const variables = variableNames(dashboard);
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).filter((t) => typeof t.expr === 'string').map((target) => ({ panel, target, query: parseQuery(target.expr!, variables) })),
  );
}

function where(panel: PanelJson, target?: TargetJson): string {
  return `panel ${panel.id} "${panel.title}"${target ? ` target ${target.refId}` : ''}`;
}

function titleCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function checkTemplate(dashboard: DashboardJson, name: string): string[] {
  const variable = dashboard.templating.list.find((v) => v.name === name);
  if (!variable) return [`missing the ${name} variable`];
  const problems: string[] = [];
  if (!TEMPLATED_DATASOURCE.has(variable.datasource?.uid ?? '')) problems.push(`${name}: datasource should be $datasource, is ${variable.datasource?.uid}`);
  if (variable.type !== 'query') problems.push(`${name}: should be a query variable, is ${variable.type}`);
  if (variable.label !== titleCase(name)) problems.push(`${name}: should be labelled ${titleCase(name)}, is ${variable.label}`);
  if (variable.multi !== true) problems.push(`${name}: should be multi-select`);
  if (variable.includeAll !== true) problems.push(`${name}: should include All`);
  if (variable.allValue !== '.+') problems.push(`${name}: allValue should be .+, is ${variable.allValue}`);
  return problems;
}

/** The PromQL inside a query variable's query, or a problem. */
export function variableQueryExpr(variable: VariableJson): { expr: string | undefined } | { problem: string } {
  if (typeof variable.query !== 'string') return { problem: `${variable.name}: query is not a string` };
  const query = variable.query.trim();
  const labelValues = /^label_values\((.+),\s*[a-zA-Z_]\w*\s*\)$/s.exec(query) ?? /^query_result\((.+)\)$/s.exec(query);
  if (labelValues) return { expr: labelValues[1]! };
  if (/^label_values\(\s*[a-zA-Z_]\w*\s*\)$/.test(query) || /^label_names\(\)$/.test(query) || /^metrics\(.*\)$/.test(query)) return { expr: undefined };
  return { problem: `${variable.name}: invalid templated label query ${query}` };
}

export const RULES: Readonly<Record<string, Rule>> = {
  'template-datasource': (d) => {
    const sources = d.templating.list.filter((v) => v.type === 'datasource');
    if (sources.length !== 1) return [`expected one data source variable, found ${sources.length}`];
    const [source] = sources as [VariableJson];
    const problems: string[] = [];
    if (source.name !== 'datasource') problems.push(`data source variable named ${source.name}, should be datasource`);
    if (source.label !== 'Data source') problems.push(`data source variable labelled ${source.label}, should be Data source`);
    if (source.query !== 'prometheus') problems.push(`data source variable of type ${String(source.query)}, should be prometheus`);
    return problems;
  },
  'template-job': (d) => checkTemplate(d, 'job'),
  'template-instance': (d) => checkTemplate(d, 'instance'),
  'template-label-promql': (d) => {
    const names = variableNames(d);
    return d.templating.list
      .filter((v) => v.type === 'query')
      .flatMap((v) => {
        const found = variableQueryExpr(v);
        if ('problem' in found) return [found.problem];
        if (found.expr === undefined) return [];
        return parseQuery(found.expr, names).errors().length > 0 ? [`${v.name}: ${found.expr} does not parse`] : [];
      });
  },
  'template-on-time-change-reload': (d) =>
    d.templating.list.filter((v) => v.type === 'query' && v.refresh !== 2).map((v) => `${v.name}: refresh is ${v.refresh}, should be 2 (on time range change)`),
  'panel-datasource': (d) =>
    queryPanelsOf(d).flatMap((panel) => [
      ...(TEMPLATED_DATASOURCE.has(panel.datasource?.uid ?? '') ? [] : [`${where(panel)} uses data source ${panel.datasource?.uid}`]),
      ...(panel.targets ?? [])
        .filter((t) => t.datasource !== undefined && !TEMPLATED_DATASOURCE.has(t.datasource.uid ?? ''))
        .map((t) => `${where(panel, t)} uses data source ${t.datasource?.uid}`),
    ]),
  'panel-title-description': (d) =>
    panelsOf(d)
      .filter((panel) => !panel.title || !panel.description)
      .map((panel) => `${where(panel)} lacks a title or description`),
  'panel-units': (d) =>
    panelsOf(d).flatMap((panel) => {
      const overrideUnits = (panel.fieldConfig?.overrides ?? []).flatMap((o) => o.properties.filter((p) => p.id === 'unit').map((p) => p.value));
      const problems = overrideUnits.filter((u) => typeof u !== 'string' || !GRAFANA_UNIT_IDS.has(u)).map((u) => `${where(panel)} override unit ${String(u)} is not a Grafana unit`);
      if (LINTED_PANEL_TYPES.has(panel.type)) {
        const unit = panel.fieldConfig?.defaults?.unit;
        if (!unit || !GRAFANA_UNIT_IDS.has(unit)) problems.push(`${where(panel)} has no or an invalid unit: ${unit}`);
      }
      if (panel.type === 'heatmap') {
        const unit = panel.options?.yAxis?.unit;
        if (!unit || !GRAFANA_UNIT_IDS.has(unit)) problems.push(`${where(panel)} heatmap y axis has no or an invalid unit: ${unit}`);
      }
      return problems;
    }),
  'panel-no-targets': (d) =>
    queryPanelsOf(d)
      .filter((panel) => (panel.targets ?? []).length === 0)
      .map((panel) => `${where(panel)} has no targets`),
  'target-promql': (d) =>
    parsedTargets(d)
      .filter(({ query }) => query.errors().length > 0)
      .map(({ panel, target, query }) => `${where(panel, target)}: ${target.expr} does not parse (substituted: ${query.text})`),
  'target-rate-interval': (d) =>
    parsedTargets(d).flatMap(({ panel, target, query }) => [
      ...query
        .nodes('MatrixSelector')
        .filter((m) => !query.source(m).endsWith('[$__rate_interval]'))
        .map((m) => `${where(panel, target)}: range ${query.source(m)} should be [$__rate_interval]`),
      ...query.nodes('SubqueryExpr').map((s) => `${where(panel, target)}: subquery ${query.source(s)}`),
    ]),
  'target-job': (d) => requiredMatcher(d, 'job'),
  'target-instance': (d) => requiredMatcher(d, 'instance'),
  'target-counter-agg': (d) =>
    parsedTargets(d).flatMap(({ panel, target, query }) =>
      query
        .nodes('VectorSelector')
        .filter((selector) => (selectorName(query, selector) ?? '').endsWith('_total'))
        .filter((selector) => {
          const matrix = selector.parent;
          const call = matrix?.name === 'MatrixSelector' ? enclosingCall(matrix) : undefined;
          return !call || !['rate', 'irate', 'increase'].includes(functionName(query, call));
        })
        .map((selector) => `${where(panel, target)}: counter ${query.source(selector)} is not inside rate, irate or increase`),
    ),
  'uneditable-dashboard': (d) => (d.editable === false ? [] : ['dashboard is editable']),
};

function requiredMatcher(dashboard: DashboardJson, label: string): string[] {
  return parsedTargets(dashboard).flatMap(({ panel, target, query }) =>
    query
      .nodes('VectorSelector')
      .filter((selector) => !selectorMatchers(query, selector).some((m) => m.label === label && m.op === '=~' && m.value === `"$${label}"`))
      .map((selector) => `${where(panel, target)}: ${query.source(selector)} lacks ${label}=~"$${label}"`),
  );
}

/** Every `_bucket` selector must be `sum by (le, ...) (rate|increase(x_bucket[...]))`. */
export function bucketProblems(dashboard: DashboardJson): string[] {
  return parsedTargets(dashboard).flatMap(({ panel, target, query }) =>
    query
      .nodes('VectorSelector')
      .filter((selector) => (selectorName(query, selector) ?? '').endsWith('_bucket'))
      .flatMap((selector) => {
        const matrix = selector.parent;
        const call = matrix?.name === 'MatrixSelector' ? enclosingCall(matrix) : undefined;
        if (!call || !['rate', 'increase'].includes(functionName(query, call))) return [`${where(panel, target)}: ${query.source(selector)} is not inside rate or increase`];
        const body = call.parent;
        const aggregate = body?.name === 'FunctionCallBody' && body.parent?.name === 'AggregateExpr' ? body.parent : undefined;
        if (!aggregate) return [`${where(panel, target)}: ${query.source(call)} is not aggregated`];
        const { op, modifier, labels } = aggregation(query, aggregate);
        return op === 'sum' && modifier === 'by' && labels.includes('le') ? [] : [`${where(panel, target)}: ${query.source(aggregate)} is not sum by (le, ...)`];
      }),
  );
}
