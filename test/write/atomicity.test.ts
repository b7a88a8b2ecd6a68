/**
 * SIGKILL the generator at random points while it writes. Afterwards the output folders hold the
 * complete old set, the complete new set, or a committed journal that any next run of the tool rolls
 * forward to the complete new set (and `--check` reports meanwhile): never an unflagged mix.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { largeCatalogYaml } from '../../bench/large-catalog.js';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { OUTPUT_ROOTS, STAGING_DIR, recoverInterruptedWrite, writeOutputs } from '../../generator/write.js';
import { makeTempDir } from '../helpers/catalogue.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const KILLS = 15;
const USER_FILE = 'generated/NOTES.md';

function outputsOf(text: string): Map<string, string> {
  const { catalog } = compileCatalog(text, 'metrics.yaml');
  if (!catalog) throw new Error('test catalogue invalid');
  return new Map(emitAll(catalog));
}

/** Every file under the output folders, as relative path → content. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const top of OUTPUT_ROOTS) {
    const base = join(dir, top);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  }
  return files;
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([path, content]) => b.get(path) === content);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an interrupted generate', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  // Old and new differ in every file, and the new set drops some files and adds others.
  const oldText = largeCatalogYaml(400);
  const newText = largeCatalogYaml(460).replace(/help: Requests handled/g, 'help: Calls handled');
  const oldSet = new Map([...outputsOf(oldText), [USER_FILE, 'kept across runs\n']]);
  const newSet = new Map([...outputsOf(newText), [USER_FILE, 'kept across runs\n']]);
  // Named like the real one: the generated headers name the catalogue file.
  mkdirSync(join(temp.path, 'next'));
  writeFileSync(join(temp.path, 'next', 'metrics.yaml'), newText);

  function resetToOld(): void {
    for (const top of [...OUTPUT_ROOTS, STAGING_DIR]) rmSync(join(temp.path, top), { recursive: true, force: true });
    writeOutputs(temp.path, outputsOf(oldText));
    writeFileSync(join(temp.path, USER_FILE), 'kept across runs\n');
  }

  it(`leaves the old set, the new set, or a journal that completes the new set (${KILLS} kills)`, async () => {
    expect(same(oldSet, newSet)).toBe(false);
    const seen = { old: 0, new: 0, rolledForward: 0 };
    for (let kill = 0; kill < KILLS; kill++) {
      resetToOld();
      expect(same(snapshot(temp.path), oldSet)).toBe(true);
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'generator/cli.ts'), 'generate', '--catalog', join(temp.path, 'next', 'metrics.yaml'), '--out', temp.path], {
        cwd: root,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        // Three aims, in turn: somewhere in the ~30 ms after writing starts (the staging folder
        // appears), the moment it starts, and the moment the journal is committed (the swap).
        const deadline = Date.now() + 20_000;
        const waitFor = async (path: string) => {
          while (!existsSync(path) && Date.now() < deadline && child.exitCode === null) await sleep(0.1);
        };
        if (kill % 3 === 2) await waitFor(join(temp.path, STAGING_DIR, 'journal.json'));
        else await waitFor(join(temp.path, STAGING_DIR));
        if (kill % 3 === 0) await sleep(Math.floor(Math.random() * 30));
        child.kill('SIGKILL');
        await exited;
      } finally {
        child.kill('SIGKILL');
      }

      const after = snapshot(temp.path);
      if (same(after, oldSet)) seen.old++;
      else if (same(after, newSet)) seen.new++;
      else {
        // A mix is only allowed behind a committed journal, and the next run finishes the swap.
        expect(existsSync(join(temp.path, STAGING_DIR, 'journal.json')), `kill ${kill}: a mix without a journal`).toBe(true);
        recoverInterruptedWrite(temp.path);
        expect(same(snapshot(temp.path), newSet), `kill ${kill}: roll-forward did not give the new set`).toBe(true);
        seen.rolledForward++;
      }
      // Whatever state it was left in, the next run of the tool ends with the complete new set.
      recoverInterruptedWrite(temp.path);
      writeOutputs(temp.path, outputsOf(newText));
      expect(same(snapshot(temp.path), newSet)).toBe(true);
      expect(existsSync(join(temp.path, STAGING_DIR))).toBe(false);
    }
    console.log(`kills: ${JSON.stringify(seen)}`);
    expect(seen.old + seen.new + seen.rolledForward).toBe(KILLS);
  }, 120_000);
});

