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

  it('shows each histogram’s shape and native settings, and says what a native histogram costs', () => {
    const classic = reference(catalogue());
    expect(classic).not.toContain('## Native histograms');
    expect(classic).toContain('| <code>shop_request_duration_seconds</code> | histogram | seconds |');
    const both = reference(catalogue({ metrics: catalogue().split('metrics:\n')[1]!.split('events:\n')[0]!.replace('    buckets: [0.1, 0.5, 1]\n', '    buckets: [0.1, 0.5, 1]\n    native: { bucket_factor: 1.1, max_buckets: 50 }\n') }));
    // 3 buckets + 3 + 1 native series, no labels.
    expect(both).toContain('| <code>shop_request_duration_seconds</code> | histogram (classic + native) | seconds |  | 7 |');
    expect(both).toContain('| <code>shop_request_duration_seconds</code> | native and 3 classic buckets | 3 | 50 | 2.938735877055719e-39 |');
    expect(both).toContain('1 for a native histogram');
    const native = reference(catalogue({ metrics: catalogue().split('metrics:\n')[1]!.split('events:\n')[0]!.replace('    buckets: [0.1, 0.5, 1]\n', '    native: { schema: -1, zero_threshold: 0 }\n') }));
    expect(native).toContain('| <code>shop_request_duration_seconds</code> | histogram (native) | seconds |  | 1 |');
    expect(native).toContain('| <code>shop_request_duration_seconds</code> | native only | -1 | 160 | 0 |');
  });

  it('says why a histogram with a negative bucket bound still counts buckets + 3, only when there is one', () => {
    const body = catalogue().split('metrics:\n')[1]!.split('events:\n')[0]!;
    const note = 'A histogram with a negative bucket bound counts buckets + 3 too';
    expect(reference(catalogue())).not.toContain(note);
    const negative = reference(catalogue({ metrics: body.replace('    buckets: [0.1, 0.5, 1]\n', '    buckets: [-1, 0.5, 1]\n') }));
    expect(negative).toContain(`${note}: the text formats expose no \`_sum\` and \`_count\` for it, but a Prometheus that scrapes protobuf (native histograms on) stores both.`);
    // 3 buckets + 3, no labels.
    expect(negative).toContain('| <code>shop_request_duration_seconds</code> | histogram | seconds |  | 6 |');
  });
});
