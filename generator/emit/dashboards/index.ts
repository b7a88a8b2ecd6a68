/**
 * dashboards/: an overview plus one dashboard per catalogue group, built with the Grafana
 * foundation SDK, and the file provider that loads them.
 */
import { dashboardRefs } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';
import { buildDashboard } from './dashboard.js';
import { groupPlan, overviewPlan } from './plan.js';
import type { DashboardPlan } from './plan.js';
import { PROVISIONING_FILE, emitProvisioning } from './provisioning.js';

export { GRAFANA_UNITS, panelUnit } from './units.js';
export { PROVISIONING_FILE, grafanaDashboardsPath } from './provisioning.js';

/** What each dashboard shows, in `dashboardRefs` order. */
export function dashboardPlans(catalog: Catalog): DashboardPlan[] {
  const [overview, ...groups] = dashboardRefs(catalog.namespace, catalog.groups);
  if (!overview) return [];
  const refs = [overview, ...groups];
  return [
    overviewPlan(catalog, overview, refs),
    ...catalog.groups.flatMap((group, index) => {
      const ref = groups[index];
      return ref ? [groupPlan(catalog, group, ref)] : [];
    }),
  ];
}

export function emitDashboards(catalog: Catalog): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const plan of dashboardPlans(catalog)) outputs.set(plan.ref.file, `${JSON.stringify(buildDashboard(catalog, plan), null, 2)}\n`);
  outputs.set(PROVISIONING_FILE, emitProvisioning(catalog));
  return outputs;
}
