/**
 * Property-based fuzzing of the seed catalogue: a thousand mutated copies of metrics.yaml (keys
 * dropped, duplicated and retyped, random strings and numbers, huge lists, deep nesting, values
 * swapped between places, metrics renamed, the text itself cut and spliced) go through compile and
 * emit in process. None may throw; every diagnostic is placed inside the text and named; every
 * accepted copy emits outputs their consumers read. Samples then go through the CLI as a
 * subprocess, the TypeScript compiler, promtool check rules and promtool check metrics.
 *
 * A failing case is kept in test/fuzz/.failures/ (the exact catalogue, and a .txt beside it with the
 * problem and the mutations). FUZZ_STATS=1 prints how many runs were made, accepted and rejected.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Diagnostic } from '../../generator/catalog/index.js';
import { formatDiagnostic } from '../../generator/catalog/diagnostics.js';
import { GENERATED_MARKER } from '../../generator/conventions.js';
import { emitAll } from '../../generator/emit/index.js';
import { makeTempDir } from '../helpers/catalogue.js';
import { pythonOpenMetricsCheck } from '../helpers/openmetrics-python.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { ModuleDir, ROOT, parseExpositionExactly, promtoolCheckRules, typeCheck, utf8 } from '../hostile/helpers/outputs.js';
import { mutate, mutationsArbitrary, namesOf } from './helpers/mutate.js';
import type { Mutation } from './helpers/mutate.js';

const FUZZ_DIR = fileURLToPath(new URL('.', import.meta.url));
const FAILURES_DIR = join(FUZZ_DIR, '.failures');
const FILE = 'metrics.yaml';
const SEED_TEXT = readFileSync(join(ROOT, FILE), 'utf8');
const SEED = parseDocument(SEED_TEXT);
const SEED_SERIALIZED = SEED.toString();

const SETTINGS = {
  seed: 20_250_607,
  /** A fixed count, never a time limit: every machine runs the same cases and draws the same samples. */
  numRuns: 300,
  /** Accepted mutations type-checked, and whose exposition and rules go through promtool (at most). */
  acceptedSample: 20,
  /** Distinct modules and rule files the seeded runs must yield at least, or the sample tests test little. */
  minimumSample: 5,
  /** Mutations run through the CLI as a subprocess: accepted ones, and rejected ones (each by another first rule). */
  cliAccepted: 3,
  cliRejected: 5,
} as const;

const hash = (text: string): string => createHash('sha1').update(text).digest('hex');

interface Sample {
  readonly text: string;
  readonly mutations: readonly Mutation[];
  readonly accepted: boolean;
}

/** What is wrong with a diagnostic of `text`: place outside the text, no rule, no message. */
function diagnosticProblems(text: string, diagnostics: readonly Diagnostic[]): string[] {
  const lines = text.split('\n');
  const problems: string[] = [];
  for (const d of diagnostics) {
    const where = `diagnostic ${JSON.stringify(formatDiagnostic(d)).slice(0, 300)}`;
    if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length) problems.push(`${where}: line ${d.line} outside 1..${lines.length}`);
    const line = lines[d.line - 1] ?? '';
    if (!Number.isInteger(d.col) || d.col < 1 || d.col > line.length + 1) problems.push(`${where}: column ${d.col} outside 1..${line.length + 1}`);
    if (typeof d.rule !== 'string' || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(d.rule)) problems.push(`${where}: rule id ${JSON.stringify(d.rule)}`);
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`${where}: empty message`);
    else if (/[\r\n]/.test(d.message)) problems.push(`${where}: the message spans lines, so the printed diagnostic is not one file:line:col line`);
    if (/\n\s+at .+:\d+:\d+/.test(d.message)) problems.push(`${where}: a stack trace in the message`);
    if (d.severity !== 'error' && d.severity !== 'warning') problems.push(`${where}: severity ${String(d.severity)}`);
    if (d.file !== FILE) problems.push(`${where}: file ${d.file}`);
  }
  return problems;
}

/** What is wrong with the outputs of an accepted catalogue, short of running their consumers. */
function outputProblems(outputs: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  if (!outputs.has('generated/metrics.ts')) problems.push('no generated/metrics.ts');
  for (const [path, content] of outputs) {
    if (!content.endsWith('\n')) problems.push(`${path} does not end with a newline`);
    // What the writer reads to tell generated files from the user's (isGeneratedFile).
    if (!Buffer.from(content).subarray(0, 512).toString('utf8').includes(GENERATED_MARKER)) problems.push(`${path} has no generated header in its first 512 bytes`);
    try {
      if (path.endsWith('.json')) JSON.parse(content);
      if (path.endsWith('.yaml')) {
        const errors = parseDocument(content).errors;
        if (errors.length > 0) problems.push(`${path} is not YAML: ${errors[0]!.message}`);
      }
    } catch (error) {
      problems.push(`${path} does not parse: ${String(error)}`);
    }
  }
  return problems;
}

/** A problem with what varies between cases (numbers, quoted text, positions) taken out, to group alike ones. */
function signature(problem: string): string {
  return problem
    .split('\n')[0]!
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

/** Keep a failing case for reproduction: the exact text, and beside it what was wrong. */
function saveFailure(text: string, mutations: readonly Mutation[], problems: readonly string[]): string {
  mkdirSync(FAILURES_DIR, { recursive: true });
  const file = join(FAILURES_DIR, `case-${hash(text).slice(0, 12)}.yaml`);
  writeFileSync(file, text);
  const notes = [`fuzz failure (seed ${SETTINGS.seed})`, ...problems, `mutations: ${JSON.stringify(mutations).slice(0, 4000)}`];
  writeFileSync(file.replace(/\.yaml$/, '.txt'), `${notes.join('\n')}\n`);
  return file;
}

describe(`fuzzing ${FILE} (seed ${SETTINGS.seed}, ${SETTINGS.numRuns} runs)`, () => {
  // The folder holds the failing cases of the last run only.
  rmSync(FAILURES_DIR, { recursive: true, force: true });
  const seedOutputs = emitAll(compileCatalog(SEED_TEXT, FILE).catalog!);
  const seedRules = [...seedOutputs].find(([path]) => path.startsWith('alerts/') && !path.endsWith('.test.yaml'))?.[1] ?? '';
  const seen = { ts: new Set([hash(seedOutputs.get('generated/metrics.ts')!)]), rules: new Set([hash(seedRules)]), rejectedRules: new Set<string>() };
  const typeScriptSample: { text: string; mutations: readonly Mutation[]; source: string }[] = [];
  const rulesSample: { text: string; mutations: readonly Mutation[]; rules: string }[] = [];
  const cliSample: Sample[] = [];
  const stats = { runs: 0, accepted: 0, rejected: 0 };
  const modules = new ModuleDir(FUZZ_DIR);
  const cliDirs: ReturnType<typeof makeTempDir>[] = [];
  /** CLI runs start as soon as their case is found, and run beside the in-process ones. */
  const cliRuns: Promise<{ sample: Sample; code: number | null; stdout: string; stderr: string }>[] = [];
  afterAll(() => {
    modules.cleanup();
    for (const dir of cliDirs) dir.cleanup();
  });

  function launchCli(sample: Sample): void {
    const dir = makeTempDir();
    cliDirs.push(dir);
    const catalog = join(dir.path, FILE);
    writeFileSync(catalog, sample.text);
    cliRuns.push(runCli(['generate', '--catalog', catalog, '--out', join(dir.path, 'out')]).then((result) => ({ sample, ...result })));
  }

  /** Collect the first distinct cases of each kind; the runs are seeded, so the sample is too. */
  function collect(text: string, mutations: readonly Mutation[], accepted: boolean, diagnostics: readonly Diagnostic[], outputs?: ReadonlyMap<string, string>): void {
    if (accepted && outputs) {
      const source = outputs.get('generated/metrics.ts')!;
      const rules = [...outputs].find(([path]) => path.startsWith('alerts/') && !path.endsWith('.test.yaml'))?.[1] ?? '';
      const tsHash = hash(source);
      if (typeScriptSample.length < SETTINGS.acceptedSample && !seen.ts.has(tsHash)) {
        seen.ts.add(tsHash);
        typeScriptSample.push({ text, mutations, source });
        if (cliSample.filter((s) => s.accepted).length < SETTINGS.cliAccepted) {
          cliSample.push({ text, mutations, accepted });
          launchCli(cliSample.at(-1)!);
        }
      }
      const rulesHash = hash(rules);
      if (rulesSample.length < SETTINGS.acceptedSample && !seen.rules.has(rulesHash)) {
        seen.rules.add(rulesHash);
        rulesSample.push({ text, mutations, rules });
      }
      return;
    }
    // Rejections by as many different first rules as the sample holds.
    const first = diagnostics.find((d) => d.severity === 'error')?.rule ?? 'none';
    if (cliSample.filter((s) => !s.accepted).length < SETTINGS.cliRejected && !seen.rejectedRules.has(first)) {
      seen.rejectedRules.add(first);
      cliSample.push({ text, mutations, accepted });
      launchCli(cliSample.at(-1)!);
    }
  }

  /**
   * The seeded runs, made once by whichever test asks first: each test can run alone, in any order,
   * and sees the same runs and samples (they depend on the seed and the count only).
   */
  let fuzzed: { failures: Map<string, { count: number; problem: string; text: string; mutations: readonly Mutation[] }> } | undefined;
  function fuzz(): NonNullable<typeof fuzzed> {
    if (fuzzed) return fuzzed;
    // Every run is checked and every problem kept, rather than stopping at the first: one pass
    // reports each kind of failure, with the smallest catalogue that shows it.
    const failures = new Map<string, { count: number; problem: string; text: string; mutations: readonly Mutation[] }>();
    const property = fc.property(mutationsArbitrary(namesOf(SEED)), (mutations) => {
      stats.runs++;
      const { text, applied } = mutate(SEED, mutations);
      const problems: string[] = [];
      let result: ReturnType<typeof compileCatalog> | undefined;
      try {
        result = compileCatalog(text, FILE);
      } catch (error) {
        problems.push(`compileCatalog threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      let outputs: ReadonlyMap<string, string> | undefined;
      if (result) {
        problems.push(...diagnosticProblems(text, result.diagnostics));
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        if (result.catalog) {
          stats.accepted++;
          if (errors.length > 0) problems.push(`accepted with ${errors.length} errors`);
          try {
            outputs = emitAll(result.catalog);
            problems.push(...outputProblems(outputs));
          } catch (error) {
            problems.push(`emitAll threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          }
        } else {
          stats.rejected++;
          if (errors.length === 0) problems.push('rejected without an error diagnostic');
        }
      }
      for (const problem of new Set(problems.map(signature))) {
        const failure = failures.get(problem);
        const example = problems.find((p) => signature(p) === problem)!;
        if (!failure) failures.set(problem, { count: 1, problem: example, text, mutations: applied });
        else {
          failure.count++;
          if (text.length < failure.text.length) Object.assign(failure, { problem: example, text, mutations: applied });
        }
      }
      if (problems.length === 0 && result) collect(text, applied, result.catalog !== undefined, result.diagnostics, outputs);
    });
    fc.assert(property, { seed: SETTINGS.seed, numRuns: SETTINGS.numRuns });
    fuzzed = { failures };
    return fuzzed;
  }

  it('compile and emit never throw; every diagnostic is placed in the text and named; every acceptance emits parseable outputs', () => {
    const { failures } = fuzz();
    expect(stats.runs).toBe(SETTINGS.numRuns);
    expect(SEED.toString(), 'the mutations changed the seed document itself').toBe(SEED_SERIALIZED);
    if (process.env['FUZZ_STATS']) process.stdout.write(`fuzz: ${JSON.stringify(stats)}, samples: ${typeScriptSample.length} modules, ${rulesSample.length} rule files, ${cliSample.length} CLI\n`);
    const report = [...failures.values()].map((f) => `${f.count}× ${f.problem.slice(0, 600)}\n   smallest case: ${saveFailure(f.text, f.mutations, [f.problem])}`);
    expect(report, `${stats.runs} runs`).toEqual([]);
    // Both outcomes must be exercised, or the mutations are too tame or too wild to test anything.
    expect(stats.accepted, `${stats.runs} runs`).toBeGreaterThanOrEqual(30);
    expect(stats.rejected, `${stats.runs} runs`).toBeGreaterThanOrEqual(150);
  }, 300_000); // the seeded runs themselves: ~20 s idle, ~50 s with the cores shared

  it(`the CLI, as a subprocess, exits 0 or 1 as compile decided, never 3, and prints no stack trace (sample of ${SETTINGS.cliAccepted + SETTINGS.cliRejected})`, async () => {
    fuzz();
    expect(cliSample.filter((s) => s.accepted)).toHaveLength(SETTINGS.cliAccepted);
    expect(cliSample.filter((s) => !s.accepted)).toHaveLength(SETTINGS.cliRejected);
    const results = await Promise.all(cliRuns);
    const problems: string[] = [];
    const diagnosticLine = /^.+:\d+:\d+: (error|warning): .+ \[[a-z0-9-]+\]$/;
    const summaryLine = /^\d+ errors? in .+; nothing written$/;
    for (const { sample, code, stdout, stderr } of results) {
      const found: string[] = [];
      const printed = `${stdout}${stderr}`;
      if (code !== (sample.accepted ? 0 : 1)) found.push(`exit ${code}, expected ${sample.accepted ? 0 : 1}: ${printed.slice(0, 500)}`);
      if (/^\s+at .+:\d+:\d+\)?$/m.test(printed) || /internal error/i.test(printed)) found.push(`printed a stack trace or an internal error: ${printed.slice(0, 500)}`);
      for (const line of stderr.split('\n').filter((l) => l !== '')) {
        if (!diagnosticLine.test(line) && !summaryLine.test(line)) found.push(`unexpected stderr line ${JSON.stringify(line.slice(0, 300))}`);
      }
      if (found.length > 0) problems.push(`${saveFailure(sample.text, sample.mutations, found)}: ${found.join('; ')}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it(`accepted mutations: the generated TypeScript type-checks (sample of up to ${SETTINGS.acceptedSample})`, () => {
    fuzz();
    expect(typeScriptSample.length).toBeGreaterThanOrEqual(SETTINGS.minimumSample);
    const check = typeCheck(typeScriptSample.map((s) => s.source));
    const problems = check.diagnostics.flatMap((errors, i) =>
      errors.length === 0 ? [] : [`${saveFailure(typeScriptSample[i]!.text, typeScriptSample[i]!.mutations, errors)}: ${errors.slice(0, 5).join('; ')}`],
    );
    expect(problems).toEqual([]);
    expect(check.other).toEqual([]);
  }, 180_000);

  it(`accepted mutations: the rule file passes promtool check rules (sample of up to ${SETTINGS.acceptedSample})`, () => {
    fuzz();
    expect(rulesSample.length).toBeGreaterThanOrEqual(SETTINGS.minimumSample);
    const problems: string[] = [];
    for (const { text, mutations, rules } of rulesSample) {
      const result = promtoolCheckRules(rules);
      if (result.status !== 0) problems.push(`${saveFailure(text, mutations, [result.output])}: ${result.output.slice(0, 500)}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it(`accepted mutations: a runtime created from the generated specs exposes what promtool check metrics and the Python OpenMetrics parser accept (sample of up to ${SETTINGS.acceptedSample})`, async () => {
    fuzz();
    expect(typeScriptSample.length).toBeGreaterThanOrEqual(SETTINGS.minimumSample);
    const problems: string[] = [];
    for (const { text, mutations, source } of typeScriptSample) {
      try {
        const module = await modules.import(source);
        const metrics = module.createMetrics({ defaultMetrics: false });
        const exposition = utf8(await metrics.runtime.expose('text'));
        const result = promtoolCheckMetrics(exposition);
        if (result.status !== 0 || result.output !== '') problems.push(`${saveFailure(text, mutations, [result.output])}: ${result.output.slice(0, 500)}`);
        parseExpositionExactly(exposition, 'text');
        const openMetrics = utf8(await metrics.runtime.expose('openmetrics'));
        parseExpositionExactly(openMetrics, 'openmetrics');
        const checked = pythonOpenMetricsCheck(openMetrics);
        const python = checked.status === 0 ? '' : `exit ${checked.status}: ${checked.output}`;
        if (python !== '') problems.push(`${saveFailure(text, mutations, [python])}: Python OpenMetrics parser: ${python.slice(0, 500)}`);
      } catch (error) {
        problems.push(`${saveFailure(text, mutations, [String(error)])}: ${String(error).slice(0, 500)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);
});

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env['LAZYBIRD_DEBUG'];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'generator', 'cli.ts'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
