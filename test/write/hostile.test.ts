/**
 * The writer against what the adversarial review of issue 10 did to it: symbolic links among the
 * outputs, planted and corrupt journals, user content inside the output folders, a competing run,
 * and file systems that fail (read-only, full, not a directory, /proc). Each case is the review's
 * reproduction; the generator must stay inside its outputs and answer with exit 1 and one line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, statfsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { GENERATED_MARKER } from '../../generator/conventions.js';
import { WriteError, writeOutputs } from '../../generator/write.js';
import { makeTempDir } from '../helpers/catalogue.js';
import { CATALOGUE_A, CATALOGUE_B, outputsOf, sameFiles, snapshot } from './helpers/sets.js';

let tmp: ReturnType<typeof makeTempDir>;
let out: string;
let catalogA: string;
let catalogB: string;
beforeEach(() => {
  tmp = makeTempDir();
  // Deep enough that the review's `../../../victimdir` lands inside the temporary folder.
  out = join(tmp.path, 'x', 'y', 'o');
  mkdirSync(out, { recursive: true });
  for (const [name, text] of [['a', CATALOGUE_A], ['b', CATALOGUE_B]] as const) {
    mkdirSync(join(tmp.path, name));
    writeFileSync(join(tmp.path, name, 'metrics.yaml'), text);
  }
  catalogA = join(tmp.path, 'a', 'metrics.yaml');
  catalogB = join(tmp.path, 'b', 'metrics.yaml');
});
afterEach(() => tmp.cleanup());

interface Run {
  readonly code: number;
  readonly err: string[];
}

async function cli(...argv: string[]): Promise<Run> {
  const err: string[] = [];
  const code = await main(argv, { out: () => {}, err: (line) => err.push(line) });
  return { code, err };
}
const generate = (catalog: string, dir = out): Promise<Run> => cli('generate', '--catalog', catalog, '--out', dir);
const check = (catalog: string, dir = out): Promise<Run> => cli('check', '--catalog', catalog, '--out', dir, '--against', 'none');

/** Exit 1 with exactly one error line that names `path`, no stack trace. */
function refusedNaming(run: Run, path: string | RegExp): void {
  expect(run.code, run.err.join('\n')).toBe(1);
  const errors = run.err.filter((line) => line.startsWith('error: '));
  expect(errors, run.err.join('\n')).toHaveLength(1);
  if (typeof path === 'string') expect(errors[0]).toContain(path);
  else expect(errors[0]).toMatch(path);
  expect(run.err.join('\n')).not.toMatch(/^\s+at |internal error/m);
}

describe('symbolic links among the outputs', () => {
  it('an output file that is a link: its target outside is never written, and every run says so with exit 1', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    const victim = join(tmp.path, 'x', 'victim');
    writeFileSync(victim, 'precious\n');
    const link = join(out, 'generated', 'metrics.ts');
    renameSync(link, `${link}.moved`);
    symlinkSync('../../victim', link);
    for (const catalog of [catalogB, catalogA]) {
      refusedNaming(await generate(catalog), `${link}: is a symbolic link`);
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(readlinkSync(link)).toBe('../../victim');
    }
    // Nothing else of the set was changed: the refusal comes before any write.
    expect(readFileSync(join(out, 'generated', 'METRICS.md'), 'utf8')).toBe(outputsOf(CATALOGUE_A).get('generated/METRICS.md'));
    expect(existsSync(join(out, '.lazybird-generate'))).toBe(false);
  });

  it('a symbolic link for generated/ is refused, left as it is, and its target untouched', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    renameSync(join(out, 'generated'), join(out, 'real-generated'));
    symlinkSync('real-generated', join(out, 'generated'));
    const before = snapshot(join(out, 'real-generated'));
    refusedNaming(await generate(catalogB), `${join(out, 'generated')}: is a symbolic link`);
    refusedNaming(await check(catalogA), `${join(out, 'generated')}: is a symbolic link`);
    expect(lstatSync(join(out, 'generated')).isSymbolicLink()).toBe(true);
    expect(sameFiles(snapshot(join(out, 'real-generated')), before)).toBe(true);
  });

  it('the writer’s own folder as a link pointing outside is refused', async () => {
    const elsewhere = join(tmp.path, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, '.lazybird-generate'));
    refusedNaming(await generate(catalogA), `${join(out, '.lazybird-generate')}: is a symbolic link`);
    expect(snapshot(elsewhere).size).toBe(0);
  });
});

describe('journals', () => {
  const plant = (text: string): void => {
    mkdirSync(join(out, '.lazybird-generate'), { recursive: true });
    writeFileSync(join(out, '.lazybird-generate', 'journal.json'), text);
  };

  it('the review’s planted journal {"roots":["../../../victimdir"]} deletes and moves nothing outside', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    // Where the old writer looked for the staged and the live folder of that root.
    const victims = [join(out, '../../../victimdir'), join(out, '../victimdir')];
    for (const victim of victims) {
      mkdirSync(victim, { recursive: true });
      writeFileSync(join(victim, 'data'), `${victim}\n`);
    }
    plant(JSON.stringify({ roots: ['../../../victimdir'] }));
    const run = await generate(catalogB);
    expect(run.code, run.err.join('\n')).toBe(0);
    expect(run.err.join('\n')).toMatch(/journal\.json: .*discarded/);
    for (const victim of victims) expect(readFileSync(join(victim, 'data'), 'utf8')).toBe(`${victim}\n`);
    expect(sameFiles(snapshot(out), outputsOf(CATALOGUE_B))).toBe(true);
  });

  it('a journal in the current format whose paths leave the outputs is discarded without following one', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    const victim = join(tmp.path, 'x', 'victim.md');
    writeFileSync(victim, `<!-- ${GENERATED_MARKER} metrics.yaml. Do not edit. -->\nstill here\n`);
    const format = 'lazybird-metrics write journal 1';
    for (const journal of [
      { format, outputs: ['generated/METRICS.md'], owned: ['..'], write: [], remove: ['../../victim.md'] },
      { format, outputs: ['../../victim.md'], owned: [], write: ['../../victim.md'], remove: [] },
      { format, outputs: ['/etc/passwd'], owned: [], write: ['/etc/passwd'], remove: [] },
      { format, outputs: ['generated/METRICS.md'], owned: ['generated'], write: [], remove: ['generated/../../../victim.md'] },
      { format, outputs: [], owned: ['dashboards'], write: ['generated/METRICS.md'], remove: ['alerts/shop.rules.yaml'] },
    ]) {
      plant(JSON.stringify(journal));
      const run = await generate(catalogA);
      expect(run.code, run.err.join('\n')).toBe(0);
      expect(run.err.join('\n'), JSON.stringify(journal)).toMatch(/journal\.json: .*discarded/);
      expect(readFileSync(victim, 'utf8')).toContain('still here');
      expect(sameFiles(snapshot(out), outputsOf(CATALOGUE_A)), JSON.stringify(journal)).toBe(true);
    }
  });

  it('a corrupt journal: check reports it in one line, generate discards it and writes the whole set', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    for (const text of ['{"roots": [', '\u0000\u0001garbage', '[]', 'null']) {
      plant(text);
      refusedNaming(await check(catalogA), /journal\.json: an interrupted run left a journal that cannot be used/);
      const run = await generate(catalogB);
      expect(run.code, run.err.join('\n')).toBe(0);
      expect(sameFiles(snapshot(out), outputsOf(CATALOGUE_B))).toBe(true);
      expect((await check(catalogB)).code).toBe(0);
      expect((await generate(catalogA)).code).toBe(0);
    }
  });

  it('a journal that is a directory is discarded too', async () => {
    mkdirSync(join(out, '.lazybird-generate', 'journal.json'), { recursive: true });
    refusedNaming(await check(catalogA), /journal\.json: .*not a regular file/);
  });
});

describe('the user’s content inside the output folders', () => {
  it('keeps directories with their modes and owners, FIFOs, empty folders, and a file quoting the header', async () => {
    expect((await generate(catalogA)).code).toBe(0);
    const privateDir = join(out, 'generated', 'private');
    mkdirSync(privateDir);
    writeFileSync(join(privateDir, 'secret.txt'), 'mine\n');
    chmodSync(privateDir, 0o700);
    chownSync(privateDir, 4321, 4321);
    mkdirSync(join(out, 'dashboards', 'empty'));
    expect(spawnSync('mkfifo', [join(out, 'alerts', 'pipe')]).status).toBe(0);
    // The phrase quoted in a note, and a Markdown heading that begins with it: neither is a header.
    const notes = `These files are ${GENERATED_MARKER} metrics.yaml: do not edit them.\n`;
    writeFileSync(join(out, 'generated', 'NOTES.md'), notes);
    const heading = `# ${GENERATED_MARKER} metrics.yaml\n\nHow we use them.\n`;
    writeFileSync(join(out, 'generated', 'HOWTO.md'), heading);
    // A generated file's own mode stays too.
    chmodSync(join(out, 'generated', 'metrics.ts'), 0o640);

    for (const catalog of [catalogB, catalogA]) {
      const run = await generate(catalog);
      expect(run.code, run.err.join('\n')).toBe(0);
      expect(statSync(privateDir).mode & 0o777).toBe(0o700);
      expect([statSync(privateDir).uid, statSync(privateDir).gid]).toEqual([4321, 4321]);
      expect(readFileSync(join(privateDir, 'secret.txt'), 'utf8')).toBe('mine\n');
      expect(statSync(join(out, 'dashboards', 'empty')).isDirectory()).toBe(true);
      expect(lstatSync(join(out, 'alerts', 'pipe')).isFIFO()).toBe(true);
      expect(readFileSync(join(out, 'generated', 'NOTES.md'), 'utf8')).toBe(notes);
      expect(readFileSync(join(out, 'generated', 'HOWTO.md'), 'utf8')).toBe(heading);
      expect(statSync(join(out, 'generated', 'metrics.ts')).mode & 0o777).toBe(0o640);
    }
    expect(readFileSync(join(out, 'generated', 'metrics.ts'), 'utf8')).toBe(outputsOf(CATALOGUE_A).get('generated/metrics.ts'));
    expect(existsSync(join(out, 'dashboards', 'shop-extra.json'))).toBe(false); // B's own extra file went
  });
});

describe('file systems that fail', () => {
  function mounted(size: string, options = ''): { dir: string; unmount: () => void } {
    const dir = join(tmp.path, `mnt-${size}`);
    mkdirSync(dir);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options}`, 'tmpfs', dir], { encoding: 'utf8' });
    expect(mount.status, `mount: ${mount.stderr}`).toBe(0);
    return { dir, unmount: () => void spawnSync('umount', [dir]) };
  }

  it('a read-only --out: exit 1 naming the path, for generate and for check', async () => {
    const fs = mounted('1m');
    try {
      expect((await generate(catalogA, fs.dir)).code).toBe(0);
      expect(spawnSync('mount', ['-o', 'remount,ro', fs.dir]).status).toBe(0);
      refusedNaming(await generate(catalogB, fs.dir), /read-only file system \(EROFS\)/);
      expect((await check(catalogA, fs.dir)).code).toBe(0); // read without a lock: nothing can write there
      expect(sameFiles(snapshot(fs.dir), outputsOf(CATALOGUE_A))).toBe(true);
    } finally {
      fs.unmount();
    }
  });

  it('a full disk: exit 1 naming the path, the old set intact and no temporary file left', async () => {
    const fs = mounted('256k');
    try {
      expect((await generate(catalogA, fs.dir)).code).toBe(0);
      // Leave 8 KiB free: room for a file or two of B's, not for all of them beside A's.
      const { bavail, bsize } = statfsSync(fs.dir);
      writeFileSync(join(fs.dir, 'filler'), Buffer.alloc(bavail * bsize - 8 * 1024));
      refusedNaming(await generate(catalogB, fs.dir), /no space left on the device \(ENOSPC\)/);
      expect(sameFiles(snapshot(fs.dir, ['filler']), outputsOf(CATALOGUE_A))).toBe(true);
      expect(existsSync(join(fs.dir, '.lazybird-generate'))).toBe(false);
    } finally {
      fs.unmount();
    }
  });

  it('a file where an output folder goes, or where --out goes: exit 1 naming it', async () => {
    writeFileSync(join(out, 'generated'), 'a file\n');
    refusedNaming(await generate(catalogA), `${join(out, 'generated')}: is not a directory`);
    refusedNaming(await check(catalogA), `${join(out, 'generated')}: is not a directory`);
    refusedNaming(await generate(catalogA, join(out, 'generated')), join(out, 'generated'));
    refusedNaming(await generate(catalogA, join(out, 'generated', 'below')), join(out, 'generated'));
  });

  it('an output path that is a directory or a FIFO: exit 1 naming it', async () => {
    mkdirSync(join(out, 'generated', 'metrics.ts'), { recursive: true });
    refusedNaming(await generate(catalogA), `${join(out, 'generated', 'metrics.ts')}: is not a regular file (a directory)`);
    expect(spawnSync('mkfifo', [join(out, 'generated', 'METRICS.md')]).status).toBe(0);
    refusedNaming(await check(catalogA), `${join(out, 'generated', 'METRICS.md')}: is not a regular file (a FIFO)`);
  });

  it('--out /proc/x: exit 1 naming the path', async () => {
    refusedNaming(await generate(catalogA, '/proc/x'), '/proc/x');
    refusedNaming(await generate(catalogA, '/proc/self/x'), '/proc/self/x');
  });
});

describe('the lock', () => {
  it('a run waits for a live holder, and then gives up with exit-1 error naming its pid', () => {
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      mkdirSync(join(out, '.lazybird-generate'));
      writeFileSync(join(out, '.lazybird-generate', 'lock'), `${holder.pid}\n`);
      expect(() => writeOutputs(out, outputsOf(CATALOGUE_A), undefined, { lockWaitMs: 200 })).toThrow(new WriteError(`another generate is running (pid ${holder.pid}) on ${out}; its lock is ${join(out, '.lazybird-generate', 'lock')}`));
      expect(snapshot(out)).toEqual(new Map([['.lazybird-generate/lock', `${holder.pid}\n`]]));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock left by a process that is gone is taken over', () => {
    const gone = spawnSync('true');
    expect(gone.pid).toBeGreaterThan(0);
    mkdirSync(join(out, '.lazybird-generate'));
    writeFileSync(join(out, '.lazybird-generate', 'lock'), `${gone.pid}\n`);
    writeOutputs(out, outputsOf(CATALOGUE_A), undefined, { lockWaitMs: 0 });
    expect(sameFiles(snapshot(out), outputsOf(CATALOGUE_A))).toBe(true);
  });
});
