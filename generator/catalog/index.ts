import { basename } from 'node:path';
import { hasErrors, sortDiagnostics } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { loadCatalog } from './load.js';
import type { LoadedCatalog } from './load.js';
import { resolveCustomRules } from './custom-rules.js';
import { customAggregationRules } from './rules/aggregation-labels.js';
import { buildModel } from './model.js';
import type { Catalog } from './model.js';
import type { RawCatalog } from './raw.js';
import { customExpressionRules } from './rules/custom.js';
import { checkRules } from './rules/index.js';
import { uniqueNameRules } from './rules/unique.js';
import { validateAgainstSchema } from './schema.js';

export interface CompileResult {
  /** Present when the catalogue has no error (warnings allowed). */
  readonly catalog: Catalog | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Places diagnostics of later checks (e.g. the breaking-change check) on the catalogue's nodes. */
  readonly source: Pick<LoadedCatalog, 'locate' | 'diagnostic'>;
}

/**
 * load → schema → rules → model → unique derived names. Each stage runs only when the one before found no error, so later
 * stages can rely on the shape; within a stage every problem is reported, never just the first.
 */
export function compileCatalog(text: string, file: string): CompileResult {
  const loaded = loadCatalog(text, file);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (hasErrors(diagnostics)) return { catalog: undefined, diagnostics: sortDiagnostics(diagnostics), source: loaded };

  diagnostics.push(...validateAgainstSchema(loaded));
  if (hasErrors(diagnostics)) return { catalog: undefined, diagnostics: sortDiagnostics(diagnostics), source: loaded };

  const raw = loaded.data as RawCatalog;
  diagnostics.push(...checkRules(raw, loaded));
  if (hasErrors(diagnostics)) return { catalog: undefined, diagnostics: sortDiagnostics(diagnostics), source: loaded };

  // The model holds every derived name; those that must be unique are checked there.
  const catalog = buildModel(raw, basename(file), loaded.locate, resolveCustomRules);
  diagnostics.push(...uniqueNameRules(catalog, loaded), ...customExpressionRules(catalog, raw, loaded), ...customAggregationRules(catalog, loaded));
  if (hasErrors(diagnostics)) return { catalog: undefined, diagnostics: sortDiagnostics(diagnostics), source: loaded };

  return { catalog, diagnostics: sortDiagnostics(diagnostics), source: loaded };
}

export type { Catalog, Diagnostic };
