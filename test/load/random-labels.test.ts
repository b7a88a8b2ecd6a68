/**
 * A million recording calls from JavaScript with random label values and random numbers: the
 * exporter never throws and never exposes a series the catalogue does not allow.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_SPECS, createMetrics } from '../../generated/metrics.js';
import type { MetricSpec } from '../../runtime/index.js';
import { parseExposition } from '../runtime/helpers/parse.js';
import { mulberry32 } from '../../generator/simulate/random.js';

const CALLS = 1_000_000;

/** A small deterministic generator, so a failure replays. */
const random = mulberry32;

function allowedSamples(spec: MetricSpec): number {
  const series = spec.labels.reduce((product, label) => product * label.values.length, 1);
  // OpenMetrics 1.0: a histogram with a negative bucket threshold has no _sum, and so no _count.
  const sumAndCount = (spec.buckets ?? []).some((bound) => bound < 0) ? 0 : 2;
  return spec.type === 'histogram' ? series * ((spec.buckets?.length ?? 0) + 1 + sumAndCount) : series;
}

describe('a million random label values', () => {
  it('keeps the series count at the catalogue’s', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const next = random(20261127);
    const junk: unknown[] = ['', 'other', 'CLAUDE', 'claude ', 'a"b', 'line\nbreak', '__proto__', 'constructor', 7, null, undefined, {}, [], Symbol('s'), 10n, NaN];
    const label = (spec: MetricSpec, k: number): unknown => {
      const values = spec.labels[k]!.values;
      const r = next();
      if (r < 0.3) return values[Math.floor(next() * values.length)];
      if (r < 0.6) return junk[Math.floor(next() * junk.length)];
      return Math.floor(next() * 1e9).toString(36);
    };
    const number = (): unknown => {
      const r = next();
      return r < 0.7 ? next() * 100 : [-1, NaN, Infinity, -Infinity, '5', null, undefined, 1e308][Math.floor(next() * 8)];
    };
    const api = metrics as unknown as Record<string, Record<string, (...args: unknown[]) => void>>;
    const property = (spec: MetricSpec) => spec.name.replace(/^lazybird_/, '').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

    for (let i = 0; i < CALLS; i++) {
      const spec = METRIC_SPECS[Math.floor(next() * METRIC_SPECS.length)]!;
      const face = api[property(spec)]!;
      const labels = spec.labels.length === 0 ? [] : [Object.fromEntries(spec.labels.map((l, k) => [l.name, label(spec, k)]))];
      if (spec.type === 'counter') face['inc']!(...labels, number());
      else if (spec.type === 'gauge') face[next() < 0.5 ? 'set' : 'dec']!(...labels, number());
      else face['observe']!(...labels, number());
    }

    const parsed = parseExposition(await metrics.runtime.expose('text'), 'text');
    const ours = parsed.samples.filter((s) => s.name.startsWith('lazybird_'));
    const expected = METRIC_SPECS.reduce((sum, spec) => sum + allowedSamples(spec), 0) + METRIC_SPECS.length * 8; // 8 drop reasons
    expect(ours).toHaveLength(expected);
    // Every label value exposed is one the catalogue allows.
    for (const spec of METRIC_SPECS) {
      for (const sample of ours.filter((s) => s.name === spec.name || s.name.startsWith(`${spec.name}_`))) {
        for (const label of spec.labels) expect(label.values).toContain(sample.labels[label.name]);
      }
    }
    // And the drops were counted.
    const drops = parsed.samples.filter((s) => s.name === 'lazybird_metrics_dropped_total').reduce((sum, s) => sum + s.value, 0);
    expect(drops).toBeGreaterThan(CALLS / 10);
  }, 180_000);
});
