/** generator/write.ts: byte-stable, all-or-nothing writes that keep the user's files; recovery. */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { main } from '../../generator/cli.js';
import { generatedHeader } from '../../generator/conventions.js';
import { emitAll } from '../../generator/emit/index.js';
import { findStale, recoverInterruptedWrite, writeOutputs } from '../../generator/write.js';
import { BASE, catalogue, makeTempDir } from '../helpers/catalogue.js';

const STAGING = '.lazybird-generate';
const MD = generatedHeader('metrics.yaml', '<!--', '-->');
const YAML = generatedHeader('metrics.yaml', '#');

let tmp: ReturnType<typeof makeTempDir>;
let out: string;
beforeEach(() => {
  tmp = makeTempDir();
  out = tmp.path;
});
afterEach(() => tmp.cleanup());

function put(path: string, content: string): void {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), content);
}
const read = (path: string): string => readFileSync(join(out, path), 'utf8');

/** Every file under the folder (relative path → content), staging included. */
function tree(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    if (entry.isFile()) files[relative(out, full).split('\\').join('/')] = readFileSync(full, 'utf8');
  }
  return files;
}

const outputs = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
const DOCS = `${MD}\n\n# docs\n`;
const RULES = `${YAML}\ngroups: []\n`;

describe('writeOutputs', () => {
  it('writes each output byte for byte, creating its folders, and leaves no staging folder', () => {
    const content = { 'generated/METRICS.md': DOCS, 'alerts/rules.yaml': RULES, 'generated/deep/er/x.ts': `// ${YAML.slice(2)}\nexport {};\n` };
    const result = writeOutputs(out, outputs(content));
    expect(tree()).toEqual(content);
    for (const [path, text] of Object.entries(content)) expect(readFileSync(join(out, path))).toEqual(Buffer.from(text, 'utf8'));
    expect([...result.written]).toEqual(Object.keys(content).sort());
    expect(result.removed).toEqual([]);
    expect(existsSync(join(out, STAGING))).toBe(false);
  });

  it('is byte-stable: a second write of the same outputs changes nothing and reports nothing written', () => {
    const content = { 'generated/METRICS.md': DOCS, 'alerts/rules.yaml': RULES };
    writeOutputs(out, outputs(content));
    const result = writeOutputs(out, outputs(content));
    expect(tree()).toEqual(content);
    expect(result).toEqual({ written: [], removed: [] });
  });

  it('reports only the outputs that changed', () => {
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS, 'alerts/rules.yaml': RULES }));
    const result = writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS + 'more\n', 'alerts/rules.yaml': RULES }));
    expect(result.written).toEqual(['generated/METRICS.md']);
    expect(read('generated/METRICS.md')).toBe(DOCS + 'more\n');
  });

  it('keeps files without the generated header, in output folders the catalogue fills and in others', () => {
    put('generated/NOTES.md', 'my notes\n');
    put('generated/sub/keep.txt', 'nested, mine\n');
    put('dashboards/hand-made.json', '{"mine": true}\n');
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS }));
    expect(tree()).toEqual({
      'generated/METRICS.md': DOCS,
      'generated/NOTES.md': 'my notes\n',
      'generated/sub/keep.txt': 'nested, mine\n',
      'dashboards/hand-made.json': '{"mine": true}\n',
    });
    // And again, now that the folders were swapped once.
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS }));
    expect(read('generated/NOTES.md')).toBe('my notes\n');
  });

  it('keeps a symbolic link the user put in an output folder', () => {
    put('docs/README.md', 'mine\n');
    mkdirSync(join(out, 'generated'), { recursive: true });
    symlinkSync('../docs/README.md', join(out, 'generated', 'README.md'));
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS }));
    expect(existsSync(join(out, 'generated', 'README.md')) && lstatSync(join(out, 'generated', 'README.md')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'generated', 'README.md'))).toBe('../docs/README.md');
  });

  it('removes generated files the catalogue no longer produces, in any output folder', () => {
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS, 'generated/old.md': `${MD}\nold\n`, 'alerts/rules.yaml': RULES }));
    put('dashboards/retired.json', `{\n  "description": "${YAML.slice(2)}"\n}\n`);
    const result = writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS }));
    expect(tree()).toEqual({ 'generated/METRICS.md': DOCS });
    expect([...result.removed].sort()).toEqual(['alerts/rules.yaml', 'dashboards/retired.json', 'generated/old.md']);
  });

  it('treats a file with the header further down than the first lines as the user’s', () => {
    put('generated/quote.md', `${'x'.repeat(600)}\n${MD}\n`);
    writeOutputs(out, outputs({ 'generated/METRICS.md': DOCS }));
    expect(existsSync(join(out, 'generated/quote.md'))).toBe(true);
  });
});

describe('findStale', () => {
  it('lists changed, missing and extra outputs without writing', () => {
    put('generated/METRICS.md', DOCS + 'edited\n');
    put('generated/old.md', `${MD}\nold\n`);
    put('generated/NOTES.md', 'mine\n');
    const before = tree();
    const report = findStale(out, outputs({ 'generated/METRICS.md': DOCS, 'alerts/rules.yaml': RULES }));
    expect(report).toEqual({ changed: ['generated/METRICS.md'], missing: ['alerts/rules.yaml'], extra: ['generated/old.md'], interrupted: false });
    expect(tree()).toEqual(before);
  });
});

describe('outputs of the emitters', () => {
  const compileText = (text: string): Map<string, string> => {
    const { catalog } = compileCatalog(text, 'metrics.yaml');
    if (!catalog) throw new Error('no model');
    return new Map(emitAll(catalog));
  };

  it('use LF and end with exactly one newline', () => {
    const files = compileText(catalogue());
    expect(files.size).toBeGreaterThan(0);
    for (const [path, content] of files) {
      expect(content, path).not.toContain('\r');
      expect(content.endsWith('\n') && !content.endsWith('\n\n'), path).toBe(true);
    }
  });

  it('are the same bytes for the same catalogue, whatever its line endings', () => {
    const lf = compileText(catalogue());
    expect(compileText(catalogue())).toEqual(lf);
    expect(compileText(catalogue().replace(/\n/g, '\r\n'))).toEqual(lf);
  });

  it('are written and read back unchanged', () => {
    const files = compileText(catalogue());
    writeOutputs(out, files);
    for (const [path, content] of files) expect(readFileSync(join(out, path))).toEqual(Buffer.from(content, 'utf8'));
    const report = findStale(out, files);
    expect(report).toEqual({ changed: [], missing: [], extra: [], interrupted: false });
  });
});

describe('an invalid catalogue', () => {
  it('writes nothing: the outputs and the user’s files stay as they were', async () => {
    const catalogPath = join(out, 'metrics.yaml');
    const io = { out: () => {}, err: () => {} };
    writeFileSync(catalogPath, catalogue());
    expect(await main(['generate', '--catalog', catalogPath, '--out', out], io)).toBe(0);
    put('generated/NOTES.md', 'mine\n');
    writeFileSync(catalogPath, catalogue({ metrics: BASE.metrics.replace('Requests served.', 'Requests served.\n    unit: none') }));
    const before = tree();
    expect(await main(['generate', '--catalog', catalogPath, '--out', out], io)).toBe(1);
    expect(tree()).toEqual(before);
  });
});

describe('an interrupted run', () => {
  const OLD = `${MD}\n\n# old\n`;
  const NEW = `${MD}\n\n# new\n`;
  /** A journal as a run commits it: every output, the folders it cleans, what it renames in and removes. */
  const journal = (entries: { outputs: string[]; owned?: string[]; write: string[]; remove?: string[] }): void =>
    put(`${STAGING}/journal.json`, JSON.stringify({ format: 'lazybird-metrics write journal 1', owned: ['generated', 'dashboards', 'alerts'], remove: [], ...entries }) + '\n');

  it('killed after its commit is reported by findStale and rolled forward by recoverInterruptedWrite', () => {
    put('generated/METRICS.md', OLD);
    put('generated/NOTES.md', 'mine\n');
    put('generated/.METRICS.md.lazybird-tmp', NEW);
    journal({ outputs: ['generated/METRICS.md'], write: ['generated/METRICS.md'] });
    expect(findStale(out, outputs({ 'generated/METRICS.md': NEW })).interrupted).toBe(true);
    expect(recoverInterruptedWrite(out)).toEqual([]);
    expect(tree()).toEqual({ 'generated/METRICS.md': NEW, 'generated/NOTES.md': 'mine\n' });
  });

  it('killed halfway through its renames is finished: done renames are skipped, removals happen', () => {
    put('generated/METRICS.md', NEW); // already renamed in
    put('dashboards/board.md', `${MD}\nold board\n`);
    put('dashboards/.board.md.lazybird-tmp', `${MD}\nnew board\n`);
    put('alerts/retired.yaml', `${YAML}\ngroups: []\n`);
    journal({ outputs: ['generated/METRICS.md', 'dashboards/board.md'], write: ['generated/METRICS.md', 'dashboards/board.md'], remove: ['alerts/retired.yaml'] });
    recoverInterruptedWrite(out);
    expect(tree()).toEqual({ 'generated/METRICS.md': NEW, 'dashboards/board.md': `${MD}\nnew board\n` });
  });

  it('killed after its commit is rolled forward by the next writeOutputs before it plans', () => {
    put('generated/METRICS.md', OLD);
    put('generated/.METRICS.md.lazybird-tmp', NEW);
    put('dashboards/retired.md', `${MD}\n{}\n`);
    journal({ outputs: ['generated/METRICS.md'], write: ['generated/METRICS.md'], remove: ['dashboards/retired.md'] });
    const result = writeOutputs(out, outputs({ 'generated/METRICS.md': NEW }));
    expect(tree()).toEqual({ 'generated/METRICS.md': NEW });
    expect(result).toEqual({ written: [], removed: [] });
  });

  it('killed before its commit leaves the old outputs, and its temporary file is removed by the next run', () => {
    put('generated/METRICS.md', OLD);
    put('generated/.METRICS.md.lazybird-tmp', NEW);
    put('generated/.extra.md.lazybird-tmp', `${MD}\nstaged only\n`);
    put('generated/.empty.md.lazybird-tmp', '');
    const report = findStale(out, outputs({ 'generated/METRICS.md': OLD }));
    expect(report.interrupted).toBe(false);
    expect(report.extra).toEqual(['generated/.METRICS.md.lazybird-tmp', 'generated/.extra.md.lazybird-tmp']);
    const result = writeOutputs(out, outputs({ 'generated/METRICS.md': OLD }));
    expect(result).toEqual({ written: [], removed: ['generated/.METRICS.md.lazybird-tmp', 'generated/.extra.md.lazybird-tmp'] });
    // The empty one carries no header: only a name, so it is the user's to remove.
    expect(tree()).toEqual({ 'generated/METRICS.md': OLD, 'generated/.empty.md.lazybird-tmp': '' });
  });

  it('leaves nothing to recover when there is no journal', () => {
    put('generated/METRICS.md', OLD);
    expect(recoverInterruptedWrite(out)).toEqual([]);
    expect(tree()).toEqual({ 'generated/METRICS.md': OLD });
  });
});
