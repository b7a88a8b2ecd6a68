/**
 * Writes raw.ts, the input type, from the JSON Schema, so the two cannot drift: the schema is the
 * source, raw.ts is its output (test/catalog/raw-types.test.ts fails when it is stale).
 * Regenerate: `npx tsx generator/catalog/raw-types.ts`.
 *
 * It handles what metrics.schema.json uses: objects (properties, required, map-like
 * additionalProperties), arrays, enums, $ref to $defs and oneOf; a `oneOf` beside properties
 * only constrains which are present, so the properties make the type.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Schema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: Schema | boolean;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly $defs?: Readonly<Record<string, Schema>>;
}

/** $defs that become named types; the others (strings with patterns) are inlined. */
const NAMED: Readonly<Record<string, string>> = {
  label: 'RawLabel',
  group: 'RawGroup',
  metric: 'RawMetric',
  panel: 'RawPanel',
  ratio: 'RawRatio',
  alert: 'RawAlert',
  eventField: 'RawEventField',
  eventRecord: 'RawEventRecord',
  event: 'RawEvent',
  summaryFigure: 'RawSummaryFigure',
  customRule: 'RawCustomRule',
};

export function rawTypesSource(schema: Schema): string {
  const defs = schema.$defs ?? {};
  const typeOf = (node: Schema, indent: string): string => {
    if (node.$ref !== undefined) {
      const name = node.$ref.replace('#/$defs/', '');
      const named = NAMED[name];
      if (named !== undefined) return named;
      const target = defs[name];
      if (!target) throw new Error(`unknown $ref ${node.$ref}`);
      return typeOf(target, indent);
    }
    if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
    if (node.properties !== undefined) return objectType(node, indent);
    if (node.oneOf !== undefined) return node.oneOf.map((option) => typeOf(option, indent)).join(' | ');
    switch (node.type) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        if (!node.items) throw new Error('array without items');
        return `${wrap(typeOf(node.items, indent))}[]`;
      case 'object':
        if (typeof node.additionalProperties === 'object') return `Record<string, ${typeOf(node.additionalProperties, indent)}>`;
        return 'Record<string, never>';
      default:
        throw new Error(`cannot type ${JSON.stringify(node).slice(0, 100)}`);
    }
  };
  const objectType = (node: Schema, indent: string): string => {
    const required = new Set(node.required ?? []);
    const inner = `${indent}  `;
    const lines = Object.entries(node.properties ?? {}).map(([key, value]) => `${inner}${key}${required.has(key) ? '' : '?'}: ${typeOf(value, inner)};`);
    return `{\n${lines.join('\n')}\n${indent}}`;
  };
  const wrap = (type: string): string => (type.includes('|') ? `(${type})` : type);

  const declarations = [`export interface RawCatalog ${objectType(schema, '')}`];
  for (const [def, name] of Object.entries(NAMED)) {
    const node = defs[def];
    if (!node) throw new Error(`no $defs/${def}`);
    declarations.push(node.properties !== undefined ? `export interface ${name} ${objectType(node, '')}` : `export type ${name} = ${typeOf(node, '')};`);
  }
  return [
    '// Generated from metrics.schema.json by generator/catalog/raw-types.ts. Do not edit: change the schema and run npx tsx generator/catalog/raw-types.ts.',
    '/**',
    ' * The catalogue as written, once it has passed the JSON Schema: the input shape, kept apart from',
    ' * the resolved model (model.ts) that emitters consume.',
    ' */',
    ...declarations.flatMap((d) => [d, '']),
    "export type MetricType = RawMetric['type'];",
    "export type Unit = RawMetric['unit'];",
    "export type Severity = RawAlert['severity'];",
    "export type AlertKind = RawAlert['kind'];",
    '',
  ].join('\n');
}

export const SCHEMA_FILE = new URL('./metrics.schema.json', import.meta.url);
export const RAW_TYPES_FILE = new URL('./raw.ts', import.meta.url);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(RAW_TYPES_FILE, rawTypesSource(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Schema));
}
