/**
 * Issue 13, fix 6: a histogram without buckets is told so once (buckets-missing), not also by its
 * quantile alert with an empty list of boundaries to choose from.
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { BASE, catalogue } from '../helpers/catalogue.js';

describe('a histogram without buckets, with a quantile alert', () => {
  it('gets buckets-missing alone, with no empty "use one of" list', () => {
    const text = catalogue({
      metrics: BASE.metrics.replace(
        '    buckets: [0.1, 0.5, 1]\n',
        '    alerts:\n      - { name: LatencyAlert, kind: quantile, quantile: 0.95, above: 1, severity: info, summary: Slow. }\n',
      ),
    });
    const { diagnostics } = compileCatalog(text, 'metrics.yaml');
    expect(diagnostics.map((d) => d.rule)).toEqual(['buckets-missing']);
    expect(diagnostics.map((d) => d.message).join('\n')).not.toMatch(/use one of\s*(\[\])?\s*$/m);
  });
});
