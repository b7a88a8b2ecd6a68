/**
 * generated/METRICS.md on small catalogues (issue 13, fix 6): counts in the right number, no empty
 * Labels table, and a deprecation note that names the replacement as it is exposed.
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitDocs } from '../../generator/emit/docs.js';
import { catalogue, metric } from '../helpers/catalogue.js';

function reference(text: string): string {
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return [...emitDocs(catalog!).values()][0]!;
}

/** A catalogue without any label: one counter (the exporter's own metrics make the rest). */
const UNLABELLED = catalogue({
  labels: '  {}\n',
  metrics: metric('jobs_total', { type: 'counter', unit: 'count' }),
  events: null,
});

describe('METRICS.md', () => {
  it('says "1 group" and counts metrics and series in the right number', () => {
    const text = reference(UNLABELLED);
    expect(text).toMatch(/^\d+ metrics in 1 group, at most \d+ series\.$/m);
    expect(text).not.toContain('1 groups');
  });

  it('leaves the Labels section out when the catalogue declares no label', () => {
    const text = reference(UNLABELLED);
    expect(text).not.toContain('## Labels');
    expect(text).not.toContain('| label | exposed as |');
    // With labels, the section is there.
    expect(reference(catalogue())).toContain('## Labels');
  });

  it('names the replacement of a deprecated metric as it is exposed, with the namespace', () => {
    const text = reference(
      catalogue({
        metrics: catalogue().split('metrics:\n')[1]!.split('events:\n')[0]! + metric('served_total', { type: 'counter', unit: 'count', deprecated: '{ reason: Renamed., replaced_by: requests_total }' }),
      }),
    );
    expect(text).toContain('Use <code>shop_requests_total</code>.');
    expect(text).not.toContain('Use <code>requests_total</code>');
  });
});
