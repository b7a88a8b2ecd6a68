/** Derived names that are unique by construction, and catalogues the uniqueness rule must not refuse. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { BASE, catalogue, metric } from '../helpers/catalogue.js';

describe('dashboard uids', () => {
  // Grafana keeps 40 characters of a uid; both groups' uids used to be the same 40.
  const text = catalogue({
    head: 'namespace: acme_payments_gateway_service\n',
    groups: '  throughput_primary:\n    title: Primary\n  throughput_secondary:\n    title: Secondary\n',
    metrics: BASE.metrics.replaceAll('group: main', 'group: throughput_primary') + metric('queue_depth', { group: 'throughput_secondary' }),
  });

  it('stay distinct when cut to 40 characters: the cut uid ends with a hash of the whole', () => {
    const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
    expect(diagnostics).toEqual([]);
    const uids = catalog!.groups.map((g) => g.dashboard.uid);
    const hashed = (whole: string): string => `${whole.slice(0, 31)}-${createHash('sha256').update(whole).digest('hex').slice(0, 8)}`;
    expect(uids).toEqual([hashed('acme-payments-gateway-service-throughput-primary'), hashed('acme-payments-gateway-service-throughput-secondary')]);
    expect(new Set(uids).size).toBe(2);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
    // Short uids are left as they were (the seed's dashboards keep theirs).
    expect(catalog!.overviewDashboard.uid).toBe('acme-payments-gateway-service-overview');
  });

  it('reach the dashboards and the TypeScript module as computed on the model', () => {
    const { catalog } = compileCatalog(text, 'metrics.yaml');
    const outputs = emitAll(catalog!);
    for (const group of catalog!.groups) {
      expect(JSON.parse(outputs.get(group.dashboard.file)!).uid).toBe(group.dashboard.uid);
      expect(outputs.get('generated/metrics.ts')).toContain(`uid: "${group.dashboard.uid}"`);
    }
  });
});

describe('rule groups', () => {
  it('a group main_2 beside a group main whose rules fit in one rule group is accepted', () => {
    const text = catalogue({
      groups: `${BASE.groups}  main_2:\n    title: Main again\n`,
      metrics: BASE.metrics + metric('jobs_total', { type: 'counter', unit: 'count', group: 'main_2', alerts: '[{ name: NoJobs, kind: stall, severity: info, summary: Stalled. }]' }),
    });
    const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
    expect(diagnostics).toEqual([]);
    expect(catalog!.groups.map((g) => g.ruleGroups)).toEqual([[], ['shop-main-2']]);
  });
});

describe('recording rules', () => {
  it('two anomaly alerts on one signal share its record', () => {
    const text = catalogue({
      metrics: BASE.metrics.replace(
        '    labels: [method]\n',
        '    labels: [method]\n    alerts:\n' +
          '      - { name: SpikeInfo, kind: anomaly, of: rate, z: 3, min_rate: 1, severity: info, summary: Spike. }\n' +
          '      - { name: SpikeWarning, kind: anomaly, of: rate, z: 4, min_rate: 1, severity: warning, summary: Spike. }\n',
      ),
    });
    const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
    expect(diagnostics).toEqual([]);
    const rules = emitAll(catalog!).get('alerts/shop.rules.yaml')!;
    expect(rules.match(/record: job:shop_requests:rate5m$/gm)).toHaveLength(1);
  });
});
