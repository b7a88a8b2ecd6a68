/**
 * Issue 10's "done when": 8 `generate` runs on one --out at once, 20 times, half of them from one
 * catalogue and half from another. Every outcome is the whole set of one of them, and every run
 * exits 0 or 1 with a message, never 3. Eight real processes (the lock is between processes),
 * started once and driven over IPC, so a round's runs start together without paying start-up.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/catalogue.js';
import { CATALOGUE_A, CATALOGUE_B, outputsOf, sameFiles, snapshot } from './helpers/sets.js';

const WORKERS = 8;
const ROUNDS = 20;
const USER_FILE = 'generated/NOTES.md';
const worker = fileURLToPath(new URL('./helpers/generate-worker.ts', import.meta.url));

interface Reply {
  readonly code: number;
  readonly err: readonly string[];
}

describe('concurrent generate runs on one --out', () => {
  const temp = makeTempDir();
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    for (let i = 0; i < WORKERS; i++) {
      const child = fork(worker, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
    }
    await Promise.all(children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))));
  }, 120_000);
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    temp.cleanup();
  });

  it(`leave the whole old or the whole new set (${ROUNDS} rounds of ${WORKERS})`, async () => {
    const out = join(temp.path, 'out');
    const catalogs = [CATALOGUE_A, CATALOGUE_B].map((text, i) => {
      mkdirSync(join(temp.path, `c${i}`));
      writeFileSync(join(temp.path, `c${i}`, 'metrics.yaml'), text);
      return join(temp.path, `c${i}`, 'metrics.yaml');
    });
    const sets = [CATALOGUE_A, CATALOGUE_B].map((text) => new Map([...outputsOf(text), [USER_FILE, 'mine\n']]));
    expect(sameFiles(sets[0]!, sets[1]!)).toBe(false);
    mkdirSync(join(out, 'generated'), { recursive: true });
    writeFileSync(join(out, USER_FILE), 'mine\n');

    const outcomes = [0, 0];
    const codes = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const replies = await Promise.all(
        children.map(
          (child, i) =>
            new Promise<Reply>((resolve, reject) => {
              child.once('message', (reply: Reply) => resolve(reply));
              child.once('exit', (code) => reject(new Error(`worker ${i} exited (${code})`)));
              child.send({ argv: ['generate', '--catalog', catalogs[(round + i) % 2]!, '--out', out] });
            }),
        ),
      );
      for (const child of children) child.removeAllListeners('exit');
      for (const reply of replies) {
        codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
        expect([0, 1], reply.err.join('\n')).toContain(reply.code);
        if (reply.code === 1) expect(reply.err.some((line) => line.startsWith('error: ')), reply.err.join('\n')).toBe(true);
      }
      const after = snapshot(out);
      const which = sets.findIndex((set) => sameFiles(after, set));
      expect(which, `round ${round}: a mixed set:\n${[...after.keys()].join('\n')}`).toBeGreaterThanOrEqual(0);
      outcomes[which]!++;
      expect(existsSync(join(out, '.lazybird-generate'))).toBe(false);
    }
    console.log(`outcomes (A, B): ${outcomes.join(', ')}; exit codes: ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 120_000);
});
