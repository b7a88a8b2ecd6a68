/**
 * The validator of the catalogue's JSON Schema. From the sources it is compiled by ajv when this
 * module loads (about 0.4 s); the package's bundle replaces this module with the same validator
 * compiled at build time (ajv's standalone code, scripts/bundle-modules.ts), so the installed CLI does
 * not compile the schema at every start. Both export the same names, and the diagnostics are the same
 * (test/catalog/bundled-validator.test.ts).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import catalogSchema from './metrics.schema.json' with { type: 'json' };

/**
 * The options of both validators. `verbose` puts each failing rule's schema on its error, which the
 * diagnostics read (allowed keys, accepted shapes). No formats or custom keywords: `strict` would
 * reject them unless they were added here and to the standalone build alike.
 */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true } as const;

export const validateCatalogSchema: ValidateFunction = new Ajv2020(AJV_OPTIONS).compile(catalogSchema);
