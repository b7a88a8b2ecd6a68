/** One dashboard from its plan: variables, links, then each section as a row of panels. */
import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { panelIds } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';
import { renderItem } from './panels.js';
import type { RenderContext } from './panels.js';
import { dashboardVariableLabels } from './plan.js';
import type { DashboardPlan, Item } from './plan.js';
import { grafanaInertText } from './text.js';
import { dashboardVariables } from './variables.js';

/** The dashboard JSON model, `description` (which carries the generated marker) first. */
export function buildDashboard(catalog: Catalog, plan: DashboardPlan): Record<string, unknown> {
  const labels = dashboardVariableLabels(catalog, plan);
  const context: RenderContext = { catalog, variables: new Set(labels.map((label) => label.id)) };
  const builder = new DashboardBuilder(plan.ref.title)
    .uid(plan.ref.uid)
    .description(plan.description)
    .tags([...plan.tags])
    .readonly()
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .variables(dashboardVariables(catalog, labels))
    .link(
      new DashboardLinkBuilder(`${catalog.dashboardFolder} dashboards`)
        .type(DashboardLinkType.Dashboards)
        .tags([catalog.namespace])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .targetBlank(false)
        .icon('external link')
        .tooltip(''),
    );

  const rendered = plan.sections.map((section) => {
    const figures = section.items.filter((item) => item.kind === 'figure').length;
    let figure = 0;
    return section.items.map((item) => ({ item, panels: renderItem(item, context, { index: item.kind === 'figure' ? figure++ : 0, count: figures }) }));
  });
  // Numbered as the model numbered them, so an alert's dashboard_url opens the panel it means.
  const ids = panelIds(rendered.map((items) => items.map(({ panels }) => panels.length)));
  rendered.forEach((items, s) => {
    const row = ids[s]?.row;
    if (row === undefined) return;
    builder.withRow(new RowBuilder(plan.sections[s]?.title ?? '').id(row).collapsed(false));
    items.forEach(({ item, panels }, i) => {
      const first = ids[s]?.items[i] ?? 0;
      const expected = modelPanelId(catalog, item, plan.ref.uid);
      if (expected !== undefined && expected !== first) throw new Error(`a ${item.kind} panel on ${plan.ref.uid} has id ${first}, the model says ${expected}`);
      panels.forEach((panel, p) => {
        panel.id(first + p);
        builder.withPanel(panel);
      });
    });
  });
  // The builder starts from Grafana's defaults, so `description` would land mid-object; the writer
  // recognises generated files by the marker in their first bytes.
  const { description, ...rest } = builder.build();
  for (const panel of rest.panels ?? []) inertPanelTexts(panel as PanelTexts);
  return { description, ...rest };
}

interface PanelTexts {
  title?: string;
  description?: string;
  options?: { content?: unknown };
}

/** The texts of a panel (or row) that Grafana expands variables in; queries are inert already. */
function inertPanelTexts(panel: PanelTexts): void {
  if (typeof panel.title === 'string') panel.title = grafanaInertText(panel.title);
  if (typeof panel.description === 'string') panel.description = grafanaInertText(panel.description);
  if (typeof panel.options?.content === 'string') panel.options.content = grafanaInertText(panel.options.content);
}

/** The id the model gave an item's panel, when `uid` is the dashboard of the item's group. */
function modelPanelId(catalog: Catalog, item: Item, uid: string): number | undefined {
  const metric = item.kind === 'metric' ? item.metric : item.kind === 'ratio' ? item.ratio.numerator : undefined;
  if (metric === undefined || catalog.groups.find((group) => group.id === metric.group)?.dashboard.uid !== uid) return undefined;
  return item.kind === 'ratio' ? item.ratio.panelId : metric.panelId;
}
