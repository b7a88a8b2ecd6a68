/**
 * Names of the generated module's locals and helpers (issue 12): a catalogue whose names would make
 * one of them shadow another is a positioned error, and labels with the same values share one
 * index function.
 */
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitTypeScript } from '../../generator/emit/typescript/index.js';
import { BASE, catalogue } from '../helpers/catalogue.js';

function collisions(text: string): { message: string; line: number }[] {
  const { diagnostics } = compileCatalog(text, 'metrics.yaml');
  return diagnostics.filter((d) => d.rule === 'generated-name-collision').map((d) => ({ message: d.message, line: d.line }));
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('locals of the generated functions', () => {
  it('an event field whose local would shadow a metric store is an error at the field', () => {
    const text = catalogue({ events: BASE.events.replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      requests_total_store: { type: number }\n').concat('      - { inc: requests_total, by: requests_total_store }\n') });
    expect(collisions(text)).toEqual([
      { message: expect.stringMatching(/^field requests_total_store of event request would make the TypeScript name "requestsTotalStore", already taken by metric requests_total \(metrics\.yaml:\d+:3\)/), line: lineOf(text, 'requests_total_store:') },
    ]);
  });

  it('an event field named like the recorder method’s parameter is an error', () => {
    const text = catalogue({ events: BASE.events.replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      event: { type: number, optional: true }\n').concat('      - { inc: requests_total, by: event }\n') });
    expect(collisions(text)).toEqual([{ message: expect.stringContaining('"event", already taken by a local of the generated functions'), line: lineOf(text, '      event:') }]);
  });

  it('a label named like a local of createMetrics (runtime) is an error at the label', () => {
    const text = catalogue({ labels: BASE.labels.replace('  method:', '  runtime:'), metrics: BASE.metrics.replace('labels: [method]', 'labels: [runtime]'), events: null });
    expect(collisions(text)).toEqual([{ message: expect.stringContaining('label runtime would make the TypeScript name "runtime"'), line: lineOf(text, '  runtime:') }]);
  });

  it('a field whose local meets the position local of another field of the same event is an error', () => {
    const text = catalogue({ events: BASE.events.replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      method_at: { type: number }\n').concat('      - { inc: requests_total, by: method_at }\n') });
    expect(collisions(text)).toEqual([{ message: expect.stringContaining('"methodAt"'), line: lineOf(text, 'method_at:') }]);
  });

  it('a field whose local would shadow the recorder method’s slow path is an error at the field', () => {
    const text = catalogue({ events: BASE.events.replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      record_request_slowly: { type: number }\n').concat('      - { inc: requests_total, by: record_request_slowly }\n') });
    expect(collisions(text)).toEqual([{ message: expect.stringContaining('"recordRequestSlowly"'), line: lineOf(text, 'record_request_slowly:') }]);
  });
});

describe('index functions', () => {
  it('labels with the same values share one, labels with other values (or order) get their own', () => {
    const labels = `${BASE.labels}  verb:\n    description: Same values.\n    values: [get, post]\n    overflow: other\n  swapped:\n    description: Same values, other order.\n    values: [post, get]\n    overflow: other\n`;
    const metrics = BASE.metrics.replace('labels: [method]', 'labels: [method, verb, swapped]');
    const { catalog, diagnostics } = compileCatalog(catalogue({ labels, metrics, events: null }), 'metrics.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const module = [...emitTypeScript(catalog!).values()][0]!;
    expect(module.match(/^function \w+Index\(/gm)).toEqual(['function methodIndex(', 'function swappedIndex(']);
    expect(module).toContain('let verbAt = methodIndex(verb);');
    expect(module).toContain('let swappedAt = swappedIndex(swapped);');
  });
});
