/**
 * The catalogues the rule suites run over, as paths relative to the repository: metrics.yaml, then
 * every `<folder>/<name>/metrics.yaml` of the test and golden catalogues, in name order. A new
 * catalogue folder is picked up without being listed anywhere.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `dir/<name>/metrics.yaml` for every folder of `dir` (relative to the repository) that has one. */
export function catalogueFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, dir, entry.name, 'metrics.yaml')))
    .map((entry) => `${dir}/${entry.name}/metrics.yaml`)
    .sort();
}

/** metrics.yaml and every test and golden catalogue. */
export function everyCatalogue(): string[] {
  return ['metrics.yaml', ...catalogueFiles('test/catalogues'), ...catalogueFiles('test/goldens')];
}
