import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./misuse.fixture.ts', import.meta.url));

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(`${root}/tsconfig.json`, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

/** Type-check `source` as if it were the fixture file, against the real generated module. */
function diagnosticsOf(source: string): { line: number; code: number; message: string }[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === fixture ? source : readFile(file));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, create) =>
    file === fixture ? ts.createSourceFile(file, source, language, true) : getSourceFile(file, language, onError, create);
  const program = ts.createProgram([fixture], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fixture)
    .map((d) => ({
      line: d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
}

describe('generated/metrics.ts types', () => {
  const source = readFileSync(fixture, 'utf8');
  const lines = source.split('\n');
  const expected = lines.flatMap((line, index) => (line.trim().startsWith('// @ts-expect-error') ? [index + 2] : []));

  it('compiles the valid calls, and every misuse is a compile error (no unused @ts-expect-error)', () => {
    expect(expected.length).toBeGreaterThanOrEqual(15);
    expect(diagnosticsOf(source)).toEqual([]);
  });

  it('reports an error on each misuse line when the directives are removed', () => {
    const bare = lines.map((line) => (line.trim().startsWith('// @ts-expect-error') ? '' : line)).join('\n');
    const failing = new Set(diagnosticsOf(bare).map((d) => d.line));
    for (const line of expected) expect(failing, `line ${line}: ${lines[line - 1]}`).toContain(line);
    // Nothing else fails: the valid calls above stay valid.
    expect([...failing].every((line) => expected.includes(line))).toBe(true);
  });
});

describe('the whole project', () => {
  it('type-checks under the strict tsconfig (generated code, runtime, generator, tests)', () => {
    const config = ts.readConfigFile(`${root}/tsconfig.json`, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    // Scratch folders the hostile-text suite may have open right now are not part of the project.
    const files = parsed.fileNames.filter((file) => !/[\\/]\.out-/.test(file));
    const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, parsed.options));
    expect(diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)).toEqual([]);
  }, 300_000);
});
