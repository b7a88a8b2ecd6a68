/**
 * Length limits of the schema, counted in code points (what an author sees), not UTF-16 units: a
 * text of 2000 emoji is as long as one of 2000 letters. At the limit a text is accepted (the hostile
 * suite checks every output of such texts); one past it, it is rejected where it is written.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/catalog/diagnostics.js';
import { BASE, catalogue, positionOf } from '../helpers/catalogue.js';
import { errorLines, errorsOf, generate, yamlString } from './helpers/outputs.js';

const q = yamlString;

interface Slot {
  readonly name: string;
  readonly limit: number;
  /** A catalogue with `text` in the slot; `anchor` is the text of its line before the value. */
  readonly build: (text: string) => string;
  readonly anchor: string;
}

const withAlert = (summary: string): string =>
  BASE.metrics.replace(
    '    labels: [method]\n',
    `    labels: [method]\n    alerts:\n      - { name: RequestsHigh, kind: threshold, of: rate, above: 1, severity: info, summary: ${q(summary)} }\n`,
  );

/** The text with its last code point replaced by a period, as a summary must end. */
const sentence = (text: string): string => `${Array.from(text).slice(0, -1).join('')}.`;

const SLOTS: readonly Slot[] = [
  { name: 'help', limit: 2000, build: (t) => catalogue({ metrics: BASE.metrics.replace('help: Requests served.', `help: ${q(t)}`) }), anchor: 'help: ' },
  { name: 'group title', limit: 100, build: (t) => catalogue({ groups: `  main:\n    title: ${q(t)}\n` }), anchor: 'title: ' },
  { name: 'group description', limit: 2000, build: (t) => catalogue({ groups: `  main:\n    title: Main\n    description: ${q(t)}\n` }), anchor: 'description: ' },
  {
    name: 'label description',
    limit: 2000,
    build: (t) => catalogue({ labels: BASE.labels.replace('description: HTTP method of the request.', `description: ${q(t)}`) }),
    anchor: 'description: ',
  },
  { name: 'label value', limit: 200, build: (t) => catalogue({ labels: BASE.labels.replace('values: [get, post]', `values: [get, ${q(t)}]`) }), anchor: 'values: [get, ' },
  { name: 'overflow value', limit: 200, build: (t) => catalogue({ labels: BASE.labels.replace('overflow: other', `overflow: ${q(t)}`) }), anchor: 'overflow: ' },
  {
    name: 'panel title',
    limit: 100,
    build: (t) => catalogue({ metrics: BASE.metrics.replace('    labels: [method]\n', `    labels: [method]\n    panel: { title: ${q(t)} }\n`) }),
    anchor: 'panel: { title: ',
  },
  { name: 'event description', limit: 2000, build: (t) => catalogue({ events: BASE.events.replace('description: One request was served.', `description: ${q(t)}`) }), anchor: 'description: ' },
  { name: 'alert summary', limit: 2000, build: (t) => catalogue({ metrics: withAlert(sentence(t)) }), anchor: 'summary: ' },
];

/** `count` code points mixing astral (two UTF-16 units), CJK and ASCII characters, and hostile ones. */
function textOf(count: number): string {
  const pieces = Array.from('😀日"\\|`{é👍 a$*/<');
  return Array.from({ length: count }, (_, i) => pieces[i % pieces.length]).join('');
}

describe.each(SLOTS)('$name (at most $limit code points)', (slot) => {
  it(`is accepted with ${slot.limit} code points (${textOf(slot.limit).length} UTF-16 units)`, () => {
    const generation = generate(slot.build(textOf(slot.limit)));
    expect(errorLines(generation)).toEqual([]);
    expect(generation.catalog).toBeDefined();
  });

  it(`is rejected with ${slot.limit + 1}, at the text`, () => {
    const long = textOf(slot.limit + 1);
    const text = slot.build(long);
    const generation = generate(text);
    const { diagnostics, catalog } = generation;
    expect(generation.thrown).toBeUndefined();
    expect(catalog).toBeUndefined();
    const value = slot.name === 'alert summary' ? sentence(long) : long;
    const place = positionOf(text, { line: `${slot.anchor}${q(value)}`, col: q(value) });
    const errors = errorsOf(diagnostics);
    expect(errors.map((d) => `${d.line}:${d.col} ${d.rule}`), errors.map(formatDiagnostic).join('\n')).toContainEqual(expect.stringMatching(new RegExp(`^${place.line}:${place.col} schema-`)));
  });
});
