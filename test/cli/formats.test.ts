/** --format text|json|github: the same findings in each, GitHub's escaping, and init. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { githubCommand } from '../../generator/cli/report.js';
import { BASE, catalogue, makeTempDir, positionOf } from '../helpers/catalogue.js';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let tmp: ReturnType<typeof makeTempDir>;
let catalogPath: string;
beforeEach(() => {
  tmp = makeTempDir();
  catalogPath = join(tmp.path, 'metrics.yaml');
});
afterEach(() => tmp.cleanup());

describe('--format', () => {
  // Two errors of different rules, at places read from the text itself.
  const text = catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary').replace('    help: Time', '    halp: Typo.\n    help: Time') });
  const typeAt = positionOf(text, { line: 'type: summary', col: 'summary' });
  const halpAt = positionOf(text, { line: 'halp: Typo.', col: 'halp' });

  it('text, json and github report the same findings, each at its place', async () => {
    writeFileSync(catalogPath, text);
    const out = join(tmp.path, 'out');
    const asText = await run('generate', '--catalog', catalogPath, '--out', out);
    const asJson = await run('generate', '--catalog', catalogPath, '--out', out, '--format', 'json');
    const asGithub = await run('generate', '--catalog', catalogPath, '--out', out, '--format', 'github');
    for (const result of [asText, asJson, asGithub]) expect(result.code).toBe(1);

    const textFindings = asText.err.filter((l) => l.includes(': error: '));
    expect(textFindings.map((l) => /^.*:(\d+):(\d+): error: .* \[([a-z-]+)\]$/.exec(l)?.slice(1))).toEqual([
      [String(typeAt.line), String(typeAt.col), 'schema-value'],
      [String(halpAt.line), String(halpAt.col), 'schema-unknown-key'],
    ]);

    expect(asJson.err).toEqual([]);
    expect(asJson.out).toHaveLength(1);
    const document = JSON.parse(asJson.out[0]!) as { exitCode: number; findings: { file: string; line: number; col: number; rule: string; severity: string; message: string; pointer: string }[]; messages: string[] };
    expect(document.exitCode).toBe(1);
    expect(document.findings.map((f) => [f.file, f.line, f.col, f.severity, f.rule])).toEqual([
      [catalogPath, typeAt.line, typeAt.col, 'error', 'schema-value'],
      [catalogPath, halpAt.line, halpAt.col, 'error', 'schema-unknown-key'],
    ]);
    // The same message text as the text format prints.
    expect(document.findings.map((f) => f.message)).toEqual(textFindings.map((l) => /: error: (.*) \[[a-z-]+\]$/.exec(l)?.[1]));
    expect(document.messages.join('\n')).toContain('2 errors');

    const commands = asGithub.out.filter((l) => l.startsWith('::'));
    const file = catalogPath.replaceAll(':', '%3A').replaceAll(',', '%2C');
    expect(commands.map((l) => /^::error file=([^,]+),line=(\d+),col=(\d+),title=([a-z-]+)::.+$/.exec(l)?.slice(1))).toEqual([
      [file, String(typeAt.line), String(typeAt.col), 'schema-value'],
      [file, String(halpAt.line), String(halpAt.col), 'schema-unknown-key'],
    ]);
  });

  it('json on success: exit 0, no findings, the result line', async () => {
    writeFileSync(catalogPath, catalogue());
    const result = await run('generate', '--catalog', catalogPath, '--out', join(tmp.path, 'out'), '--format', 'json');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.out[0]!) as { exitCode: number; findings: unknown[]; messages: string[] };
    expect(document).toMatchObject({ exitCode: 0, findings: [] });
    expect(document.messages[0]).toMatch(/outputs from .*: \d+ written/);
  });

  it('github: stale outputs are annotations on the output files', async () => {
    writeFileSync(catalogPath, catalogue());
    const out = join(tmp.path, 'out');
    expect((await run('generate', '--catalog', catalogPath, '--out', out)).code).toBe(0);
    writeFileSync(join(out, 'generated', 'METRICS.md'), 'edited by hand\n');
    const result = await run('check', '--catalog', catalogPath, '--out', out, '--against', 'none', '--format', 'github');
    expect(result.code).toBe(1);
    // A message keeps its ':' (only properties escape it).
    expect(result.out).toContain(`::error file=generated/METRICS.md,title=output-stale::stale: differs from what ${catalogPath} generates`);
  });

  it('github escapes %, CR and LF in messages, and also : and , in properties', () => {
    const line = githubCommand({ severity: 'warning', rule: 'r,1:x', message: '100% sure\r\nsecond: line, here', file: 'a,b:c.yaml', line: 3, col: 4 });
    expect(line).toBe('::warning file=a%2Cb%3Ac.yaml,line=3,col=4,title=r%2C1%3Ax::100%25 sure%0D%0Asecond: line, here');
  });

  it('an unknown format is a usage error (exit 2)', async () => {
    const result = await run('generate', '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain('unknown --format "xml"');
  });
});

describe('init', () => {
  it('writes a catalogue that generate accepts, with a schema reference to an existing file, and prints the next steps', async () => {
    const nested = join(tmp.path, 'config', 'metrics.yaml');
    const result = await run('init', '--catalog', nested);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toContain(`npx lazybird-metrics generate --catalog ${nested}`);
    const text = readFileSync(nested, 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
    expect(schema).toMatch(/^\.\.?\//);
    // Outside any project that installed the package, it points at this CLI's own schema file.
    expect(JSON.parse(readFileSync(join(tmp.path, 'config', schema!), 'utf8')).title).toBe('lazybird-metrics catalogue');
    const generated = await run('generate', '--catalog', nested, '--out', join(tmp.path, 'out'));
    expect(generated.err).toEqual([]);
    expect(generated.code).toBe(0);
  });

  it('refuses to overwrite an existing file (exit 1), leaving it as it was', async () => {
    writeFileSync(catalogPath, 'mine\n');
    const result = await run('init', '--catalog', catalogPath);
    expect(result.code).toBe(1);
    expect(result.err[0]).toBe(`${catalogPath}: error: the file already exists; init writes a new catalogue only, so nothing was written [init-exists]`);
    expect(readFileSync(catalogPath, 'utf8')).toBe('mine\n');
  });

  it('takes its namespace from the project’s package name', async () => {
    writeFileSync(join(tmp.path, 'package.json'), JSON.stringify({ name: '@acme/Shop-API' }));
    expect((await run('init', '--catalog', catalogPath)).code).toBe(0);
    expect(readFileSync(catalogPath, 'utf8')).toMatch(/^namespace: shop_api$/m);
  });

  it('takes no output flags (exit 2)', async () => {
    expect((await run('init', '--out', 'x')).code).toBe(2);
    expect((await run('init', '--watch')).code).toBe(2);
  });
});
