/** Two catalogues whose outputs differ in content and in file set, and a way to see what a folder holds. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { compileCatalog } from '../../../generator/catalog/index.js';
import { emitAll } from '../../../generator/emit/index.js';
import { BASE, catalogue } from '../../helpers/catalogue.js';

export const CATALOGUE_A = catalogue();
/** A's outputs changed: another help text, and a group more (so one more dashboard). */
export const CATALOGUE_B = catalogue({
  groups: `${BASE.groups}  extra:\n    title: Extra\n`,
  metrics: `${BASE.metrics.replace('Requests served.', 'Requests handled.')}  jobs_total:\n    type: counter\n    group: extra\n    help: Jobs run.\n    unit: count\n`,
});

/** What the catalogue generates, named metrics.yaml as the headers say. */
export function outputsOf(text: string): Map<string, string> {
  const { catalog } = compileCatalog(text, 'metrics.yaml');
  if (!catalog) throw new Error('test catalogue invalid');
  return new Map(emitAll(catalog));
}

/** Every regular file under `dir` (relative POSIX path → content), hidden ones included, skipping `skip`. */
export function snapshot(dir: string, skip: readonly string[] = []): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (skip.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) continue;
    if (entry.isFile()) files.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([path, content]) => b.get(path) === content);
}
