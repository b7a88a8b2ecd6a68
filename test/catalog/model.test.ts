/** The resolved model: order, names, values, the built-in drop counter and events. */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/index.js';
import { seriesMatching } from '../../generator/catalog/model.js';
import { positionOf } from '../helpers/catalogue.js';

const FILE = 'metrics.yaml';

const TEXT = `namespace: acme
labels:
  region:
    description: Region.
    values: [eu, us]
    overflow: elsewhere
  kind:
    name: type
    description: Kind of item.
    values: [a, b, c]
groups:
  zeta:
    title: Zeta
  beta:
    title: Beta
    order: 2
  alpha:
    title: Alpha
    order: 1
  gamma:
    title: Gamma
    description: Ties with alpha; comes after it in the file.
    order: 1
  omega:
    title: Omega
metrics:
  http2_requests_total:
    type: counter
    group: zeta
    help: HTTP/2 requests.
    unit: count
  job_duration_seconds:
    type: histogram
    group: alpha
    help: Job duration.
    unit: seconds
    labels: [region]
    buckets: [1, 5, 10]
  queue_depth:
    type: gauge
    group: beta
    help: Jobs waiting.
    unit: count
  export_duration_seconds:
    type: histogram
    group: gamma
    help: Time to render the exposition.
    unit: seconds
    role: scrape_duration
    buckets: [0.01, 0.1]
  items_total:
    type: counter
    group: alpha
    help: Items processed.
    unit: count
    labels: [region, kind]
  last_run_timestamp_seconds:
    type: gauge
    group: omega
    help: When the last job ran.
    unit: seconds
events:
  job_done:
    description: A job finished.
    fields:
      region: { label: region }
      flavour: { label: kind }
      seconds: { type: number }
      items: { type: number, optional: true }
    records:
      - { observe: job_duration_seconds, value: seconds }
      - { inc: items_total, by: items, labels: { kind: { field: flavour } } }
      - { inc: items_total, labels: { region: eu, kind: { field: flavour } } }
      - { set: queue_depth, value: seconds }
`;

function compiled(text: string): Catalog {
  const result = compileCatalog(text, FILE);
  expect(result.diagnostics).toEqual([]);
  if (!result.catalog) throw new Error('no model');
  return result.catalog;
}

describe('the model', () => {
  const catalog = compiled(TEXT);

  it('orders groups by order, then file order, those without order last', () => {
    expect(catalog.groups.map((g) => g.id)).toEqual(['alpha', 'gamma', 'beta', 'zeta', 'omega']);
    expect(catalog.groups.map((g) => g.title)).toEqual(['Alpha', 'Gamma', 'Beta', 'Zeta', 'Omega']);
    expect(catalog.groups.find((g) => g.id === 'gamma')?.description).toBe('Ties with alpha; comes after it in the file.');
  });

  it('lists metrics in group order, then file order, with the drop counter after the scrape_duration metric', () => {
    expect(catalog.metrics.map((m) => m.key)).toEqual([
      'job_duration_seconds',
      'items_total',
      'export_duration_seconds',
      'metrics_dropped_total',
      'queue_depth',
      'http2_requests_total',
      'last_run_timestamp_seconds',
    ]);
    expect(catalog.groups.flatMap((g) => g.metrics)).toEqual(catalog.metrics);
    for (const group of catalog.groups) for (const m of group.metrics) expect(m.group).toBe(group.id);
  });

  it('gives full names and camelCase properties', () => {
    expect(catalog.metrics.map((m) => [m.name, m.property])).toEqual([
      ['acme_job_duration_seconds', 'jobDurationSeconds'],
      ['acme_items_total', 'itemsTotal'],
      ['acme_export_duration_seconds', 'exportDurationSeconds'],
      ['acme_metrics_dropped_total', 'metricsDroppedTotal'],
      ['acme_queue_depth', 'queueDepth'],
      ['acme_http2_requests_total', 'http2RequestsTotal'],
      ['acme_last_run_timestamp_seconds', 'lastRunTimestampSeconds'],
    ]);
  });

  it('resolves labels: exposed name, values with the overflow last', () => {
    expect(catalog.labels.map((l) => ({ id: l.id, name: l.name, values: l.values, overflow: l.overflow }))).toEqual([
      { id: 'region', name: 'region', values: ['eu', 'us', 'elsewhere'], overflow: 'elsewhere' },
      { id: 'kind', name: 'type', values: ['a', 'b', 'c'], overflow: undefined },
    ]);
    const items = catalog.metrics.find((m) => m.key === 'items_total');
    expect(items?.labels.map((l) => l.name)).toEqual(['region', 'type']);
  });

  it('keeps type, help, unit, buckets, role and series of each metric', () => {
    const job = catalog.metrics.find((m) => m.key === 'job_duration_seconds');
    expect(job).toMatchObject({ type: 'histogram', help: 'Job duration.', unit: 'seconds', buckets: [1, 5, 10], series: 3 * (3 + 3) });
    expect(catalog.metrics.find((m) => m.key === 'items_total')).toMatchObject({ buckets: [], series: 3 * 3 });
    expect(catalog.metrics.find((m) => m.key === 'export_duration_seconds')).toMatchObject({ role: 'scrape_duration', series: 2 + 3 });
    expect(catalog.metrics.find((m) => m.key === 'queue_depth')?.series).toBe(1);
  });

  it('records where each metric is declared', () => {
    const items = catalog.metrics.find((m) => m.key === 'items_total');
    expect(items?.source).toEqual(positionOf(TEXT, { line: '  items_total:', col: 'items_total' }));
  });

  it('adds <namespace>_metrics_dropped_total, labelled by metric and reason', () => {
    const drop = catalog.metrics.find((m) => m.name === 'acme_metrics_dropped_total');
    expect(drop).toMatchObject({ type: 'counter', group: 'gamma', role: 'dropped_records' });
    expect(drop?.labels.map((l) => l.name)).toEqual(['metric', 'reason']);
    expect(drop?.labels.every((l) => l.builtin)).toBe(true);
    // One value per declared metric, in model order; the counter does not count itself.
    expect(drop?.labels[0]?.values).toEqual([
      'acme_job_duration_seconds',
      'acme_items_total',
      'acme_export_duration_seconds',
      'acme_queue_depth',
      'acme_http2_requests_total',
      'acme_last_run_timestamp_seconds',
    ]);
    const reasons = drop?.labels[1]?.values ?? [];
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) expect(reason).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    expect(drop?.series).toBe(6 * reasons.length);
  });

  it('places the drop counter in the last group when no metric has the scrape_duration role', () => {
    const other = compiled(TEXT.replace('    role: scrape_duration\n', ''));
    expect(other.groups.at(-1)?.id).toBe('omega');
    expect(other.groups.at(-1)?.metrics.map((m) => m.key)).toEqual(['last_run_timestamp_seconds', 'metrics_dropped_total']);
  });

  it('sums every metric into totalSeries', () => {
    const reasons = catalog.metrics.find((m) => m.role === 'dropped_records')?.labels[1]?.values.length ?? 0;
    // job 18, items 9, export 5, queue 1, http2 1, last_run 1, drop 6 × reasons.
    expect(catalog.totalSeries).toBe(18 + 9 + 5 + 1 + 1 + 1 + 6 * reasons);
  });

  it('resolves events: method, fields and label bindings', () => {
    expect(catalog.events).toHaveLength(1);
    const event = catalog.events[0];
    expect(event).toMatchObject({ id: 'job_done', description: 'A job finished.', method: 'recordJobDone' });
    expect(event?.fields.map((f) => (f.kind === 'label' ? [f.id, 'label', f.label.id] : [f.id, 'number', f.optional]))).toEqual([
      ['region', 'label', 'region'],
      ['flavour', 'label', 'kind'],
      ['seconds', 'number', false],
      ['items', 'number', true],
    ]);
    expect(
      event?.records.map((r) => ({ operation: r.operation, metric: r.metric.key, value: r.valueField, labels: r.labels })),
    ).toEqual([
      // region comes from the field of the same name
      { operation: 'observe', metric: 'job_duration_seconds', value: 'seconds', labels: [{ kind: 'field', field: 'region' }] },
      // kind from the field named in { field: flavour }
      {
        operation: 'inc',
        metric: 'items_total',
        value: 'items',
        labels: [
          { kind: 'field', field: 'region' },
          { kind: 'field', field: 'flavour' },
        ],
      },
      // region fixed to eu
      {
        operation: 'inc',
        metric: 'items_total',
        value: undefined,
        labels: [
          { kind: 'fixed', value: 'eu' },
          { kind: 'field', field: 'flavour' },
        ],
      },
      { operation: 'set', metric: 'queue_depth', value: 'seconds', labels: [] },
    ]);
    // The record's metric is the model's own object, not a copy.
    expect(event?.records[0]?.metric).toBe(catalog.metrics.find((m) => m.key === 'job_duration_seconds'));
  });

  it('names the source file by its basename', () => {
    expect(compileCatalog(TEXT, '/some/where/metrics.yaml').catalog?.sourceFile).toBe('metrics.yaml');
    expect(catalog.namespace).toBe('acme');
  });

  it('is the same for the same text', () => {
    expect(compiled(TEXT)).toEqual(catalog);
  });
});

describe('matchers on several values and negated ones', () => {
  const text = `
namespace: m
labels:
  queue: { description: Queue., values: [a, b, c] }
  kind: { description: Kind., values: [x, y], overflow: other }
groups:
  main: { title: Main }
metrics:
  jobs_total:
    type: counter
    group: main
    help: Jobs.
    unit: count
    labels: [queue, kind]
    ratios:
      - { name: listed, match: { queue: [a, c] } }
      - { name: negated, match: { queue: { not: b }, kind: { not: [x, other] } } }
`;
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
  const metric = catalog?.metrics.find((m) => m.key === 'jobs_total');

  it('resolve to a label, its values and the negation', () => {
    expect(diagnostics).toEqual([]);
    const [listed, negated] = metric?.ratios ?? [];
    expect(listed?.match.map((m) => [m.label.id, m.values, m.negated])).toEqual([['queue', ['a', 'c'], false]]);
    expect(negated?.match.map((m) => [m.label.id, m.values, m.negated])).toEqual([
      ['queue', ['b'], true],
      ['kind', ['x', 'other'], true],
    ]);
  });

  it('select the runtime series the PromQL selects (queue-major: a/x a/y a/other b/x ...)', () => {
    const [listed, negated] = metric?.ratios ?? [];
    // queue a -> 0..2, b -> 3..5, c -> 6..8; kind x, y, other at offsets 0, 1, 2
    expect(seriesMatching(metric!, listed!.match)).toEqual([0, 1, 2, 6, 7, 8]);
    expect(seriesMatching(metric!, negated!.match)).toEqual([1, 7]);
  });
});
