/** The input type is generated from the JSON Schema; the committed raw.ts must be that output. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RAW_TYPES_FILE, SCHEMA_FILE, rawTypesSource } from '../../generator/catalog/raw-types.js';

const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Parameters<typeof rawTypesSource>[0];

describe('raw.ts', () => {
  it('is what generator/catalog/raw-types.ts makes of metrics.schema.json (else run npx tsx generator/catalog/raw-types.ts)', () => {
    expect(readFileSync(RAW_TYPES_FILE, 'utf8')).toBe(rawTypesSource(schema));
  });

  it('follows the schema: a new optional property, a new required one, a new enum value each show', () => {
    const copy = JSON.parse(JSON.stringify(schema)) as { $defs: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    copy.$defs['group']!.properties['colour'] = { type: 'string' };
    copy.$defs['label']!.required.push('name');
    (copy.$defs['metric']!.properties['unit'] as { enum: string[] }).enum.push('meters');
    const source = rawTypesSource(copy as Parameters<typeof rawTypesSource>[0]);
    expect(source).toContain('  colour?: string;\n');
    expect(source).toMatch(/interface RawLabel \{\n {2}name: string;/);
    expect(source).toContain('"none" | "meters";');
  });
});
