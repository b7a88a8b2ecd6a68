import { describe, expect, it } from 'vitest';
import { MetricsRuntime, familyName, seriesCount, validateSpecs } from '../../runtime/index.js';
import type { MetricSpec } from '../../runtime/index.js';
import { SPECS } from './helpers/specs.js';

const good: MetricSpec = { name: 'a_total', type: 'counter', help: 'h', unit: '', labels: [{ name: 'x', values: ['1', '2'] }] };

describe('validateSpecs', () => {
  it('accepts the test catalogue', () => {
    expect(() => validateSpecs(SPECS)).not.toThrow();
  });

  it.each([
    ['a bad metric name', { ...good, name: 'a-b_total' }, /invalid metric name/],
    ['a counter without _total', { ...good, name: 'a' }, /_total/],
    ['an unknown type', { ...good, type: 'summary' }, /unknown type/],
    ['a unit the name does not end with', { ...good, name: 'a_seconds', type: 'gauge', unit: 'bytes' }, /_bytes/],
    ['a bad label name', { ...good, labels: [{ name: '__x', values: ['1'] }] }, /label name/],
    ['a duplicate label', { ...good, labels: [{ name: 'x', values: ['1'] }, { name: 'x', values: ['2'] }] }, /duplicate label/],
    ['a label without values', { ...good, labels: [{ name: 'x', values: [] }] }, /no values/],
    ['duplicate label values', { ...good, labels: [{ name: 'x', values: ['1', '1'] }] }, /duplicate values/],
    ['an overflow value not among the values', { ...good, labels: [{ name: 'x', values: ['1'], overflow: 'o' }] }, /overflow/],
    ['a histogram le label', { name: 'h', type: 'histogram', help: '', unit: '', labels: [{ name: 'le', values: ['1'] }], buckets: [1] }, /le/],
    ['a histogram without buckets', { name: 'h', type: 'histogram', help: '', unit: '', labels: [] }, /need buckets/],
    ['unsorted buckets', { name: 'h', type: 'histogram', help: '', unit: '', labels: [], buckets: [1, 1] }, /strictly increasing/],
    ['an infinite bucket', { name: 'h', type: 'histogram', help: '', unit: '', labels: [], buckets: [1, Infinity] }, /finite/],
    ['buckets on a gauge', { name: 'g', type: 'gauge', help: '', unit: '', labels: [], buckets: [1] }, /only histograms/],
  ] as const)('rejects %s', (_what, spec, message) => {
    expect(() => validateSpecs([spec as unknown as MetricSpec])).toThrow(message);
  });

  it('rejects duplicate names, and a catalogue metric named like the drop counter', () => {
    expect(() => validateSpecs([good, good])).toThrow(/duplicate metric name/);
    const clash: MetricSpec = { name: 'app_metrics_dropped_total', type: 'counter', help: '', unit: '', labels: [] };
    expect(() => new MetricsRuntime([clash], { namespace: 'app', defaultMetrics: false })).toThrow(/duplicate metric name/);
    expect(() => new MetricsRuntime([clash], { namespace: 'app', defaultMetrics: false, droppedMetricName: 'app_drops_total' })).not.toThrow();
  });

  it('derives series counts and family names', () => {
    expect(SPECS.map(seriesCount)).toEqual([6, 2, 2, 4, 1, 1]);
    expect(familyName({ name: 'x_total', type: 'counter' })).toBe('x');
    expect(familyName({ name: 'x_total_bytes', type: 'gauge' })).toBe('x_total_bytes');
  });
});
