/**
 * Issue 13, fix 2, generator side: a histogram with a negative bucket bound exposes no _sum and no
 * _count, so the model lists its _bucket series only and the dashboards never query the other two.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitDashboards } from '../../generator/emit/dashboards/index.js';

const ROOT = join(import.meta.dirname, '../..');

describe('metrics.yaml: agent_switch_quality_improvement_score (buckets from -10)', () => {
  const { catalog, diagnostics } = compileCatalog(readFileSync(join(ROOT, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  const metric = catalog?.metrics.find((m) => m.key === 'agent_switch_quality_improvement_score');

  it('is modelled with its buckets only', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(metric?.sumExposed).toBe(false);
    expect(metric?.samples).toEqual(['lazybird_agent_switch_quality_improvement_score_bucket']);
    // A histogram whose bounds are all >= 0 keeps the three series.
    const latency = catalog?.metrics.find((m) => m.key === 'guideline_match_score');
    expect(latency?.sumExposed).toBe(true);
    expect(latency?.samples).toHaveLength(3);
  });

  it('is shown by its quantiles, never by _sum or _count', () => {
    const text = [...emitDashboards(catalog!).values()].join('\n');
    expect(text).toContain('lazybird_agent_switch_quality_improvement_score_bucket');
    expect(text).not.toMatch(/lazybird_agent_switch_quality_improvement_score_(sum|count)/);
  });
});
