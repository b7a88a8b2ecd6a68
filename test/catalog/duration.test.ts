/**
 * Durations: the catalogue accepts exactly what Prometheus's ParseDuration reads (canonical order,
 * each unit once, at most 2^63-1 ns), judged by the installed promtool, in every duration slot.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { durationProblem, formatDuration, parseDuration } from '../../generator/catalog/duration.js';
import catalogSchema from '../../generator/catalog/metrics.schema.json' with { type: 'json' };
import { ALERT_DURATION_KEYS, CUSTOM_RULE_DURATION_KEYS } from '../../generator/catalog/rules/durations.js';
import { BASE, catalogue, makeTempDir } from '../helpers/catalogue.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

/** What promtool says of `duration` as an alert's for and as a range in its expression. */
function promtoolAccepts(duration: string): boolean {
  const file = join(tmp.path, 'rules.yaml');
  writeFileSync(file, `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up[${duration}]) > 0\n        for: ${duration}\n`);
  const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return result.status === 0;
}

const withFor = (duration: string): string =>
  catalogue({
    metrics: BASE.metrics.replace(
      '    labels: [method]\n',
      `    labels: [method]\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, for: ${duration}, severity: info, summary: Busy. }\n`,
    ),
  });

describe('durations as Prometheus reads them', () => {
  // Boundaries of 2^63-1 ns = 9223372036854.775807 ms: 292y171d… fits, 292y172d does not.
  const DURATIONS = ['5m', '1h30m', '1y2w3d4h5m6s7ms', '05m', '292y', '292y171d', '292y172d', '293y', '300y', '106751d', '106752d',
    '9223372036854ms', '9223372036855ms', '99999999999999999999s', '5m5m', '1s5m', '1m1h', '1ms1s', '1d1d'];

  it.each(DURATIONS)('%s: the catalogue agrees with promtool', (duration) => {
    const accepted = promtoolAccepts(duration);
    const { catalog, diagnostics } = compileCatalog(withFor(duration), 'metrics.yaml');
    expect(diagnostics.map((d) => d.rule)).toEqual(accepted ? [] : [expect.stringMatching(/^duration-(format|range)$/)]);
    expect(catalog !== undefined).toBe(accepted);
    expect(durationProblem(duration) === undefined).toBe(accepted);
  });

  it('checks every duration slot of the schema', () => {
    const slots: string[] = [];
    const walk = (node: unknown, key: string): void => {
      if (node === null || typeof node !== 'object') return;
      if ((node as { $ref?: string }).$ref === '#/$defs/duration') slots.push(key);
      for (const [k, v] of Object.entries(node)) walk(v, k);
    };
    walk(catalogSchema, '');
    expect(slots.sort()).toEqual([...ALERT_DURATION_KEYS, ...CUSTOM_RULE_DURATION_KEYS, 'scrape_interval'].sort());
  });

  it('parses and formats exactly, to the millisecond', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1s5m')).toBeNaN();
    expect(parseDuration('')).toBeNaN();
    expect(formatDuration(parseDuration('292y171d23h47m16s854ms'))).toBe('292y24w3d23h47m16s854ms') // 171d = 24w3d;
    expect(formatDuration(0.0004)).toBe('0s');
  });
});
