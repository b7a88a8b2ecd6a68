/**
 * An alert's dashboard_url opens the panel of what it watches: for every alert of the job-worker
 * test catalogue (which names its Grafana), the link's dashboard exists, and the panel with the
 * link's viewPanel id queries the alert's metric (or, for a ratio alert, the ratio's record).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { catalog } = compileCatalog(readFileSync(join(root, 'test/catalogues/job-worker/metrics.yaml'), 'utf8'), 'metrics.yaml');
if (!catalog) throw new Error('the job-worker catalogue is invalid');
const outputs = emitAll(catalog);

interface Panel {
  id: number;
  type: string;
  targets?: { expr: string }[];
}
const dashboards = new Map(
  [...outputs].filter(([path]) => path.startsWith('dashboards/') && path.endsWith('.json')).map(([, text]) => {
    const json = JSON.parse(text) as { uid: string; panels: Panel[] };
    return [json.uid, json.panels] as const;
  }),
);
const rules = parse(outputs.get(catalog.files.rules) ?? '') as {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
};
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

describe('dashboard_url of the job-worker alerts', () => {
  it('every alert has one', () => {
    expect(alerts.length).toBeGreaterThan(5);
    for (const alert of alerts) expect(alert.annotations?.dashboard_url, alert.alert).toMatch(/^https:\/\/grafana\.example\.com\/d\/[\w-]+\?viewPanel=\d+$/);
  });

  it.each(alerts.map((a) => [a.alert ?? '', a] as const))('%s opens the panel of what it watches', (name, alert) => {
    const url = new URL(alert.annotations?.dashboard_url ?? '');
    const uid = url.pathname.replace('/d/', '');
    const panels = dashboards.get(uid);
    expect(panels, `dashboard ${uid}`).toBeDefined();
    const panel = panels?.find((p) => p.id === Number(url.searchParams.get('viewPanel')));
    expect(panel?.type).not.toBe('row');
    const model = catalog.metrics.flatMap((m) => m.alerts).find((a) => a.names.includes(name));
    if (!model) throw new Error(`no alert ${name} in the model`);
    const watched = model.ratio ? (model.ratio.records[0]?.name ?? '') : model.metric.name;
    expect(panel?.targets?.some((t) => t.expr.includes(watched)), `${name} -> panel ${panel?.id} of ${uid}`).toBe(true);
  });
});
