/** The simulate command's arguments and the exits it takes before serving anything. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { parseSimulateArgs } from '../../generator/simulate/command.js';

const scratch = mkdtempSync(join(tmpdir(), 'lazybird-simulate-cmd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function simulate(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['simulate', ...argv], { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

describe('simulate command', () => {
  it('defaults to metrics.yaml on 127.0.0.1:9464 and takes the demo-like flags', () => {
    expect(parseSimulateArgs([], 77)).toMatchObject({ catalog: 'metrics.yaml', host: '127.0.0.1', port: 9464, seed: 77, seedGiven: false, faults: [], exemplars: true, withPrometheus: false });
    expect(parseSimulateArgs(['--no-exemplars'])).toMatchObject({ exemplars: false });
    expect(parseSimulateArgs(['--catalog', 'x.yaml', '--port', '0', '--seed', '5', '--fault', 'errors', '--fault', 'errors', '--with-prometheus', '--fast-alerts'])).toMatchObject({
      catalog: 'x.yaml',
      port: 0,
      seed: 5,
      faults: ['errors'],
      fastAlerts: true,
    });
  });

  it('exits 2 with the usage on a bad flag or value', async () => {
    for (const argv of [['--bogus'], ['--port', '70000'], ['--fault', 'meteor'], ['--fast-alerts'], ['--host', ''], ['--seed', '-1'], ['--with-prometheus', '--scrape-interval', 'soon']]) {
      const result = await simulate(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err).toContain('usage: simulate');
    }
  });

  it('exits 1 with a located message on a missing or invalid catalogue, without a stack trace', async () => {
    const missing = await simulate(['--catalog', join(scratch, 'none.yaml'), '--port', '0']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/none\.yaml:1:1: error: cannot read the catalogue: no such file/);
    const invalid = join(scratch, 'bad.yaml');
    writeFileSync(invalid, 'namespace: shop\nlabels: {}\ngroups: {}\nmetrics:\n  x_total: { type: gauge }\n');
    const bad = await simulate(['--catalog', invalid, '--port', '0']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.yaml:\d+:\d+: error: /);
    expect(bad.err).not.toMatch(/\n\s+at /);
  });
});
