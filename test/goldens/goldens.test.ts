/**
 * Small catalogues with the exact outputs of each emitter (TypeScript module, rules, dashboards,
 * reference) committed beside them under expected/, reviewed line by line when written. The golden
 * TypeScript is type-checked under the strict flags and the golden rules go through promtool.
 *
 * After an intended change of the outputs: `UPDATE_GOLDENS=1 npx vitest run test/goldens`, then
 * read the diff of test/goldens/ before committing it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { typeCheck } from '../hostile/helpers/outputs.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CATALOGUES = readdirSync(HERE, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const UPDATE = process.env['UPDATE_GOLDENS'] === '1';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split('\\').join('/'))
    .filter((f) => !readdirSync(dirname(join(dir, f)), { withFileTypes: true }).find((e) => e.name === f.split('/').at(-1))?.isDirectory())
    .sort();
}

function outputsOf(name: string): ReadonlyMap<string, string> {
  const { catalog, diagnostics } = compileCatalog(readFileSync(join(HERE, name, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  if (!catalog) throw new Error(`${name}: ${diagnostics.map((d) => d.message).join('; ')}`);
  return emitAll(catalog);
}

describe.each(CATALOGUES)('golden catalogue %s', (name) => {
  const expectedDir = join(HERE, name, 'expected');

  it('emits exactly the expected files, byte for byte', () => {
    const outputs = outputsOf(name);
    if (UPDATE) {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [path, content] of outputs) {
        mkdirSync(dirname(join(expectedDir, path)), { recursive: true });
        writeFileSync(join(expectedDir, path), content);
      }
    }
    expect([...outputs.keys()].sort()).toEqual(filesUnder(expectedDir));
    for (const [path, content] of outputs) expect(content, `${name}/expected/${path}`).toBe(readFileSync(join(expectedDir, path), 'utf8'));
  });

  it('its golden TypeScript compiles under the strict flags', () => {
    const check = typeCheck([readFileSync(join(expectedDir, 'generated/metrics.ts'), 'utf8')]);
    expect(check.diagnostics).toEqual([[]]);
    expect(check.other).toEqual([]);
  });
});

describe('golden rule files', () => {
  it('pass promtool check rules (one invocation for all)', () => {
    const files = CATALOGUES.flatMap((name) => filesUnder(join(HERE, name, 'expected')).filter((f) => f.startsWith('alerts/') && !f.endsWith('.test.yaml')).map((f) => join(HERE, name, 'expected', f)));
    expect(files.length).toBe(CATALOGUES.length);
    const result = spawnSync('promtool', ['check', 'rules', ...files], { encoding: 'utf8', timeout: 280_000 });
    const output = `${result.stdout}${result.stderr}`;
    expect(output, output).not.toMatch(/FAILED|warn/i);
    expect(result.status, output).toBe(0);
    expect(relative(HERE, files[0]!)).toMatch(/^[a-z]+\/expected\/alerts\//);
  }, 300_000);
});
