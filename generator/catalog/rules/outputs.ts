import { outputFiles } from '../../conventions.js';
import type { OutputLayout } from '../../conventions.js';
import type { RuleContext } from './context.js';

/** The file name endings each output may have: what Prometheus, TypeScript and Markdown tools pick up. */
const ENDINGS: Readonly<Record<Exclude<keyof OutputLayout, 'mimir_namespace'>, readonly string[]>> = {
  typescript: ['.ts', '.mts'],
  rules: ['.yaml', '.yml'],
  mimir_rules: ['.yaml', '.yml'],
  reference: ['.md'],
  dashboards: [],
};

/** The writer's own folder: outputs never go there. */
const STAGING = '.lazybird-generate';

/**
 * `outputs:` paths are relative to the output root and stay inside it: POSIX separators, no `.` or
 * `..` parts, the ending their tools expect, and no two outputs on one path.
 */
export function outputRules(context: RuleContext): void {
  const layout = context.raw.outputs;
  if (layout === undefined) return;
  const keys = Object.keys(ENDINGS) as (keyof typeof ENDINGS)[];
  for (const key of keys) {
    const path = layout[key];
    if (path === undefined) continue;
    const problem = pathProblem(key === 'dashboards' ? path.replace(/\/+$/, '') : path);
    if (problem !== undefined) {
      context.error('output-path', `outputs.${key} ${JSON.stringify(path)} ${problem}`, ['outputs', key]);
      continue;
    }
    const endings = ENDINGS[key];
    if (endings.length > 0 && !endings.some((ending) => path.endsWith(ending))) {
      context.error('output-path', `outputs.${key} ${JSON.stringify(path)} must end in ${endings.join(' or ')}`, ['outputs', key]);
    }
  }
  const files = outputFiles(context.raw.namespace, layout);
  const taken = new Map<string, string>();
  // The rule tests sit beside the rules, wherever those go: no other output may take their path.
  taken.set(files.ruleTests, 'the rules\' promtool tests');
  if (layout.rules === undefined) taken.set(files.rules, 'the rules');
  for (const key of ['typescript', 'rules', 'reference', 'mimir_rules'] as const) {
    if (layout[key] === undefined) continue;
    const path = key === 'mimir_rules' ? (files.mimirRules?.file ?? '') : files[key];
    const inDashboards = path.startsWith(`${files.dashboards}/`);
    const first = path === files.provisioning ? 'the dashboards\' provisioning file' : taken.get(path);
    if (first !== undefined) context.error('output-path', `outputs.${key} ${JSON.stringify(path)} is already the path of ${first}; give each output its own path`, ['outputs', key]);
    else if (inDashboards && path.endsWith('.json')) context.error('output-path', `outputs.${key} ${JSON.stringify(path)} is inside the dashboards folder`, ['outputs', key]);
    taken.set(path, `outputs.${key}`);
  }
  if (layout.mimir_namespace !== undefined && layout.mimir_rules === undefined) {
    context.error('output-mimir-namespace', 'outputs.mimir_namespace names the namespace of the Mimir rules file; set outputs.mimir_rules too, or remove it', ['outputs', 'mimir_namespace'], { key: true });
  }
}

function pathProblem(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be a path relative to the output root';
  if (path.includes('\\') || path.includes('\0')) return 'must use / between folders';
  const parts = path.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return 'must stay inside the output root, without "", "." or ".." parts';
  if (parts[0] === STAGING) return `must not be inside ${STAGING}, the generator's own folder`;
  return undefined;
}
