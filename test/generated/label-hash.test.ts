/**
 * The generated value-to-position functions (perfect hashes, or a `switch` where no hash was found)
 * against a plain Map lookup, through the generated module's public API: random strings, strings
 * built to land in a value's slot (same length, same characters where the hash reads) while
 * differing elsewhere, near misses of every value, two-byte and lone-surrogate strings, and values
 * that are not strings. Fixed seed, fixed number of runs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLabelHash, hashLookup } from '../../generator/emit/typescript/label-hash.js';
import { ModuleDir, errorLines, generate, output } from '../hostile/helpers/outputs.js';
import type { GeneratedMetrics, GeneratedModule } from '../hostile/helpers/outputs.js';

const SEED = 20261130;
const RUNS = 600;

/** Value sets that take each shape of hash: length only, one read, two reads, reads from the end, one length, two-byte characters, and one too large to hash. */
const LABELS: Record<string, { values: string[]; overflow?: string }> = {
  by_length: { values: ['a', 'bb', 'ccc', 'dddd', 'eeeeeeeee'] },
  one_length: { values: ['aa', 'ab', 'ba', 'bb', 'ac', 'ca', 'cc'] },
  agent: { values: ['claude', 'gemini', 'copilot', 'codex', 'local'], overflow: 'other' },
  route: { values: Array.from({ length: 40 }, (_, i) => `/api/v1/resource-${i}`) },
  wide: { values: ['café', 'naïve', '日本', '日本語', 'ñ', 'Ω', '😀', 'e\u0301'] },
  status: { values: Array.from({ length: 60 }, (_, i) => String(200 + i * 7)) },
  crowd: { values: Array.from({ length: 300 }, (_, i) => `v${(i * 7919) % 1000}x${i % 7}`) },
};

function catalogueText(): string {
  const lines = ['namespace: hashed', 'budget: { series_per_metric: 1000, total_series: 10000 }', 'labels:'];
  for (const [id, { values, overflow }] of Object.entries(LABELS)) {
    lines.push(`  ${id}:`, `    description: Label ${id}.`, `    values: ${JSON.stringify(values)}`);
    if (overflow) lines.push(`    overflow: ${JSON.stringify(overflow)}`);
  }
  lines.push('groups:', '  main: { title: Main }', 'metrics:');
  for (const id of Object.keys(LABELS)) {
    lines.push(`  ${id}_total:`, '    type: counter', '    group: main', `    help: Calls by ${id}.`, '    unit: count', `    labels: [${id}]`);
  }
  lines.push('  pair_total:', '    type: counter', '    group: main', '    help: Calls by agent and route.', '    unit: count', '    labels: [agent, route]');
  lines.push('events:', '  call:', '    description: One call.', '    fields:', '      agent: { label: agent }', '      route: { label: route }', '    records:', '      - { inc: pair_total }');
  return `${lines.join('\n')}\n`;
}

const generation = generate(catalogueText());
const SOURCE = output(generation.outputs, 'generated/metrics.ts');
const modules = new ModuleDir(import.meta.dirname);
afterAll(() => modules.cleanup());
let module: GeneratedModule;
let metrics: GeneratedMetrics;
beforeAll(async () => {
  module = await modules.import(SOURCE);
  metrics = module.createMetrics({ defaultMetrics: false });
});

const idOf = (name: string): number => module.METRIC_SPECS.findIndex((s) => s.name === name);

/**
 * Position the call recorded into (from which series of the label's counter moved), or -1 for a
 * drop (the drop counter moved), after one `inc`.
 */
function recordedPosition(label: string, value: unknown): number {
  const id = idOf(`hashed_${label}_total`);
  const data = metrics.runtime.counter(id).data;
  const before = Array.from(data);
  const droppedBefore = metrics.runtime.dropped(id, 'unknown_label_value');
  (metrics[camel(`${label}_total`)] as { inc(labels: Record<string, unknown>): void }).inc({ [label]: value });
  const moved = before.flatMap((v, i) => (data[i] !== v ? [i] : []));
  const dropped = metrics.runtime.dropped(id, 'unknown_label_value') - droppedBefore;
  if (moved.length + dropped !== 1) throw new Error(`one call moved ${moved.length} series and ${dropped} drops`);
  return moved[0] ?? -1;
}

const camel = (snake: string): string => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** What a Map lookup says: the value's position; any other value goes to the overflow value, or is dropped (-1). */
function expectedPosition(label: string, value: unknown): number {
  const { values, overflow } = LABELS[label]!;
  const all = overflow === undefined ? values : [...values, overflow];
  const positions = new Map(all.map((v, i) => [v, i]));
  return (typeof value === 'string' ? positions.get(value) : undefined) ?? (overflow === undefined ? -1 : all.length - 1);
}

/** Strings that reach a value's hash slot: its length and its characters at the reads kept, another character elsewhere. */
function sameSlotAs(label: string): fc.Arbitrary<string> {
  const { values } = LABELS[label]!;
  const hash = findLabelHash(values);
  const read = new Set<(length: number) => number>((hash?.reads ?? []).map((r) => (length: number) => (r.fromEnd ? length - 1 - r.offset : r.offset)));
  return fc.tuple(fc.constantFrom(...values), fc.nat(), fc.integer({ min: 1, max: 0xffff })).map(([value, at, code]) => {
    const kept = new Set([...read].map((position) => position(value.length)));
    const free = [...value].map((_, i) => i).filter((i) => !kept.has(i));
    if (free.length === 0) return value.slice(0, -1) + String.fromCharCode(code); // every position read: change the last
    const i = free[at % free.length]!;
    return value.slice(0, i) + String.fromCharCode(code) + value.slice(i + 1);
  });
}

function inputs(label: string): fc.Arbitrary<unknown> {
  const { values, overflow } = LABELS[label]!;
  const known = fc.constantFrom(...values, ...(overflow ? [overflow] : []));
  return fc.oneof(
    known,
    known.map((v) => v.split('').join('')), // equal, but built at run time (not the literal's string)
    sameSlotAs(label),
    known.chain((v) => fc.constantFrom(v.slice(1), v.slice(0, -1), `${v} `, ` ${v}`, v.toUpperCase(), `${v}${v}`)),
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom<unknown>('', undefined, null, 0, 1, NaN, true, 10n, {}, [], Symbol('v'), new String(values[0])),
  );
}

describe('generated index functions against a Map lookup', () => {
  it('generates, and takes every shape: hashes with 0, 1 and 2 reads, one length, and the switch', () => {
    expect(errorLines(generation)).toEqual([]);
    const shapes = Object.fromEntries(Object.entries(LABELS).map(([id, { values, overflow }]) => [id, findLabelHash(overflow ? [...values, overflow] : values)?.reads.length ?? 'switch']));
    expect(shapes).toMatchObject({ by_length: 0, route: 2, crowd: 'switch' });
    expect(new Set(Object.values(shapes))).toEqual(new Set([0, 1, 2, 'switch']));
    // No length test: a value of another length fails the comparison (the Map properties below try them).
    expect(SOURCE).toMatch(/const length = value\.length;/);
    expect(SOURCE).not.toMatch(/if \(length/);
    expect(SOURCE).toMatch(/switch \(value\)/);
  });

  for (const label of Object.keys(LABELS)) {
    it(`label ${label}: the series each value goes to is the Map's (or the overflow value, or a drop)`, () => {
      fc.assert(
        fc.property(inputs(label), (value) => {
          expect(recordedPosition(label, value)).toBe(expectedPosition(label, value));
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('hashLookup (the generator’s model of the emitted code) agrees with the Map for random value sets', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }), { minLength: 2, maxLength: 40 }), fc.array(fc.string({ unit: 'binary', maxLength: 10 }), { maxLength: 40 }), (values, others) => {
        const hash = findLabelHash(values);
        if (hash === undefined) return;
        const positions = new Map(values.map((v, i) => [v, i]));
        for (const value of [...values, ...others]) expect(hashLookup(value, values, hash)).toBe(positions.get(value) ?? -1);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('an event with a value outside the catalogue takes the slow path: overflow for agent, a drop for route', () => {
    const recorder = module.createRecorder(metrics);
    const id = idOf('hashed_pair_total');
    const data = metrics.runtime.counter(id).data;
    const route = LABELS.route!.values.length;
    recorder.recordCall!({ agent: 'gemini', route: '/api/v1/resource-7' });
    expect(data[1 * route + 7]).toBe(1);
    recorder.recordCall!({ agent: 'mistral', route: '/api/v1/resource-7' });
    expect(data[5 * route + 7]).toBe(1); // other
    recorder.recordCall!({ agent: 'gemini', route: '/api/v1/resource-77' });
    expect(metrics.runtime.dropped(id, 'unknown_label_value')).toBe(1);
    expect(data.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
