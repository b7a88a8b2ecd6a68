/**
 * The generator's module graph: no import cycle, and the emitters import nothing from the rules
 * (they read the model only). Imports are read from the sources, type-only ones included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const GENERATOR = fileURLToPath(new URL('../../generator', import.meta.url));
const files = readdirSync(GENERATOR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(GENERATOR, f));
const graph = new Map(
  files.map((file) => {
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)';/gms)].map((m) => m[1]!);
    const targets = specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts')).filter((t) => t.startsWith(GENERATOR));
    return [file, targets] as const;
  }),
);
const name = (file: string): string => relative(GENERATOR, file);

describe('generator imports', () => {
  it('are read (the graph is not empty)', () => {
    expect(graph.get(join(GENERATOR, 'catalog/model.ts'))?.map(name)).toContain('conventions.ts');
  });

  it('form no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('give the emitters nothing from the rules', () => {
    const offending = [...graph].filter(([file]) => name(file).startsWith('emit/')).flatMap(([file, targets]) =>
      targets.filter((t) => name(t).startsWith('catalog/rules/')).map((t) => `${name(file)} -> ${name(t)}`),
    );
    expect(offending).toEqual([]);
  });
});
