/** One dashboard from its plan: variables, links, then each section as a row of panels. */
import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Catalog } from '../../catalog/model.js';
import { renderItem } from './panels.js';
import type { RenderContext } from './panels.js';
import { dashboardVariableLabels } from './plan.js';
import type { DashboardPlan } from './plan.js';
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

  let id = 0;
  for (const section of plan.sections) {
    const figures = section.items.filter((item) => item.kind === 'figure').length;
    let figure = 0;
    const panels = section.items.flatMap((item) => renderItem(item, context, { index: item.kind === 'figure' ? figure++ : 0, count: figures }));
    if (panels.length === 0) continue;
    builder.withRow(new RowBuilder(section.title).id(++id).collapsed(false));
    for (const panel of panels) {
      panel.id(++id);
      builder.withPanel(panel);
    }
  }
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
