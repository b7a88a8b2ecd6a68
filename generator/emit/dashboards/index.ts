/**
 * dashboards/: an overview plus one dashboard per catalogue group, built with the Grafana
 * foundation SDK, and the file provider that loads them.
 */
import type { Catalog } from '../../catalog/model.js';
import { buildDashboard } from './dashboard.js';
import { groupPlan, overviewPlan } from './plan.js';
import type { DashboardPlan } from './plan.js';
import { emitProvisioning } from './provisioning.js';

export { GRAFANA_UNITS, panelUnit } from './units.js';
export { PROVISIONING_FILE, grafanaDashboardsPath } from './provisioning.js';

/** What each dashboard shows, in `catalog.dashboards` order. */
export function dashboardPlans(catalog: Catalog): DashboardPlan[] {
  return [overviewPlan(catalog, catalog.overviewDashboard, catalog.dashboards), ...catalog.groups.map((group) => groupPlan(catalog, group, group.dashboard))];
}

export function emitDashboards(catalog: Catalog): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const plan of dashboardPlans(catalog)) outputs.set(plan.ref.file, `${JSON.stringify(buildDashboard(catalog, plan), null, 2)}\n`);
  outputs.set(catalog.files.provisioning, emitProvisioning(catalog));
  return outputs;
}
