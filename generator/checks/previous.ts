/**
 * Where the breaking-change check gets the earlier catalogue: a file, or the catalogue's path at a
 * git revision (`HEAD`, a tag, a branch). I/O at the edge, like the writer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

export type Previous = { readonly ok: true; readonly text: string; readonly label: string } | { readonly ok: false; readonly reason: string };

/** The text of the earlier catalogue named by `against` (a file path, else a git revision). */
export function readPrevious(against: string, catalogPath: string): Previous {
  if (existsSync(against) && statSync(against).isFile()) return { ok: true, text: readFileSync(against, 'utf8'), label: against };
  return readAtRevision(against, catalogPath);
}

/** The catalogue at the last commit, when there is a repository, a commit and the file in it. */
export function readLastCommitted(catalogPath: string): Previous {
  return readAtRevision('HEAD', catalogPath);
}

function readAtRevision(revision: string, catalogPath: string): Previous {
  const cwd = dirname(resolve(catalogPath));
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  if (!top.ok) return { ok: false, reason: `"${revision}" is neither a file nor a git revision here (${top.reason})` };
  const path = relative(top.text.trim(), resolve(catalogPath)).split('\\').join('/');
  // Whatever `revision` holds, git reads it as a revision and never as an option: refused when it
  // starts with '-', resolved to a commit id after --end-of-options, and only that id reaches git show.
  if (revision.startsWith('-')) return { ok: false, reason: `"${revision}" starts with "-", which git would read as an option` };
  const commit = git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], cwd);
  if (!commit.ok || !/^[0-9a-f]{40,64}$/.test(commit.text.trim())) return { ok: false, reason: `"${revision}" is neither a file nor a commit here` };
  const shown = git(['show', '--end-of-options', `${commit.text.trim()}:${path}`], cwd);
  if (!shown.ok) return { ok: false, reason: `cannot read ${path} at ${revision}: ${shown.reason}` };
  return { ok: true, text: shown.text, label: `${revision}:${path}` };
}

function git(args: readonly string[], cwd: string): { ok: true; text: string } | { ok: false; reason: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return { ok: false, reason: result.error.message };
  if (result.status !== 0) return { ok: false, reason: (result.stderr || `git exited ${result.status}`).trim().split('\n')[0] ?? '' };
  return { ok: true, text: result.stdout };
}
