import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { GENERATED_MARKER } from './conventions.js';
import { DEFAULT_OWNED_DIRS } from './layout.js';

/** Relative path (POSIX separators) → file content. */
export type Outputs = ReadonlyMap<string, string>;

/** Holds the run's lock and, between commit and completion, its journal. */
export const STAGING_DIR = '.lazybird-generate';
const JOURNAL = 'journal.json';
const LOCK = 'lock';
const JOURNAL_FORMAT = 'lazybird-metrics write journal 1';
/** A new file is written beside its destination under this name, then renamed over it. */
const TEMP_SUFFIX = '.lazybird-tmp';
/** How long a run waits for another one on the same outputs before giving up. */
export const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 15;
/** A lock file still empty after this long was left by a run killed while creating it. */
const EMPTY_LOCK_STALE_MS = 5_000;
const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;

/** A file-system problem the user can fix (a path, and what is wrong with it): exit 1, not a bug. */
export class WriteError extends Error {}

export interface StaleReport {
  /** On disk with other content. */
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  /** Generated files on disk the catalogue no longer produces. */
  readonly extra: readonly string[];
  /** A previous run was interrupted after it committed; its renames are unfinished. */
  readonly interrupted: boolean;
}

export function isStale(report: StaleReport): boolean {
  return report.interrupted || report.changed.length + report.missing.length + report.extra.length > 0;
}

export interface WriteResult {
  readonly written: readonly string[];
  readonly removed: readonly string[];
  /** What the run found and set right, e.g. a journal it could not use and discarded. */
  readonly notes?: readonly string[];
}

export interface WriteOptions {
  /** Milliseconds to wait for another run holding the lock (default LOCK_WAIT_MS). */
  readonly lockWaitMs?: number;
}

/**
 * Compare what the catalogue produces with what is on disk under `outDir`; writes nothing that
 * stays. Holds the lock while it reads (when the folder is writable), so a run that is writing is
 * waited for rather than reported half done. A journal it cannot use is an error.
 */
export function findStale(outDir: string, outputs: Outputs, owned: readonly string[] = DEFAULT_OWNED_DIRS, options: WriteOptions = {}): StaleReport {
  return asWriteError(resolve(outDir), () => {
    checkLayout(outputs, owned);
    const base = existingBase(resolve(outDir));
    if (base === undefined) return { changed: [], missing: [...outputs.keys()], extra: [], interrupted: false };
    return withLock(base, options, { optional: true }, () => {
      const journal = readJournal(base);
      if (journal.kind === 'corrupt') throw new WriteError(`${join(base, STAGING_DIR, JOURNAL)}: an interrupted run left a journal that cannot be used (${journal.reason}); \`generate\` discards it and rewrites every output`);
      const plan = planWrite(base, outputs, owned);
      return { changed: plan.changed, missing: plan.missing, extra: plan.extra, interrupted: journal.kind === 'valid' };
    });
  });
}

/**
 * Bring `outDir` to exactly `outputs`, all or nothing, touching only the generator's own files.
 *
 * Under an exclusive lock: each new file is written and fsynced beside its destination under a
 * temporary name; a journal naming every rename and removal is committed by rename; then each
 * file is renamed into place and generated files the catalogue no longer produces (in the `owned`
 * folders) are removed; then the journal goes. A run killed before the commit leaves the old
 * outputs (its temporary files are cleaned by the next run); one killed after it is rolled
 * forward by the next. Paths through a symbolic link, or a non-directory on the way, are refused.
 */
export function writeOutputs(outDir: string, outputs: Outputs, owned: readonly string[] = DEFAULT_OWNED_DIRS, options: WriteOptions = {}): WriteResult {
  return asWriteError(resolve(outDir), () => {
    checkLayout(outputs, owned);
    const base = createBase(resolve(outDir));
    return withLock(base, options, { optional: false }, () => {
      const notes = recoverLocked(base);
      const plan = planWrite(base, outputs, owned);
      const toWrite = [...plan.changed, ...plan.missing].sort();
      const noted = notes.length > 0 ? { notes } : {};
      if (toWrite.length === 0 && plan.extra.length === 0) return { written: [], removed: [], ...noted };

      const staged: string[] = [];
      const createdDirs: string[] = [];
      try {
        for (const path of toWrite) {
          stageFile(base, path, outputs.get(path)!, plan.existing.get(path), createdDirs);
          staged.push(path);
          reachStep(`staged:${staged.length}`);
        }
        commitJournal(base, { format: JOURNAL_FORMAT, outputs: [...outputs.keys()], owned: [...owned], write: toWrite, remove: plan.extra });
      } catch (error) {
        for (const path of staged) removeQuietly(join(base, tempOf(path)));
        removeQuietly(join(base, STAGING_DIR, `${JOURNAL}.tmp`));
        for (const dir of createdDirs.reverse()) removeEmptyDirectoryQuietly(dir);
        throw error;
      }
      reachStep('committed');
      rollForward(base, { write: toWrite, remove: plan.extra });
      return { written: toWrite, removed: plan.extra, ...noted };
    });
  });
}

/**
 * Finish what an interrupted run committed, or drop a journal that cannot be trusted. Returns
 * notes on what was discarded. Takes the lock.
 */
export function recoverInterruptedWrite(outDir: string, options: WriteOptions = {}): readonly string[] {
  return asWriteError(resolve(outDir), () => {
    const base = existingBase(resolve(outDir));
    if (base === undefined) return [];
    return withLock(base, options, { optional: false }, () => recoverLocked(base));
  });
}

/** Generated files in the `owned` folders, as relative POSIX paths, sorted. */
export function generatedFilesOnDisk(outDir: string, owned: readonly string[] = DEFAULT_OWNED_DIRS): string[] {
  const base = existingBase(resolve(outDir));
  if (base === undefined) return [];
  return owned.flatMap((dir) => generatedFilesUnder(base, dir)).sort();
}

/**
 * A file is ours when it starts with the generated header in the form its kind uses: the first
 * line is the comment (`//` for code, `#` for YAML, `<!-- … -->` for Markdown), or, for JSON, the
 * object opens with a "description" that starts with the header. A quote elsewhere does not count.
 */
export function isGeneratedFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const buffer = Buffer.alloc(4096);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return startsWithHeader(buffer.subarray(0, read).toString('utf8'), basename(file));
  } finally {
    closeSync(fd);
  }
}

const COMMENT_STARTS: Readonly<Record<string, readonly string[]>> = {
  '.ts': ['//'],
  '.mts': ['//'],
  '.cts': ['//'],
  '.js': ['//'],
  '.mjs': ['//'],
  '.cjs': ['//'],
  '.yaml': ['#'],
  '.yml': ['#'],
  '.md': ['<!--'],
};

function startsWithHeader(start: string, name: string): boolean {
  const kind = extname(name.endsWith(TEMP_SUFFIX) ? name.slice(0, -TEMP_SUFFIX.length) : name);
  if (kind === '.json') return start.startsWith(`{\n  "description": "${GENERATED_MARKER} `);
  const newline = start.indexOf('\n');
  if (newline < 0) return false;
  const line = start.slice(0, newline);
  return (COMMENT_STARTS[kind] ?? ['//', '#', '<!--']).some((comment) => line.startsWith(`${comment} ${GENERATED_MARKER} `) && (comment !== '<!--' || line.endsWith(' -->')));
}

// ---------------------------------------------------------------------------------------------
// Plan

interface Plan {
  readonly changed: string[];
  readonly missing: string[];
  readonly extra: string[];
  /** Stats of the outputs already on disk, to keep their mode and owner. */
  readonly existing: Map<string, Stats>;
}

/** What differs between `outputs` and the disk. Refuses symbolic links and non-directories on the way. */
function planWrite(base: string, outputs: Outputs, owned: readonly string[]): Plan {
  const changed: string[] = [];
  const missing: string[] = [];
  const existing = new Map<string, Stats>();
  for (const [path, content] of outputs) {
    if (realDirectories(base, dirname(path), { create: false }) === 'missing') {
      missing.push(path);
      continue;
    }
    const stats = lstatOrUndefined(join(base, path));
    if (stats === undefined) {
      missing.push(path);
      continue;
    }
    if (stats.isSymbolicLink()) throw new WriteError(`${join(base, path)}: is a symbolic link; outputs are never written through one (remove the link)`);
    if (!stats.isFile()) throw new WriteError(`${join(base, path)}: is not a regular file (${kindOf(stats)}); remove it or move the output elsewhere`);
    existing.set(path, stats);
    const bytes = Buffer.from(content, 'utf8');
    if (stats.size !== bytes.length || !readExactly(join(base, path), bytes.length).equals(bytes)) changed.push(path);
  }
  // A temporary file of a killed run is extra too: removals come after renames, so listing one
  // this run also stages is harmless.
  const extra = owned
    .flatMap((dir) => generatedFilesUnder(base, dir))
    .filter((path) => !outputs.has(path))
    .sort();
  return { changed: changed.sort(), missing: missing.sort(), extra: [...new Set(extra)], existing };
}

/** Generated regular files under `dir` (relative to base), never through a symbolic link. */
function generatedFilesUnder(base: string, dir: string): string[] {
  if (realDirectories(base, dir, { create: false }) === 'missing') return [];
  const found: string[] = [];
  const walk = (relativeDir: string): void => {
    for (const entry of readdirSync(join(base, relativeDir), { withFileTypes: true })) {
      const path = `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isGeneratedFile(join(base, path))) found.push(path);
    }
  };
  walk(dir);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Staging, journal, roll-forward

interface Journal {
  readonly format: string;
  readonly outputs: readonly string[];
  readonly owned: readonly string[];
  readonly write: readonly string[];
  readonly remove: readonly string[];
}

/** The temporary name of an output, in the same folder so that renaming it in is atomic. */
function tempOf(path: string): string {
  const dir = dirname(path);
  const name = `.${basename(path)}${TEMP_SUFFIX}`;
  return dir === '.' ? name : `${dir}/${name}`;
}

function stageFile(base: string, path: string, content: string, existing: Stats | undefined, createdDirs: string[]): void {
  realDirectories(base, dirname(path), { create: true, created: createdDirs });
  const temp = join(base, tempOf(path));
  removeQuietly(temp); // left by a run killed before its commit
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, existing ? existing.mode & 0o7777 : 0o666);
  try {
    if (existing) {
      fchmodSync(fd, existing.mode & 0o7777);
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
        try {
          fchownSync(fd, existing.uid, existing.gid);
        } catch {
          // Not allowed to give the file away: it keeps the writer's owner, as any edit would.
        }
      }
    }
    const bytes = Buffer.from(content, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      const wrote = writeSync(fd, bytes, offset, bytes.length - offset);
      if (wrote <= 0) throw new WriteError(`${temp}: the file system accepted no bytes`);
      offset += wrote;
    }
    fsyncSync(fd);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  } finally {
    closeSync(fd);
  }
}

function commitJournal(base: string, journal: Journal): void {
  const dir = join(base, STAGING_DIR);
  const temp = join(dir, `${JOURNAL}.tmp`);
  removeQuietly(temp);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, `${JSON.stringify(journal)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, JOURNAL)); // the commit point
  fsyncDirectory(dir);
}

/**
 * Apply a committed journal; every step can be repeated: a rename whose temporary file is gone was
 * done, a removal whose file is gone or no longer generated is skipped.
 */
function rollForward(base: string, journal: Pick<Journal, 'write' | 'remove'>): void {
  const touched = new Set<string>();
  let renamed = 0;
  for (const path of journal.write) {
    if (realDirectories(base, dirname(path), { create: false }) === 'missing') continue;
    const temp = join(base, tempOf(path));
    const stats = lstatOrUndefined(temp);
    if (stats === undefined) continue;
    if (!stats.isFile()) throw new WriteError(`${temp}: is not a regular file; remove it and run generate again`);
    const destination = lstatOrUndefined(join(base, path));
    if (destination !== undefined && !destination.isFile()) throw new WriteError(`${join(base, path)}: is not a regular file (${kindOf(destination)}); remove it and run generate again`);
    renameSync(temp, join(base, path));
    touched.add(dirname(join(base, path)));
    reachStep(`renamed:${++renamed}`);
  }
  let removed = 0;
  for (const path of journal.remove) {
    if (realDirectories(base, dirname(path), { create: false }) === 'missing') continue;
    const file = join(base, path);
    const stats = lstatOrUndefined(file);
    if (stats === undefined || !stats.isFile() || !isGeneratedFile(file)) continue;
    unlinkSync(file);
    touched.add(dirname(file));
    reachStep(`removed:${++removed}`);
  }
  for (const dir of touched) fsyncDirectory(dir);
  unlinkSync(join(base, STAGING_DIR, JOURNAL));
  fsyncDirectory(join(base, STAGING_DIR));
}

type JournalState = { kind: 'none' } | { kind: 'valid'; journal: Journal } | { kind: 'corrupt'; reason: string };

function readJournal(base: string): JournalState {
  const file = join(base, STAGING_DIR, JOURNAL);
  const stats = lstatOrUndefined(file);
  if (stats === undefined) return { kind: 'none' };
  if (!stats.isFile()) return { kind: 'corrupt', reason: `the journal is not a regular file (${kindOf(stats)})` };
  if (stats.size > MAX_JOURNAL_BYTES) return { kind: 'corrupt', reason: `the journal is ${stats.size} bytes, more than any run writes` };
  let data: unknown;
  try {
    data = JSON.parse(readExactly(file, stats.size).toString('utf8'));
  } catch {
    return { kind: 'corrupt', reason: 'the journal is not valid JSON' };
  }
  const reason = journalProblem(data);
  return reason === undefined ? { kind: 'valid', journal: data as Journal } : { kind: 'corrupt', reason };
}

/** Why `data` is not a journal this writer wrote, or undefined: every path is checked, none trusted. */
function journalProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || (data as Journal).format !== JOURNAL_FORMAT) return 'the journal was not written by this version of lazybird-metrics';
  const journal = data as Journal;
  for (const key of ['outputs', 'owned', 'write', 'remove'] as const) {
    const list: unknown = journal[key];
    if (!Array.isArray(list) || !list.every((path) => typeof path === 'string' && pathProblem(path) === undefined)) return `the journal's "${key}" holds a path that is not a plain relative path`;
  }
  const outputs = new Set(journal.outputs);
  if (!journal.write.every((path) => outputs.has(path))) return 'the journal writes a file outside its declared outputs';
  if (!journal.remove.every((path) => journal.owned.some((dir) => path.startsWith(`${dir}/`)))) return 'the journal removes a file outside its declared folders';
  return undefined;
}

/** Under the lock: roll a committed journal forward, or discard one that cannot be trusted. */
function recoverLocked(base: string): string[] {
  const state = readJournal(base);
  if (state.kind === 'none') return [];
  if (state.kind === 'valid') {
    rollForward(base, state.journal);
    return [];
  }
  // Nothing of it is followed; this run rewrites every output it makes, so dropping it is safe.
  unlinkSync(join(base, STAGING_DIR, JOURNAL));
  return [`${join(base, STAGING_DIR, JOURNAL)}: ${state.reason}; discarded, every output is rewritten`];
}

// ---------------------------------------------------------------------------------------------
// Lock

function withLock<T>(base: string, options: WriteOptions, { optional }: { optional: boolean }, run: () => T): T {
  const release = acquireLock(base, options.lockWaitMs ?? LOCK_WAIT_MS, optional);
  try {
    return run();
  } finally {
    release();
  }
}

/**
 * Take `<base>/.lazybird-generate/lock` (created exclusively, holding the pid), waiting up to
 * `waitMs` for a live holder; a lock whose process is gone is taken over. With `optional` (a
 * reader), a folder where no lock can be created is read without one: nothing can write there.
 */
function acquireLock(base: string, waitMs: number, optional: boolean): () => void {
  const dir = join(base, STAGING_DIR);
  const lock = join(dir, LOCK);
  const content = `${process.pid}\n`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      ensureRealDirectory(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (optional && (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')) return () => {};
      // Created by another run and removed again by its release between our mkdir and lstat.
      if (code === 'ENOENT' && lstatOrUndefined(base) !== undefined && Date.now() < deadline) continue;
      throw error;
    }
    try {
      const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return () => releaseLock(dir, lock, content);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (optional && (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')) return () => {};
      if (code === 'ENOENT' && Date.now() < deadline) continue; // the folder went with the previous holder's release
      if (code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lock);
    if (holder === 'gone') continue;
    if (holder === 'stale') {
      breakStaleLock(lock);
      continue;
    }
    if (Date.now() >= deadline) throw new WriteError(`another generate is running (pid ${String(holder)}) on ${base}; its lock is ${lock}`);
    sleepSync(LOCK_POLL_MS);
  }
}

/** The pid holding the lock, 'stale' when that process is gone, 'gone' when the lock is. */
function lockHolder(lock: string): number | 'stale' | 'gone' {
  let stats: Stats;
  let text: string;
  try {
    stats = lstatSync(lock);
    if (!stats.isFile() || stats.size > 64) return 'stale';
    text = readExactly(lock, stats.size).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  if (text === '') return Date.now() - stats.mtimeMs > EMPTY_LOCK_STALE_MS ? 'stale' : 0;
  const pid = /^[1-9][0-9]{0,9}\n$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(pid) || pid === process.pid) return 'stale';
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : 'stale';
  }
}

/**
 * Remove a stale lock without removing a fresh one another waiter created meanwhile: move it
 * aside, and put it back if what was moved is held by a live process after all.
 */
function breakStaleLock(lock: string): void {
  const aside = `${lock}.stale-${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (lockHolder(aside) !== 'stale') {
    try {
      linkSync(aside, lock);
    } catch {
      // A newer lock already stands; ours to give back was replaced.
    }
  }
  removeQuietly(aside);
}

function releaseLock(dir: string, lock: string, content: string): void {
  try {
    if (readExactly(lock, 64).toString('utf8').startsWith(content)) unlinkSync(lock);
  } catch {
    // Already gone: nothing to release.
  }
  try {
    rmdirSync(dir);
  } catch {
    // Another run is waiting in it, or a user put something there: leave it.
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Output paths and owned folders must be plain relative POSIX paths: no `..`, `.`, empty or absolute part. */
function checkLayout(outputs: Outputs, owned: readonly string[]): void {
  for (const path of [...outputs.keys(), ...owned]) {
    const problem = pathProblem(path);
    if (problem !== undefined) throw new WriteError(`${JSON.stringify(path)}: ${problem}`);
  }
}

function pathProblem(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return 'not a relative POSIX path';
  if (path.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'not a normalised path inside the output folder';
  if (path === STAGING_DIR || path.startsWith(`${STAGING_DIR}/`)) return `inside ${STAGING_DIR}, the writer's own folder`;
  return undefined;
}

/**
 * Check that every folder of `relativeDir` under base is a real directory (never a symbolic link),
 * creating missing ones with `create`; 'missing' when one is absent and not created.
 */
function realDirectories(base: string, relativeDir: string, { create, created }: { create: boolean; created?: string[] }): 'ok' | 'missing' {
  if (relativeDir === '.' || relativeDir === '') return 'ok';
  let current = base;
  for (const part of relativeDir.split('/')) {
    current = join(current, part);
    let stats = lstatOrUndefined(current);
    if (stats === undefined) {
      if (!create) return 'missing';
      try {
        mkdirSync(current);
        created?.push(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      stats = lstatSync(current);
    }
    if (stats.isSymbolicLink()) throw new WriteError(`${current}: is a symbolic link; outputs are never written through one (make it a real directory)`);
    if (!stats.isDirectory()) throw new WriteError(`${current}: is not a directory (${kindOf(stats)}) but an output goes inside it`);
  }
  return 'ok';
}

function ensureRealDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stats = lstatSync(dir);
  if (stats.isSymbolicLink()) throw new WriteError(`${dir}: is a symbolic link; the writer's folder must be a real directory (remove the link)`);
  if (!stats.isDirectory()) throw new WriteError(`${dir}: is not a directory (${kindOf(stats)}); remove it`);
}

/** The real path of an existing output folder, or undefined when there is none yet. */
function existingBase(outDir: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!lstatSync(real).isDirectory()) throw new WriteError(`${outDir}: is not a directory`);
  return real;
}

/** Create the output folder and its missing parents one by one (a bounded walk, whatever the path). */
function createBase(outDir: string): string {
  const missing: string[] = [];
  let current = outDir;
  while (lstatOrUndefined(current) === undefined) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing.reverse()) mkdirSync(dir);
  return existingBase(outDir) ?? outDir;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Up to `limit` bytes from the start of a regular file, never following a link or blocking. */
function readExactly(file: string, limit: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new WriteError(`${file}: is not a regular file`);
    const buffer = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const read = readSync(fd, buffer, filled, limit - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone or never made.
  }
}

function removeEmptyDirectoryQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (someone else's file) or already gone.
  }
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a directory; the renames are still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a regular file';
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EXDEV: 'on another file system',
  EBUSY: 'busy',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument (this file system does not support it)',
};

/** Run `work`, turning every file-system failure into a WriteError naming the path. */
function asWriteError<T>(outDir: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof WriteError) throw error;
    const { code, path } = error as NodeJS.ErrnoException;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) throw new WriteError(`${path ?? outDir}: ${ERRNO_TEXT[code] ?? code} (${code})`);
    throw error;
  }
}

/**
 * Test hook: LAZYBIRD_WRITE_KILL_AT=<step> kills the process with SIGKILL at that step
 * (`staged:N`, `committed`, `renamed:N`, `removed:N`), so the interruption tests hit each one.
 */
function reachStep(step: string): void {
  if (process.env['LAZYBIRD_WRITE_KILL_AT'] === step) process.kill(process.pid, 'SIGKILL');
}
