/** generate --watch: regenerates on each change, survives an invalid catalogue and rename-saves, stops on a signal. */
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { BASE, catalogue, makeTempDir } from '../helpers/catalogue.js';

const ROOT = join(import.meta.dirname, '../..');

/** Resolves once `condition` holds; rejects after `ms` (generous: the machine may be busy). */
async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let tmp: ReturnType<typeof makeTempDir>;
let catalogPath: string;
let outDir: string;
beforeEach(() => {
  tmp = makeTempDir();
  catalogPath = join(tmp.path, 'metrics.yaml');
  outDir = join(tmp.path, 'out');
  writeFileSync(catalogPath, catalogue());
});
afterEach(() => tmp.cleanup());

describe('generate --watch', () => {
  it('an edit that breaks the catalogue, then one that fixes it (saved by rename), in one running process', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stop = new AbortController();
    const running = main(['generate', '--watch', '--catalog', catalogPath, '--out', outDir], { out: (l) => out.push(l), err: (l) => err.push(l), signal: stop.signal });
    try {
      await until(() => out.some((l) => / written/.test(l)) && err.some((l) => l.startsWith('watching ')), 'the first generate');
      const docs = (): string => readFileSync(join(outDir, 'generated', 'METRICS.md'), 'utf8');
      expect(docs()).toContain('Requests served.');

      writeFileSync(catalogPath, catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary') }));
      await until(() => err.some((l) => l.includes('[schema-value]')), 'the diagnostic of the broken catalogue');
      await until(() => err.some((l) => /1 error in .*; nothing written/.test(l)), 'the error count');
      expect(docs()).toContain('Requests served.'); // the last good outputs stay

      // An editor's save: a new file renamed over the old one.
      const next = join(tmp.path, '.metrics.yaml.swp');
      writeFileSync(next, catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: Requests answered.') }));
      renameSync(next, catalogPath);
      await until(() => docs().includes('Requests answered.'), 'the regenerated outputs');
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  });

  it('the command stops cleanly on SIGTERM (exit 0)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'generator/cli.ts'), 'generate', '--watch', '--catalog', catalogPath, '--out', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await until(() => stderr.includes('watching '), 'the watch to start', 60_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/internal error|^\s+at /m);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 180_000);

  it('--watch goes with generate only (exit 2)', async () => {
    for (const argv of [['check', '--watch'], ['generate', '--watch', '--check']]) {
      const err: string[] = [];
      expect(await main(argv, { out: () => {}, err: (l) => err.push(l) })).toBe(2);
      expect(err[0]).toContain('--watch goes with generate');
    }
  });
});
