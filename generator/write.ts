import { closeSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { GENERATED_MARKER } from './conventions.js';

/** Folders the generator owns; every output lives in one of them. */
export const OUTPUT_ROOTS = ['generated', 'dashboards', 'alerts'] as const;

/** Relative path (POSIX separators) → file content. */
export type Outputs = ReadonlyMap<string, string>;

/** Where a run stages its files; the journal in it marks the point of no return. */
export const STAGING_DIR = '.lazybird-generate';
const JOURNAL = 'journal.json';

export interface StaleReport {
  /** On disk with other content. */
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  /** Generated files on disk the catalogue no longer produces. */
  readonly extra: readonly string[];
  /** A previous run was interrupted after it committed; its swap is unfinished. */
  readonly interrupted: boolean;
}

export function isStale(report: StaleReport): boolean {
  return report.interrupted || report.changed.length + report.missing.length + report.extra.length > 0;
}

/** Compare what the catalogue produces with what is on disk; writes nothing. */
export function findStale(outDir: string, outputs: Outputs): StaleReport {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of outputs) {
    const file = join(outDir, path);
    if (!existsSync(file)) missing.push(path);
    else if (readFileSync(file, 'utf8') !== content) changed.push(path);
  }
  const extra = generatedFilesOnDisk(outDir).filter((path) => !outputs.has(path));
  return { changed, missing, extra, interrupted: existsSync(join(outDir, STAGING_DIR, JOURNAL)) };
}

export interface WriteResult {
  readonly written: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Replace the output folders with the new set, all or nothing: the new folders are built in a
 * staging folder, a journal is committed by rename, then each folder is swapped in. A run killed
 * before the commit leaves the old outputs untouched; one killed after it is rolled forward by the
 * next run (`recoverInterruptedWrite`). Files in the output folders that do not carry the
 * generated header are the user's and are kept.
 */
export function writeOutputs(outDir: string, outputs: Outputs): WriteResult {
  recoverInterruptedWrite(outDir);
  const before = findStale(outDir, outputs);
  if (!isStale(before)) return { written: [], removed: [] };
  const unchanged = new Set([...outputs.keys()].filter((path) => !before.changed.includes(path) && !before.missing.includes(path)));
  const staging = join(outDir, STAGING_DIR);
  rmSync(staging, { recursive: true, force: true });

  const roots = OUTPUT_ROOTS.filter((root) => existsSync(join(outDir, root)) || [...outputs.keys()].some((p) => p.startsWith(`${root}/`)));
  for (const root of roots) {
    const target = join(staging, 'new', root);
    mkdirSync(target, { recursive: true });
    for (const path of entriesUnder(join(outDir, root))) {
      const source = join(outDir, root, path);
      if (!lstatSync(source).isSymbolicLink() && isGeneratedFile(source)) continue;
      carry(source, join(target, path));
    }
  }
  for (const [path, content] of outputs) {
    const destination = join(staging, 'new', path);
    if (unchanged.has(path)) {
      carry(join(outDir, path), destination); // same bytes: keep the file itself (inode, mtime)
      continue;
    }
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, content);
  }
  writeFileSync(join(staging, `${JOURNAL}.tmp`), JSON.stringify({ roots }) + '\n');
  renameSync(join(staging, `${JOURNAL}.tmp`), join(staging, JOURNAL)); // the commit point
  recoverInterruptedWrite(outDir);
  return { written: [...before.changed, ...before.missing].sort(), removed: [...before.extra] };
}

/**
 * Finish or discard what an interrupted run left: with a committed journal, swap the remaining
 * staged folders in (each step can be repeated safely); without one, drop the staging folder.
 */
export function recoverInterruptedWrite(outDir: string): void {
  const staging = join(outDir, STAGING_DIR);
  if (!existsSync(staging)) return;
  const journal = join(staging, JOURNAL);
  if (existsSync(journal)) {
    const { roots } = JSON.parse(readFileSync(journal, 'utf8')) as { roots: string[] };
    mkdirSync(join(staging, 'old'), { recursive: true });
    for (const root of roots) {
      const staged = join(staging, 'new', root);
      if (!existsSync(staged)) continue; // already swapped in
      const live = join(outDir, root);
      const old = join(staging, 'old', root);
      if (existsSync(live)) {
        rmSync(old, { recursive: true, force: true });
        renameSync(live, old);
      }
      renameSync(staged, live);
    }
    rmSync(journal);
  }
  rmSync(staging, { recursive: true, force: true });
}

/** Generated files in the output folders, as relative POSIX paths, sorted. */
export function generatedFilesOnDisk(outDir: string): string[] {
  return OUTPUT_ROOTS.flatMap((root) =>
    filesUnder(join(outDir, root))
      .filter((path) => isGeneratedFile(join(outDir, root, path)))
      .map((path) => `${root}/${path}`),
  ).sort();
}

/** A file is ours when its first lines carry the generated header. */
export function isGeneratedFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8').includes(GENERATED_MARKER);
  } finally {
    closeSync(fd);
  }
}

/** Put `source` (a file or a symbolic link) at `destination` without copying bytes where possible. */
function carry(source: string, destination: string): void {
  mkdirSync(dirname(destination), { recursive: true });
  if (lstatSync(source).isSymbolicLink()) {
    symlinkSync(readlinkSync(source), destination);
    return;
  }
  try {
    linkSync(source, destination);
  } catch {
    copyFileSync(source, destination);
  }
}

function filesUnder(dir: string): string[] {
  return entriesUnder(dir).filter((path) => !lstatSync(join(dir, path)).isSymbolicLink());
}

/** Files and symbolic links under `dir`, relative, sorted. */
function entriesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
