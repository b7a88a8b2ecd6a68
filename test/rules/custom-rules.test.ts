/**
 * Custom rules (`rules:`) against the real promtool: the rule file the http-service test catalogue
 * generates passes `check rules`, and hand-written unit tests of its custom record and alerts pass;
 * the same tests fail on rules whose threshold was moved (a control).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUE = join(root, 'test/catalogues/http-service/metrics.yaml');
const UNIT_TESTS = fileURLToPath(new URL('./custom/checkout.promtool.yaml', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lb-custom-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The catalogue's rule file (optionally from edited catalogue text) and the unit tests beside it. */
function writeRules(name: string, edit: (text: string) => string = (t) => t): string {
  const text = edit(readFileSync(CATALOGUE, 'utf8'));
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
  if (!catalog) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const rules = emitAll(catalog).get(catalog.files.rules);
  if (rules === undefined) throw new Error('no rule file emitted');
  writeFileSync(join(scratch, `${name}.rules.yaml`), rules);
  const tests = parse(readFileSync(UNIT_TESTS, 'utf8')) as Record<string, unknown>;
  writeFileSync(join(scratch, `${name}.test.yaml`), stringify({ rule_files: [`${name}.rules.yaml`], ...tests }));
  return name;
}

describe('custom rules of the http-service catalogue', () => {
  const name = writeRules('checkout');

  it('pass promtool check rules with no warning, custom groups included', () => {
    const rules = readFileSync(join(scratch, `${name}.rules.yaml`), 'utf8');
    expect(rules).toContain('- name: checkout-red-custom');
    const { status, output } = promtool(['check', 'rules', `${name}.rules.yaml`]);
    expect(output).toContain('SUCCESS');
    expect(output).not.toMatch(/warn|FAILED/i);
    expect(status).toBe(0);
  });

  it('pass their promtool unit tests (the record, an alert over it, an alert over two metrics)', () => {
    const { status, output } = promtool(['test', 'rules', `${name}.test.yaml`]);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  }, 180_000);

  it('fail those unit tests when the alert threshold is moved (a control)', () => {
    const wrong = writeRules('wrong', (text) => text.replace('{http_route=~"/checkout|/cart"} > 1', '{http_route=~"/checkout|/cart"} > 3'));
    const { status, output } = promtool(['test', 'rules', `${wrong}.test.yaml`]);
    expect(status, output).not.toBe(0);
    expect(output).toContain('CheckoutServerErrorsFast');
    expect(output).not.toContain('CheckoutPaymentsMissing');
  }, 180_000);
});
