/**
 * Checks every output of a generation the way its consumer reads it: the TypeScript compiler on the
 * emitted module (in memory, next to the real runtime), the module itself imported and run, promtool
 * on the rules and on the exposition, a JSON parser on the dashboards, a GFM table reader on the
 * reference. Shared by the hostile-text and fuzzing suites.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import ts from 'typescript';
import { compileCatalog } from '../../../generator/catalog/index.js';
import type { Catalog, Diagnostic } from '../../../generator/catalog/index.js';
import { formatDiagnostic } from '../../../generator/catalog/diagnostics.js';
import { emitAll } from '../../../generator/emit/index.js';
import type { Outputs } from '../../../generator/write.js';
import type { MetricSpec, MetricsRuntime } from '../../../runtime/index.js';
import { makeTempDir } from '../../helpers/catalogue.js';
import { parseExposition } from '../../runtime/helpers/parse.js';
import type { Format, Parsed } from '../../runtime/helpers/parse.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Generation {
  /** What compile or emit threw (a bug: neither may throw on any catalogue). */
  readonly thrown?: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly catalog: Catalog | undefined;
  /** Present when the catalogue was accepted. */
  readonly outputs: Outputs | undefined;
}

/**
 * compile + emit in process, as the CLI does. The outputs are given as the files hold them once
 * written, in UTF-8 (where a lone surrogate, which UTF-8 cannot encode, becomes U+FFFD).
 */
export function generate(text: string, file = 'metrics.yaml'): Generation {
  try {
    const { catalog, diagnostics } = compileCatalog(text, file);
    const outputs = catalog ? new Map([...emitAll(catalog)].map(([path, content]) => [path, utf8(content)] as const)) : undefined;
    return { diagnostics, catalog, outputs };
  } catch (thrown) {
    // Tests are collected from these results: a throw is reported by the tests, not at collection.
    return { thrown, diagnostics: [], catalog: undefined, outputs: undefined };
  }
}

/** A string as it reads after being encoded in UTF-8 (files, HTTP bodies, pipes). */
export function utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

export function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** The error diagnostics of a generation, formatted; a throw shows as one entry. */
export function errorLines(generation: Generation): string[] {
  if (generation.thrown !== undefined) return [`threw: ${generation.thrown instanceof Error ? (generation.thrown.stack ?? generation.thrown.message) : String(generation.thrown)}`];
  return errorsOf(generation.diagnostics).map(formatDiagnostic);
}

export function output(outputs: Outputs | undefined, path: string): string {
  const content = outputs?.get(path);
  if (content === undefined) throw new Error(`no output ${path} (outputs: ${[...(outputs?.keys() ?? [])].join(', ')})`);
  return content;
}

// ------------------------------------------------------------------------------------- TypeScript

export function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

export interface TypeCheck {
  readonly program: ts.Program;
  /** Virtual path of each source, in the order given. */
  readonly files: readonly string[];
  /** Errors per source, formatted `line:col: message`. */
  readonly diagnostics: readonly (readonly string[])[];
  /** Errors outside the sources (options, runtime, libraries). */
  readonly other: readonly string[];
}

/**
 * Type-check emitted modules in one program with the repository's compiler options. Each source is
 * a virtual file in `generated/` (never written), so its `lazybird-metrics/runtime` import resolves
 * to the real runtime exactly as it does for the committed module.
 */
export function typeCheck(sources: readonly string[]): TypeCheck {
  const options = compilerOptions();
  const generatedDir = join(ROOT, 'generated');
  const files = sources.map((_, i) => join(generatedDir, `__typecheck_${i}__.ts`));
  const virtual = new Map(files.map((file, i) => [file, sources[i]!]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.directoryExists = (dir) => dir === generatedDir || (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));
  host.getSourceFile = (file, language, onError, create) => {
    const source = virtual.get(file);
    return source === undefined ? getSourceFile.call(host, file, language, onError, create) : ts.createSourceFile(file, source, language, true);
  };
  const program = ts.createProgram(files, options, host);
  const all = ts.getPreEmitDiagnostics(program);
  const format = (d: ts.Diagnostic): string => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const place = where ? `${where.line + 1}:${where.character + 1}: ` : '';
    return `${place}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  };
  return {
    program,
    files,
    diagnostics: files.map((file) => all.filter((d) => d.file?.fileName === file).map(format)),
    other: all.filter((d) => !d.file || !virtual.has(d.file.fileName)).map((d) => `${d.file?.fileName ?? ''} ${format(d)}`),
  };
}

/**
 * Sources added while a test file is collected, type-checked together in one program when the
 * first result is asked for (in a hook): a program costs seconds, mostly loading the libraries.
 * Test files do not share modules, so `typeCheckBatch` is one per file.
 */
export class TypeCheckBatch {
  private readonly sources: string[] = [];
  private result: TypeCheck | undefined;

  /** The index of the source in the result. */
  add(source: string): number {
    if (this.result) throw new Error('sources are added while the tests are collected, before the first check');
    this.sources.push(source);
    return this.sources.length - 1;
  }

  check(): TypeCheck {
    this.result ??= typeCheck(this.sources);
    return this.result;
  }
}

export const typeCheckBatch = new TypeCheckBatch();

/** The string literal members of `export type <name> = ...` in a checked source. */
export function unionValues(check: TypeCheck, index: number, typeName: string): string[] | undefined {
  const source = check.program.getSourceFile(check.files[index]!);
  if (!source) return undefined;
  const checker = check.program.getTypeChecker();
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || statement.name.text !== typeName) continue;
    const type = checker.getTypeAtLocation(statement.name);
    const members = type.isUnion() ? type.types : [type];
    return members.map((member) => (member.isStringLiteral() ? member.value : `<not a string literal: ${checker.typeToString(member)}>`));
  }
  return undefined;
}

/** Every identifier in the code of a checked source; text inside literals and comments is not code. */
export function identifiersOf(check: TypeCheck, index: number): Set<string> {
  const source = check.program.getSourceFile(check.files[index]!);
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  if (source) visit(source);
  return names;
}

/** Top-level statements of a checked source by kind, to show nothing but declarations was emitted. */
export function statementKinds(check: TypeCheck, index: number): Set<string> {
  const source = check.program.getSourceFile(check.files[index]!);
  const kindOf = (s: ts.Statement): string => {
    if (ts.isImportDeclaration(s)) return 'import';
    if (ts.isTypeAliasDeclaration(s)) return 'type';
    if (ts.isInterfaceDeclaration(s)) return 'interface';
    if (ts.isFunctionDeclaration(s)) return 'function';
    if (ts.isVariableStatement(s)) return 'const';
    return `${ts.SyntaxKind[s.kind]} at ${s.getStart()}: ${s.getText().slice(0, 80)}`;
  };
  return new Set((source?.statements ?? []).map(kindOf));
}

// ----------------------------------------------------------------------------- running the module

/** What the tests use of a generated module; its real types depend on the catalogue. */
export interface GeneratedModule {
  readonly METRIC_SPECS: readonly MetricSpec[];
  readonly DASHBOARDS: readonly { readonly uid: string; readonly title: string }[];
  createMetrics(options?: { defaultMetrics?: boolean; strict?: boolean }): GeneratedMetrics;
  createRecorder(metrics: GeneratedMetrics): Record<string, (event: Record<string, unknown>) => void>;
}

export interface GeneratedMetrics {
  readonly runtime: MetricsRuntime;
  summary(): Record<string, number | null>;
  reset(): void;
  readonly [property: string]: unknown;
}

/**
 * A folder inside the repository (so the test runner transforms the TypeScript and the runtime
 * import resolves) where emitted modules are written to be imported; `cleanup()` removes it.
 */
export class ModuleDir {
  readonly path: string;
  private count = 0;

  constructor(suiteDir: string) {
    this.path = join(suiteDir, `.out-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  }

  /** Write `source` as `<case>/generated/metrics.ts` and import it (its runtime import is the package's self-reference). */
  async import(source: string): Promise<GeneratedModule> {
    const file = join(this.path, `case-${this.count++}`, 'generated', 'metrics.ts');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
    return (await import(pathToFileURL(file).href)) as GeneratedModule;
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

// -------------------------------------------------------------------------------------- promtool

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/** `promtool check rules` on a rule file's text. */
export function promtoolCheckRules(text: string): ToolResult {
  const dir = makeTempDir();
  try {
    const file = join(dir.path, 'rules.yaml');
    writeFileSync(file, text);
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  } finally {
    dir.cleanup();
  }
}

/**
 * `promtool test rules`: the rule file evaluated by Prometheus' own code, alerts compared with their
 * expected labels and annotations after template expansion. `test` is the test file, which names the
 * rule file `rules.yaml`.
 */
export function promtoolTestRules(rules: string, test: string): ToolResult {
  const dir = makeTempDir();
  try {
    writeFileSync(join(dir.path, 'rules.yaml'), rules);
    writeFileSync(join(dir.path, 'test.yaml'), test);
    const result = spawnSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir.path, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  } finally {
    dir.cleanup();
  }
}

/**
 * A YAML double-quoted scalar in printable ASCII only, every other character escaped as Go's YAML
 * reads it (`\x`, `\u`, `\U`): what promtool reads is then exactly `text`, whatever the rule file's
 * own encoding does.
 */
export function goYamlString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new Error(`${JSON.stringify(text)} holds a lone surrogate, which no UTF-8 file can hold: the catalogue should reject it`);
    }
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------- PromQL

/** The values of every string literal in a PromQL expression, unquoted as Go (and PromQL) do. */
export function promqlStrings(expr: string): string[] {
  const values: string[] = [];
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.name === 'StringLiteral') values.push(unquoteGo(expr.slice(ref.from, ref.to)));
    },
  });
  return values;
}

/** Go's strconv.Unquote for "..." and '...' (PromQL strings); throws where Go would fail. */
export function unquoteGo(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal.at(-1) !== quote) throw new Error(`not a quoted string: ${literal}`);
  if (quote === '`') return literal.slice(1, -1);
  if (quote !== '"' && quote !== "'") throw new Error(`not a quoted string: ${literal}`);
  const body = literal.slice(1, -1);
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\n') throw new Error(`newline in ${literal}`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error(`dangling backslash in ${literal}`);
    if (simple[e] !== undefined) {
      out += simple[e];
      continue;
    }
    const hex = (n: number): number => {
      const digits = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw new Error(`bad escape in ${literal}`);
      i += n;
      return parseInt(digits, 16);
    };
    let code: number;
    if (e === 'x') code = hex(2);
    else if (e === 'u') code = hex(4);
    else if (e === 'U') code = hex(8);
    else if (/[0-7]/.test(e)) {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw new Error(`bad octal escape in ${literal}`);
      i += 2;
      code = parseInt(digits, 8);
    } else throw new Error(`unknown escape \\${e} in ${literal}`);
    // Go refuses surrogate halves and code points beyond Unicode in \u and \U escapes.
    if ((e === 'u' || e === 'U') && ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)) {
      throw new Error(`escape sequence is an invalid Unicode code point in ${literal}`);
    }
    out += e === 'x' || /[0-7]/.test(e) ? String.fromCharCode(code) : String.fromCodePoint(code);
  }
  return out;
}

// -------------------------------------------------------------------------------------- Markdown

/** Splits a GFM table row into its cells at every `|` not escaped by a backslash. */
export function tableCells(row: string): string[] {
  const parts = row.split(/(?<!\\)\|/);
  // A row starts and ends with a pipe: the first and last parts are empty.
  return parts.slice(1, -1).map((cell) => cell.replace(/^ /, '').replace(/ $/, ''));
}

/** Every GFM table of a document: its lines, header first. */
export function markdownTables(markdown: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      current ??= [];
      current.push(line);
    } else if (current) {
      tables.push(current);
      current = undefined;
    }
  }
  if (current) tables.push(current);
  return tables;
}

/** Rows whose count of unescaped pipes differs from their table's header (a broken table). */
export function tableShapeProblems(markdown: string): string[] {
  const problems: string[] = [];
  const pipes = (line: string): number => line.split(/(?<!\\)\|/).length - 1;
  for (const table of markdownTables(markdown)) {
    const [header, delimiter] = table;
    if (header === undefined || delimiter === undefined || !/^\|( ?:?-+:? ?\|)+$/.test(delimiter)) {
      problems.push(`not a table: ${JSON.stringify(table.slice(0, 2))}`);
      continue;
    }
    const expected = pipes(header);
    for (const row of table) {
      if (pipes(row) !== expected) problems.push(`${pipes(row)} pipes instead of ${expected}: ${row.slice(0, 200)}`);
      if (!row.endsWith('|')) problems.push(`row does not end with a pipe: ${row.slice(-200)}`);
    }
  }
  return problems;
}

/** Text of a reference cell with its HTML escapes and <br> line breaks undone. */
export function decodeCell(text: string): string {
  return text
    .replace(/<br>/g, '\n')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A text as Grafana shows it: the invisible WORD JOINERs that keep `$name` and `[[name]]` inert removed. */
export function grafanaShown(text: string): string {
  return text.replaceAll('\u2060', '');
}

/**
 * Every variable reference Grafana's template service would expand in `text` (its regular
 * expression: `$name`, `[[name]]`, `[[name:format]]`, `${name}`, `${name.path}`, `${name:format}`).
 */
export function grafanaVariables(text: string): string[] {
  const pattern = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
  return [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[4] ?? '');
}

/** The decoded contents of every `<code>` element in a cell, in order. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => decodeCell(m[1]!));
}

/** A text as a reference cell can keep it: every kind of line end becomes one `<br>`. */
export function asCellText(text: string): string {
  return text.replace(/\r\n|\r/g, '\n');
}

// ------------------------------------------------------------------------------------ exposition

/**
 * The strict exposition parser of the runtime suites reads HELP with a regular expression whose `.`
 * stops at CR, U+2028 and U+2029, which both formats allow raw in HELP (only `\\` and `\n` are
 * escaped); they are swapped for private-use characters around the parse and restored in the result.
 */
const LINE_LIKE: Readonly<Record<string, string>> = { '\r': '\ue000', '\u2028': '\ue001', '\u2029': '\ue002' };

export function parseExpositionExactly(text: string, format: Format): Parsed {
  const back = Object.fromEntries(Object.entries(LINE_LIKE).map(([k, v]) => [v, k]));
  if (/[\ue000-\ue002]/.test(text)) throw new Error('the exposition already holds the placeholder characters');
  const restore = (s: string): string => s.replace(/[\ue000-\ue002]/g, (c) => back[c]!);
  const parsed = parseExposition(text.replace(/[\r\u2028\u2029]/g, (c) => LINE_LIKE[c]!), format);
  for (const family of parsed.families.values()) if (family.help !== undefined) family.help = restore(family.help);
  for (const sample of parsed.samples) {
    for (const [name, value] of Object.entries(sample.labels)) sample.labels[name] = restore(value);
    sample.line = restore(sample.line);
  }
  return parsed;
}

// ------------------------------------------------------------------------------------------ JSON

/** Every string in a JSON value, keys excluded. */
export function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) jsonStrings(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) jsonStrings(item, out);
  return out;
}

// ------------------------------------------------------------------------------------------ text

/** The first `count` code points of a string (never half a surrogate pair). */
export function codePoints(text: string, count: number): string {
  return Array.from(text).slice(0, count).join('');
}

export function codePointLength(text: string): number {
  return Array.from(text).length;
}

/**
 * A YAML double-quoted scalar that reads back as exactly `text`: JSON's escapes (which YAML's
 * double-quoted style shares) plus `\u` escapes for what YAML would fold or refuse when raw.
 */
export function yamlString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
