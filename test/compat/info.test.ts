/** The breaking-change check knows info metrics: their info labels are what queries join on. */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { breakingChanges } from '../../generator/checks/compat.js';
import { BASE, catalogue, metric, positionOf } from '../helpers/catalogue.js';

const withInfo = (labels: string): string => catalogue({ metrics: BASE.metrics + metric('build_info', { type: 'info', info_labels: labels }) });

function compare(oldText: string, newText: string) {
  const before = compileCatalog(oldText, 'old.yaml');
  const after = compileCatalog(newText, 'metrics.yaml');
  if (!before.catalog || !after.catalog) throw new Error(`test catalogue invalid: ${JSON.stringify([...before.diagnostics, ...after.diagnostics])}`);
  return breakingChanges(before.catalog, after.catalog, after.source);
}

describe('info metrics in the breaking-change check', () => {
  it('an info label taken away breaks, at info_labels', () => {
    const text = withInfo('[version]');
    const found = compare(withInfo('[version, commit]'), text);
    const at = positionOf(text, { line: 'info_labels: [version]', col: 'info_labels' });
    expect(found.map((d) => `${d.line}:${d.col} ${d.severity} [${d.rule}] ${d.message}`)).toEqual([
      `${at.line}:${at.col} error [breaking-label-removed] shop_build_info lost its info label commit`,
    ]);
  });

  it('an info label added is a warning, and an unchanged info metric passes', () => {
    expect(compare(withInfo('[version]'), withInfo('[version, commit]')).map((d) => [d.rule, d.severity])).toEqual([['compat-label-added', 'warning']]);
    expect(compare(withInfo('[version, commit]'), withInfo('[version, commit]'))).toEqual([]);
  });
});
