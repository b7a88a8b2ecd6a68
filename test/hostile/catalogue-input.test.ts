/**
 * Issue 10's input limits: a catalogue that is not a regular file (a device that never ends, a FIFO
 * that never gets a writer, a directory) or is over the size limit is refused from its stat, before
 * a byte is read, with exit 1 and a positioned line. Run in a child process with a timeout, so that
 * a reader that blocks on the FIFO or reads /dev/zero forever fails the test instead of hanging it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CATALOG_BYTES } from '../../generator/catalog/load.js';
import { makeTempDir } from '../helpers/catalogue.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('a catalogue that must not be read', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  const fifo = join(temp.path, 'fifo.yaml');
  const directory = join(temp.path, 'dir.yaml');
  // Sparse: no disk used. Larger than a string can hold, so a reader that reads it whole first fails differently.
  const huge = join(temp.path, 'huge.yaml');
  const overByOne = join(temp.path, 'over.yaml');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  mkdirSync(directory);
  writeFileSync(huge, '');
  truncateSync(huge, 600 * 1024 * 1024);
  writeFileSync(overByOne, '');
  truncateSync(overByOne, MAX_CATALOG_BYTES + 1);

  const cases: readonly [string, string, RegExp][] = [
    ['/dev/zero', '/dev/zero', /^\/dev\/zero:1:1: error: cannot read the catalogue: it is a device, not a regular file \[catalog-unreadable\]$/],
    ['a FIFO', fifo, /:1:1: error: cannot read the catalogue: it is a FIFO, not a regular file \[catalog-unreadable\]$/],
    ['a directory', directory, /:1:1: error: cannot read the catalogue: it is a directory, not a regular file \[catalog-unreadable\]$/],
    ['a 600 MiB file', huge, new RegExp(`:1:1: error: catalogue is ${600 * 1024 * 1024} bytes, over the limit of ${MAX_CATALOG_BYTES} \\[yaml-too-large\\]$`)],
    ['a file one byte over the limit', overByOne, new RegExp(`:1:1: error: catalogue is ${MAX_CATALOG_BYTES + 1} bytes, over the limit of ${MAX_CATALOG_BYTES} \\[yaml-too-large\\]$`)],
  ];

  it('is refused with exit 1 and one positioned line, for generate and check', () => {
    // One process for every case: it prints each run's exit code and error lines as JSON.
    const script = `
      import { main } from ${JSON.stringify(join(root, 'generator/cli.ts'))};
      const results = [];
      for (const [command, catalog] of ${JSON.stringify(cases.flatMap(([, path]) => [['generate', path], ['check', path]]))}) {
        const err = [];
        const code = await main([command, '--catalog', catalog, '--out', ${JSON.stringify(join(temp.path, 'out'))}, ...(command === 'check' ? ['--against', 'none'] : [])], { out: () => {}, err: (l) => err.push(l) });
        results.push({ code, err });
      }
      process.stdout.write(JSON.stringify(results));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000, maxBuffer: 1024 * 1024 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const results = JSON.parse(child.stdout) as { code: number; err: string[] }[];
    cases.forEach(([name, path, message], i) => {
      for (const result of [results[2 * i]!, results[2 * i + 1]!]) {
        expect(result.code, name).toBe(1);
        expect(result.err, name).toHaveLength(1);
        expect(result.err[0]!.startsWith(`${path}:1:1: `), name).toBe(true);
        expect(result.err[0], name).toMatch(message);
      }
    });
  }, 180_000);
});
