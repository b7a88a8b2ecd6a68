/**
 * What the fuzzer found, reduced to the smallest catalogue that shows it and kept as plain tests, so
 * each stays checked whatever the seed catalogue or the mutations become.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { formatDiagnostic } from '../../generator/catalog/diagnostics.js';
import { main } from '../../generator/cli.js';
import { BASE, catalogue, makeTempDir, positionOf } from '../helpers/catalogue.js';

/** Diagnostics placed outside the text: a line past the end, or a column past the end of its line. */
function misplaced(text: string): string[] {
  const lines = text.split('\n');
  return compileCatalog(text, 'metrics.yaml')
    .diagnostics.filter((d) => d.line < 1 || d.line > lines.length || d.col < 1 || d.col > (lines[d.line - 1] ?? '').length + 1)
    .map(formatDiagnostic);
}

describe('syntax errors after a multi-line plain scalar are placed where they are', () => {
  // The seed's events section after the fuzzer dedented one line: the key under a flow item, and
  // a description folded over two lines.
  const text = [
    '      - { inc: test_failures_total, by: test_failures }',
    '    description: A task switched agents mid-way; records the switch, its quality',
    '      change and cost ratio.',
    '      from_agent: { label: from_agent }',
  ].join('\n');

  it('every diagnostic lies inside the text', () => {
    expect(misplaced(text)).toEqual([]);
  });

  it('the unexpected "{" of the last line is reported on the last line, at the brace', () => {
    const brace = positionOf(text, { line: 'from_agent: { label', col: '{' });
    const found = compileCatalog(text, 'metrics.yaml').diagnostics.filter((d) => d.message.includes('flow-map-start'));
    expect(found.map((d) => `${d.line}:${d.col}`)).toEqual([`${brace.line}:${brace.col}`]);
  });

  it('in the smallest text that shows it, the ":" of the third line is reported at 3:4', () => {
    const smallest = ' -\n.\n  l:';
    expect(misplaced(smallest)).toEqual([]);
    const colon = compileCatalog(smallest, 'metrics.yaml').diagnostics.filter((d) => d.message.includes('map-value-ind'));
    expect(colon.map((d) => `${d.line}:${d.col}`)).toEqual(['3:4']);
  });
});

describe('a diagnostic is one line, whatever the catalogue text it quotes', () => {
  const text = catalogue({ labels: BASE.labels.replace('    values: [get, post]\n', '    name: "Line one\\nline two\\r\\n"\n    values: [get, post]\n') });

  it('no message holds a line break', () => {
    const messages = compileCatalog(text, 'metrics.yaml').diagnostics.map((d) => d.message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.filter((m) => /[\r\n]/.test(m))).toEqual([]);
  });

  it('the CLI prints every diagnostic as one file:line:col line', async () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'metrics.yaml');
      writeFileSync(file, text);
      const err: string[] = [];
      // `await` whether main answers at once or with a promise.
      const code = await main(['generate', '--catalog', file, '--out', join(dir.path, 'out')], { out: () => {}, err: (line) => err.push(line) });
      expect(code).toBe(1);
      const lines = err.join('\n').split(/\r\n|\r|\n/);
      const unexpected = lines.filter((line) => !/^.+:\d+:\d+: (error|warning): .+ \[[a-z0-9-]+\]$/.test(line) && !/^\d+ errors? in .+; nothing written$/.test(line));
      expect(unexpected).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
