/**
 * Series of a metric = product of its labels' value counts (overflow value included) × (buckets + 3)
 * for a histogram. Every expected count below is worked out by hand from the catalogue text.
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/index.js';
import { positionOf } from '../helpers/catalogue.js';

const FILE = 'metrics.yaml';

function catalogueText(options: { budget?: string; latencyLimit?: string } = {}): string {
  return `namespace: shop
${options.budget ?? ''}labels:
  region:
    description: Region of the shop.
    values: [eu, us, ap]
    overflow: other
  method:
    description: Payment method.
    values: [card, cash]
  tier:
    description: Customer tier.
    values: [free, pro, team, enterprise, partner]
groups:
  main:
    title: Main
metrics:
  orders_total:
    type: counter
    group: main
    help: Orders placed.
    unit: count
    labels: [region, method]
  checkout_duration_seconds:
    type: histogram
    group: main
    help: Time to check out.
    unit: seconds
    labels: [region, tier]
    buckets: [0.1, 0.5, 1, 5]
${options.latencyLimit ?? ''}  queue_depth:
    type: gauge
    group: main
    help: Orders waiting.
    unit: count
  payment_seconds:
    type: histogram
    group: main
    help: Time to take a payment.
    unit: seconds
    buckets: [1]
`;
}

// By hand: region 3 + overflow = 4, method 2, tier 5.
const EXPECTED = {
  shop_orders_total: 4 * 2, // 8
  shop_checkout_duration_seconds: 4 * 5 * (4 + 3), // 140
  shop_queue_depth: 1,
  shop_payment_seconds: 1 + 3, // 4
} as const;
const DECLARED_SUM = 8 + 140 + 1 + 4; // 153
/** The exporter's drop counter: one series per declared metric (4) and drop reason (8). */
const DROP_SERIES = 4 * 8;

function compiled(text: string): Catalog {
  const result = compileCatalog(text, FILE);
  expect(result.diagnostics).toEqual([]);
  if (!result.catalog) throw new Error('no model');
  return result.catalog;
}

describe('series of a metric', () => {
  it('is the product of label value counts, overflow included, times buckets + 3 for histograms', () => {
    const catalog = compiled(catalogueText());
    const series = Object.fromEntries(catalog.metrics.filter((m) => m.role !== 'dropped_records').map((m) => [m.name, m.series]));
    expect(series).toEqual(EXPECTED);
  });

  it('gives each metric the default limit of 500 unless the budget or the metric says otherwise', () => {
    expect(compiled(catalogueText()).metrics.find((m) => m.name === 'shop_orders_total')?.seriesLimit).toBe(500);
    const budgeted = compiled(catalogueText({ budget: 'budget: { series_per_metric: 200 }\n', latencyLimit: '    series_limit: 150\n' }));
    expect(budgeted.metrics.find((m) => m.name === 'shop_orders_total')?.seriesLimit).toBe(200);
    expect(budgeted.metrics.find((m) => m.name === 'shop_checkout_duration_seconds')?.seriesLimit).toBe(150);
  });

  it('counts the whole catalogue, built-in drop counter included, in totalSeries', () => {
    const catalog = compiled(catalogueText());
    const drop = catalog.metrics.find((m) => m.role === 'dropped_records');
    expect(drop).toBeDefined();
    // The drop counter: one value of `metric` per declared metric × its reasons.
    const reasons = drop?.labels.find((l) => l.name === 'reason')?.values.length ?? 0;
    expect(drop?.series).toBe(4 * reasons);
    expect(catalog.totalSeries).toBe(DECLARED_SUM + 4 * reasons);
  });
});

describe('series-limit', () => {
  const text = catalogueText({ budget: 'budget: { series_per_metric: 100 }\n' });

  it('names the metric, its count, its limit and the labels that drive it, at the metric key', () => {
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    const at = positionOf(text, { line: '  checkout_duration_seconds:', col: 'checkout_duration_seconds' });
    expect(d).toMatchObject({ rule: 'series-limit', severity: 'error', line: at.line, col: at.col });
    expect(d?.message).toContain('shop_checkout_duration_seconds');
    expect(d?.message).toContain('140');
    expect(d?.message).toContain('100');
    expect(d?.message).toMatch(/region \(4\)/);
    expect(d?.message).toMatch(/tier \(5\)/);
    expect(d?.message).toMatch(/4 buckets/);
  });

  it('is lifted by the metric’s own series_limit', () => {
    const catalog = compiled(catalogueText({ budget: 'budget: { series_per_metric: 100 }\n', latencyLimit: '    series_limit: 140\n' }));
    expect(catalog.metrics.find((m) => m.name === 'shop_checkout_duration_seconds')).toMatchObject({ series: 140, seriesLimit: 140 });
  });

  it('applies a metric’s series_limit below the budget too', () => {
    const text = catalogueText({ latencyLimit: '    series_limit: 139\n' });
    const { diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics.map((d) => d.rule)).toEqual(['series-limit']);
    expect(diagnostics[0]?.message).toContain('139');
  });

  it('is not reported at exactly the limit', () => {
    expect(compileCatalog(catalogueText({ budget: 'budget: { series_per_metric: 140 }\n' }), FILE).diagnostics).toEqual([]);
  });
});

describe('series-budget', () => {
  it('reports the catalogue over its total, at total_series, with the largest metrics', () => {
    const text = catalogueText({ budget: 'budget:\n  total_series: 150\n' });
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const at = positionOf(text, { line: 'total_series: 150', col: '150' });
    expect(diagnostics[0]).toMatchObject({ rule: 'series-budget', severity: 'error', line: at.line, col: at.col });
    expect(diagnostics[0]?.message).toContain(String(DECLARED_SUM + DROP_SERIES));
    expect(diagnostics[0]?.message).toContain(`${DROP_SERIES} series of the drop counter`);
    expect(diagnostics[0]?.message).toContain('150');
    // Largest first.
    const message = diagnostics[0]?.message ?? '';
    expect(message.indexOf('shop_checkout_duration_seconds')).toBeGreaterThan(-1);
    expect(message.indexOf('shop_checkout_duration_seconds')).toBeLessThan(message.indexOf('shop_orders_total'));
  });

  it('a catalogue that compiles fits its budget, built-in series included', () => {
    // The declared metrics fit exactly; the model's total (what `check` prints against the budget) must too.
    const result = compileCatalog(catalogueText({ budget: `budget: { total_series: ${DECLARED_SUM} }\n` }), FILE);
    if (result.catalog) expect(result.catalog.totalSeries).toBeLessThanOrEqual(result.catalog.budget.totalSeries);
    else expect(result.diagnostics.map((d) => d.rule)).toContain('series-budget');
  });
});

describe('series of a native histogram', () => {
  // checkout_duration_seconds keeps region (4) × tier (5) = 20 label sets.
  const withShape = (shape: string): string =>
    catalogueText().replace('    buckets: [0.1, 0.5, 1, 5]\n', shape);

  it('is one per label set for a native-only histogram, whatever its resolution or bucket limit', () => {
    const catalog = compiled(withShape('    native: { schema: 8, max_buckets: 1000 }\n'));
    expect(catalog.metrics.find((m) => m.name === 'shop_checkout_duration_seconds')?.series).toBe(20);
  });

  it('is the classic buckets + 3 and one native series per label set when it has both', () => {
    const catalog = compiled(withShape('    buckets: [0.1, 0.5, 1, 5]\n    native: {}\n'));
    expect(catalog.metrics.find((m) => m.name === 'shop_checkout_duration_seconds')?.series).toBe(20 * (4 + 3 + 1));
  });

  it('counts the native-only histogram at its cost in the catalogue total', () => {
    const catalog = compiled(withShape('    native: {}\n'));
    expect(catalog.totalSeries).toBe(DECLARED_SUM - 140 + 20 + DROP_SERIES);
  });
});

describe('native settings in the model', () => {
  const histogram = (native: string) =>
    compiled(catalogueText().replace('    buckets: [0.1, 0.5, 1, 5]\n', `    native: ${native}\n`)).metrics.find((m) => m.name === 'shop_checkout_duration_seconds');

  it('applies client_golang’s defaults: schema 3, 160 buckets, a zero threshold of 2^-128', () => {
    const metric = histogram('{}');
    expect(metric?.native).toEqual({ schema: 3, maxBuckets: 160, zeroThreshold: 2.938735877055719e-39 });
    expect(metric?.buckets).toEqual([]);
  });

  it('maps a bucket factor to the coarsest schema whose buckets are no wider (client_golang’s pickSchema)', () => {
    // Schema s has a bucket factor of 2^(2^-s): 1.0905 for 3, 1.0443 for 4, 2 for 0, 4 for -1.
    expect(histogram('{ bucket_factor: 1.1 }')?.native?.schema).toBe(3);
    expect(histogram('{ bucket_factor: 1.09 }')?.native?.schema).toBe(4);
    expect(histogram('{ bucket_factor: 2 }')?.native?.schema).toBe(0);
    expect(Object.is(histogram('{ bucket_factor: 2 }')?.native?.schema, -0)).toBe(false);
    expect(histogram('{ bucket_factor: 4 }')?.native?.schema).toBe(-1);
    expect(histogram('{ bucket_factor: 1.0001 }')?.native?.schema).toBe(8);
    expect(histogram('{ bucket_factor: 1000000 }')?.native?.schema).toBe(-4);
  });

  it('keeps what the catalogue says', () => {
    expect(histogram('{ schema: -2, max_buckets: 40, zero_threshold: 0.001 }')?.native).toEqual({ schema: -2, maxBuckets: 40, zeroThreshold: 0.001 });
  });
});

/**
 * A histogram with a negative bucket bound exposes no `_sum` and `_count` in the text formats (so a
 * Prometheus scraping those stores buckets + 1), but a Prometheus that scrapes protobuf stores both
 * for every classic histogram, and the runtime writes them there: the budget counts that most.
 */
describe('series of a histogram with a negative bucket bound', () => {
  // checkout_duration_seconds keeps region (4) × tier (5) = 20 label sets and 4 buckets.
  const withBuckets = (shape: string): string => catalogueText().replace('    buckets: [0.1, 0.5, 1, 5]\n', shape);
  const checkout = (catalog: Catalog) => catalog.metrics.find((m) => m.name === 'shop_checkout_duration_seconds');

  it('is buckets + 3 per label set, as without one, although the text formats leave out _sum and _count', () => {
    const catalog = compiled(withBuckets('    buckets: [-1, 0, 1, 5]\n'));
    expect(checkout(catalog)?.sumExposed).toBe(false);
    expect(checkout(catalog)?.samples).toEqual(['shop_checkout_duration_seconds_bucket']);
    expect(checkout(catalog)?.series).toBe(20 * (4 + 3)); // 140, as with [0.1, 0.5, 1, 5]
    expect(catalog.totalSeries).toBe(DECLARED_SUM + DROP_SERIES);
  });

  it('is the classic buckets + 3 and one native series per label set when it has both shapes', () => {
    const catalog = compiled(withBuckets('    buckets: [-1, 0, 1, 5]\n    native: {}\n'));
    expect(checkout(catalog)?.sumExposed).toBe(false);
    expect(checkout(catalog)?.series).toBe(20 * (4 + 3 + 1)); // 160
  });

  it('counts against series_limit at that figure, with the same drivers', () => {
    const { catalog, diagnostics } = compileCatalog(
      catalogueText({ latencyLimit: '    series_limit: 139\n' }).replace('    buckets: [0.1, 0.5, 1, 5]\n', '    buckets: [-5, -1, 0, 1]\n'),
      FILE,
    );
    expect(catalog).toBeUndefined();
    expect(diagnostics.map((d) => [d.rule, d.message])).toEqual([
      ['series-limit', 'shop_checkout_duration_seconds may create 140 series, over its limit of 139: region (4) × tier (5) × 4 buckets + 3'],
    ]);
  });
});
