/**
 * Names of the generated module's locals and helpers (issue 12): a catalogue whose names would make
 * one of them shadow another is a positioned error, and labels with the same values share one
 * index function.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitTypeScript } from '../../generator/emit/typescript/index.js';
import { BASE, catalogue } from '../helpers/catalogue.js';
import { ModuleDir, generate, output } from '../hostile/helpers/outputs.js';

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

  it('a label named like the shared series functions’ metric id parameter (metric_id) is an error at the label', () => {
    const text = catalogue({ labels: BASE.labels.replace('  method:', '  metric_id:'), metrics: BASE.metrics.replace('labels: [method]', 'labels: [metric_id]'), events: null });
    expect(collisions(text)).toEqual([{ message: expect.stringContaining('label metric_id would make the TypeScript name "metricId"'), line: lineOf(text, '  metric_id:') }]);
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

describe('series functions, label readers and face functions', () => {
  // Two counters and a histogram with the same labels, one counter with other labels.
  const labels = `${BASE.labels}  region:\n    description: Region.\n    values: [eu, us]\n`;
  const metrics = `${BASE.metrics.replace('    buckets: [0.1, 0.5, 1]\n', '    buckets: [0.1, 0.5, 1]\n    labels: [method, region]\n')}  errors_total:\n    type: counter\n    group: main\n    help: Errors.\n    unit: count\n    labels: [method, region]\n  retries_total:\n    type: counter\n    group: main\n    help: Retries.\n    unit: count\n    labels: [region]\n`;
  const generation = generate(catalogue({ labels, metrics, events: null }));
  const source = output(generation.outputs, 'generated/metrics.ts');
  const modules = new ModuleDir(import.meta.dirname);
  afterAll(() => modules.cleanup());

  it('are one per distinct label list, shared by the metrics that have it', () => {
    expect(source.match(/^function \w+Series\(/gm)).toEqual(['function requestsTotalSeries(', 'function requestDurationSecondsSeries(', 'function retriesTotalSeries(']);
    expect(source.match(/^function read\w+Labels\(/gm)).toEqual(['function readRequestsTotalLabels(', 'function readRequestDurationSecondsLabels(', 'function readRetriesTotalLabels(']);
    // The typed objects: one function per type and label list.
    expect(source.match(/^function \w+Face\(/gm)).toEqual(['function requestsTotalFace(', 'function requestDurationSecondsFace(', 'function errorsTotalFace(', 'function retriesTotalFace(']);
    expect(source).toContain('    errorsTotal: errorsTotalFace(runtime, 2),\n');
    expect(source).toContain('store.incWithExemplar(readRequestDurationSecondsLabels(runtime, metricId, labels), by, exemplar)');
  });

  it('count a drop for the metric that was called, not for the one the shared function is named after', async () => {
    const module = await modules.import(source);
    const exporter = module.createMetrics({ defaultMetrics: false });
    const idOf = (name: string): number => module.METRIC_SPECS.findIndex((spec) => spec.name === name);
    const errors = exporter['errorsTotal'] as { inc(labels: unknown): void };
    const histogram = exporter['requestDurationSeconds'] as { observe(labels: unknown, value: number): void };
    errors.inc({ method: 'get', region: 'mars' });
    histogram.observe(
      Object.defineProperty({ method: 'get' }, 'region', {
        get: () => {
          throw new Error('unreadable');
        },
      }),
      1,
    );
    errors.inc({ method: 'put', region: 'us' }); // the overflow value `other`
    const { runtime } = exporter;
    expect([runtime.dropped(idOf('shop_errors_total'), 'unknown_label_value'), runtime.dropped(idOf('shop_request_duration_seconds'), 'unreadable_input')]).toEqual([1, 1]);
    expect([runtime.dropped(idOf('shop_request_duration_seconds'), 'unknown_label_value'), runtime.dropped(idOf('shop_errors_total'), 'unreadable_input')]).toEqual([0, 0]);
    // method=other (position 2 of get, post, other), region=us (position 1): series 2 * 2 + 1.
    expect(Array.from(runtime.counter(idOf('shop_errors_total')).data)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(Array.from(runtime.counter(idOf('shop_requests_total')).data)).toEqual([0, 0, 0]);
    runtime.close();
  });
});
