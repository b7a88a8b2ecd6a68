import type { ErrorObject, ValidateFunction } from 'ajv';
import catalogSchema from './metrics.schema.json' with { type: 'json' };
import { describePath, pathOf } from './diagnostics.js';
import { durationProblem } from './duration.js';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedCatalog } from './load.js';
import { validateCatalogSchema } from './schema-validator.js';

export { catalogSchema };

/**
 * JSON Schema validation, each error placed on the YAML node it is about. `validateSchema` is the
 * validator of schema-validator.ts (a parameter so the test can compare it with the bundle's).
 */
export function validateAgainstSchema(loaded: LoadedCatalog, validateSchema: ValidateFunction = validateCatalogSchema): Diagnostic[] {
  if (validateSchema(loaded.data)) return [];
  // A bad key yields a propertyNames error and, with the key named, the error of the rule it broke.
  const errors = pruneAlternatives(validateSchema.errors ?? []).filter((e) => e.keyword !== 'propertyNames');
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    const diagnostic = toDiagnostic(loaded, error);
    const key = `${diagnostic.line}:${diagnostic.col}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

/**
 * A `oneOf` failure makes ajv report every branch's errors. Keep those of the branch that came
 * closest (fewest errors), which is the one the author most likely meant; when no branch is closer,
 * say which shapes are accepted.
 */
function pruneAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  if (oneOfs.length === 0) return [...errors];
  const dropped = new Set<ErrorObject>();
  const added: ErrorObject[] = [];
  for (const oneOf of oneOfs) {
    // schemaPath is relative to the $ref'd definition, so branches are matched by place too.
    const prefix = oneOf.schemaPath + '/';
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (error === oneOf || !error.schemaPath.startsWith(prefix)) continue;
      if (!error.instancePath.startsWith(oneOf.instancePath)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
      dropped.add(error);
    }
    const passing = (oneOf.params as { passingSchemas?: number[] | null }).passingSchemas;
    const ranked = [...branches.values()].sort((a, b) => a.length - b.length);
    const best = ranked[0];
    const onlyRequired = [...branches.values()].every((list) => list.every((e) => e.keyword === 'required'));
    if (passing || !best || onlyRequired || (ranked[1] && ranked[1].length === best.length && !closest(best, oneOf.instancePath))) {
      added.push(oneOf);
    } else {
      dropped.add(oneOf);
      added.push(...best);
    }
  }
  return [...errors.filter((e) => !dropped.has(e) && e.keyword !== 'oneOf'), ...added];
}

/** A branch whose errors are all deeper than the value itself shows the value has that branch's shape. */
function closest(branch: readonly ErrorObject[], instancePath: string): boolean {
  return branch.every((e) => e.keyword === 'additionalProperties' || e.instancePath.length > instancePath.length);
}

function toDiagnostic(loaded: LoadedCatalog, error: ErrorObject): Diagnostic {
  const propertyName = (error as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const objectPath = pathOf(error.instancePath);
    const problem: [string, string] =
      error.keyword === 'maxLength'
        ? ['name-format', `"${propertyName.slice(0, 40)}…" (${describePath(objectPath)}) is longer than ${String((error.params as { limit: number }).limit)} characters`]
        : nameProblem(propertyName, describePath(objectPath));
    return loaded.diagnostic(...problem, [...objectPath, propertyName], { key: true });
  }
  const path = pathOf(error.instancePath);
  const where = describePath(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = allowedKeys(error);
      return loaded.diagnostic(
        'schema-unknown-key',
        `unknown key ${JSON.stringify(key)} in ${where}` + (allowed ? ` (allowed: ${allowed})` : ''),
        [...path, key],
        { key: true },
      );
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const rule = key === 'help' ? 'help-missing' : 'schema-missing-key';
      return loaded.diagnostic(rule, `${where} is missing "${key}"`, path, { key: true });
    }
    case 'pattern': {
      const value = valueAt(loaded.data, path);
      if (error.schemaPath.includes('snakeName')) {
        return loaded.diagnostic(...nameProblem(String(value), where), path);
      }
      if (error.schemaPath.includes('/duration/')) {
        return loaded.diagnostic('duration-format', `${where}: ${durationProblem(String(value)) ?? 'is not a duration'}`, path);
      }
      return loaded.diagnostic('schema-value', `${where} ${error.message ?? 'is invalid'}`, path);
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return loaded.diagnostic('schema-value', `${where} must be one of ${allowed}`, path);
    }
    case 'type': {
      const value = valueAt(loaded.data, path);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        // JSON Schema numbers are finite; YAML's .inf and .nan are not.
        const rule = path.includes('buckets') ? 'buckets-finite' : 'schema-value';
        return loaded.diagnostic(rule, `${where} must be a finite number, not ${value}`, path);
      }
      return loaded.diagnostic(
        'schema-type',
        `${where} must be ${article(String(params['type']))}, not ${describeValue(valueAt(loaded.data, path))}`,
        path,
      );
    }
    case 'oneOf': {
      const shapes = alternativesOf(error);
      return loaded.diagnostic(
        'schema-shape',
        `${where} must have exactly one of the accepted shapes` + (shapes ? `: ${shapes}` : ''),
        path,
      );
    }
    case 'minLength':
      if (path.at(-1) === 'help') return loaded.diagnostic('help-missing', `${where} is empty`, path);
      return loaded.diagnostic('schema-value', `${where} must not be empty`, path);
    default:
      return loaded.diagnostic('schema-value', `${where} ${error.message ?? 'is invalid'}`, path);
  }
}

/** The message and rule for a name that is not snake_case, specific to what is wrong with it. */
function nameProblem(name: string, where: string): [string, string] {
  const shown = JSON.stringify(name);
  if (name.startsWith('__')) return ['label-reserved-prefix', `${shown} (${where}): names starting with "__" are reserved by Prometheus`];
  if (name.includes(':')) return ['name-colon', `${shown} (${where}): ":" is reserved for recording rules`];
  if (/^[a-z][a-zA-Z0-9]*$/.test(name)) return ['name-format', `${shown} (${where}) must be snake_case, not camelCase`];
  return [
    'name-format',
    `${shown} (${where}) must be snake_case: lowercase letters and digits in words joined by single underscores, starting with a letter`,
  ];
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false' };
  return names[type] ?? type;
}

/** Resolves an in-document `$ref` ("#/$defs/name") of the catalogue schema. */
function deref(node: unknown): unknown {
  if (!node || typeof node !== 'object' || !('$ref' in node)) return node;
  let target: unknown = catalogSchema;
  for (const segment of pathOf(String((node as { $ref: string }).$ref).replace(/^#/, ''))) {
    target = (target as Record<string, unknown> | undefined)?.[segment];
  }
  return target;
}

function allowedKeys(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { properties?: object } | undefined;
  return parent?.properties ? Object.keys(parent.properties).join(', ') : undefined;
}

function alternativesOf(error: ErrorObject): string | undefined {
  if (!Array.isArray(error.schema)) return undefined;
  return error.schema
    .map((branch) => {
      const resolved = deref(branch) as { required?: string[]; type?: string } | undefined;
      if (resolved?.required) return resolved.required.join(' + ');
      return resolved?.type ?? 'another shape';
    })
    .join(' | ');
}
