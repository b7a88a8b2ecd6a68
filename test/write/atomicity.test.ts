/**
 * SIGKILL the generator at each step of a write, chosen deterministically through the writer's
 * LAZYBIRD_WRITE_KILL_AT hook. Killed before the commit, the outputs are the complete old set (its
 * temporary files are hidden, and removed by the next run); killed after it, the committed journal
 * is there, `check` reports the interruption, and the next run rolls forward to the complete new
 * set. Each kill must really happen at its step: a run that finishes instead fails the test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { largeCatalogYaml } from '../../bench/large-catalog.js';
import { STAGING_DIR, findStale, recoverInterruptedWrite, writeOutputs } from '../../generator/write.js';
import { makeTempDir } from '../helpers/catalogue.js';
import { outputsOf, sameFiles, snapshot } from './helpers/sets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const USER_FILE = 'generated/NOTES.md';
const OUT = 'out';

describe('an interrupted generate', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());
  const out = join(temp.path, OUT);

  // Old and new differ in most files, and the new set drops some files and adds others.
  const oldText = largeCatalogYaml(120);
  const newText = largeCatalogYaml(40).replace(/help: Requests handled/g, 'help: Calls handled');
  const oldOutputs = outputsOf(oldText);
  const newOutputs = outputsOf(newText);
  const oldSet = new Map([...oldOutputs, [USER_FILE, 'kept across runs\n']]);
  const newSet = new Map([...newOutputs, [USER_FILE, 'kept across runs\n']]);
  const toWrite = [...newOutputs].filter(([path, content]) => oldOutputs.get(path) !== content).length;
  const toRemove = [...oldOutputs.keys()].filter((path) => !newOutputs.has(path)).length;
  mkdirSync(join(temp.path, 'next'));
  writeFileSync(join(temp.path, 'next', 'metrics.yaml'), newText);

  /** The files a user sees: the temporary ones are hidden (dot-named) and listed apart. */
  const visible = (): Map<string, string> => new Map([...snapshot(out, [STAGING_DIR])].filter(([path]) => !path.split('/').pop()!.startsWith('.')));
  const temporary = (): string[] => [...snapshot(out, [STAGING_DIR]).keys()].filter((path) => path.split('/').pop()!.startsWith('.'));

  function resetToOld(): void {
    rmSync(out, { recursive: true, force: true });
    writeOutputs(out, oldOutputs);
    writeFileSync(join(out, USER_FILE), 'kept across runs\n');
  }

  async function generateKilledAt(step: string): Promise<NodeJS.Signals | null> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'generator/cli.ts'), 'generate', '--catalog', join(temp.path, 'next', 'metrics.yaml'), '--out', out], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, LAZYBIRD_WRITE_KILL_AT: step },
    });
    try {
      return await new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('has old and new sets that differ in most files, with files dropped', () => {
    expect(toWrite).toBeGreaterThanOrEqual(4);
    expect(toRemove).toBeGreaterThan(1);
  });

  const beforeCommit = ['staged:1', `staged:${toWrite}`];
  it.each(beforeCommit)('killed at %s (before the commit): the old set, no journal; the next run writes the new set', async (step) => {
    resetToOld();
    expect(await generateKilledAt(step)).toBe('SIGKILL');
    expect(sameFiles(visible(), oldSet)).toBe(true);
    expect(temporary().length).toBeGreaterThan(0);
    expect(existsSync(join(out, STAGING_DIR, 'journal.json'))).toBe(false);
    expect(findStale(out, newOutputs).interrupted).toBe(false);
    writeOutputs(out, newOutputs);
    expect(sameFiles(snapshot(out), newSet)).toBe(true);
  }, 180_000);

  const afterCommit: readonly [string, 'old' | 'mix' | 'new'][] = [
    ['committed', 'old'],
    ['renamed:1', 'mix'],
    [`renamed:${toWrite}`, 'mix'], // every file renamed in, the dropped ones not yet removed
    [`removed:${toRemove - 1}`, 'mix'],
  ];
  it.each(afterCommit)('killed at %s (after the commit): %s set behind a journal, check reports it, recovery gives the new set', async (step, seen) => {
    resetToOld();
    expect(await generateKilledAt(step)).toBe('SIGKILL');
    const after = visible();
    const state = sameFiles(after, oldSet) ? 'old' : sameFiles(after, newSet) ? 'new' : 'mix';
    expect(state).toBe(seen);
    expect(existsSync(join(out, STAGING_DIR, 'journal.json'))).toBe(true);
    expect(findStale(out, newOutputs).interrupted).toBe(true);
    expect(recoverInterruptedWrite(out)).toEqual([]);
    expect(sameFiles(snapshot(out), newSet)).toBe(true);
    expect(existsSync(join(out, STAGING_DIR))).toBe(false);
  }, 180_000);
});
