/** generator/cli.ts: arguments, exit codes, printed diagnostics, generate and --check. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { BASE, catalogue, label, positionOf, makeTempDir } from '../helpers/catalogue.js';

const ROOT = join(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Every file under `dir` (relative path → bytes), to show a run wrote nothing. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    if (entry.isFile()) files.set(relative(dir, full), readFileSync(full).toString('base64'));
    else if (entry.isDirectory()) files.set(relative(dir, full) + '/', '');
  }
  return files;
}

let tmp: ReturnType<typeof makeTempDir>;
let catalogPath: string;
let outDir: string;
beforeEach(() => {
  tmp = makeTempDir();
  catalogPath = join(tmp.path, 'metrics.yaml');
  outDir = join(tmp.path, 'out');
  writeFileSync(catalogPath, catalogue());
});
afterEach(() => tmp.cleanup());

const generate = (...extra: string[]): Promise<Run> => run('generate', '--catalog', catalogPath, '--out', outDir, ...extra);
const docs = (): string => join(outDir, 'generated', 'METRICS.md');

describe('usage errors exit 2 with the usage text', () => {
  it.each([
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['an unknown flag', ['generate', '--frobnicate']],
    ['a flag without its value', ['generate', '--catalog']],
    ['an extra argument', ['generate', 'metrics.yaml']],
  ])('%s', async (_, argv) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toMatch(/^error: /);
    expect(result.err.join('\n')).toContain('usage:');
    expect(result.out).toEqual([]);
  });

  it('names what is wrong', async () => {
    expect((await run()).err.join('\n')).toContain('missing command');
    expect((await run('frobnicate')).err.join('\n')).toContain('frobnicate');
    expect((await run('generate', '--frobnicate')).err.join('\n')).toContain('--frobnicate');
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toContain('usage:');
    expect(result.err).toEqual([]);
  });
});

describe('an invalid catalogue exits 1 with positioned diagnostics', () => {
  it('a missing catalogue file', async () => {
    const missing = join(tmp.path, 'nowhere.yaml');
    const result = await run('generate', '--catalog', missing, '--out', outDir);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(new RegExp(`^${escape(missing)}:1:1: error: .+ \\[catalog-unreadable\\]$`));
    expect(existsSync(outDir)).toBe(false);
  });

  it('a YAML syntax error, with no stack trace', async () => {
    const text = catalogue({ groups: BASE.groups.replace('title: Main', 'title: Main: Section') });
    writeFileSync(catalogPath, text);
    const at = positionOf(text, { line: 'title: Main: Section', col: 'Main: Section' });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(new RegExp(`^${escape(catalogPath)}:${at.line}:${at.col}: error: .+ \\[yaml-syntax\\]$`));
    expect(result.err.join('\n')).not.toMatch(/^\s+at /m);
    expect(existsSync(outDir)).toBe(false);
  });

  it('an unknown key, at the key', async () => {
    const text = catalogue({ metrics: BASE.metrics.replace('    help: Requests served.\n', '    help: Requests served.\n    halp: Typo.\n') });
    writeFileSync(catalogPath, text);
    const at = positionOf(text, { line: 'halp: Typo.', col: 'halp' });
    const result = await generate();
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(new RegExp(`^${escape(catalogPath)}:${at.line}:${at.col}: error: .+ \\[schema-unknown-key\\]$`));
    expect(result.err[0]).toContain('"halp"');
    expect(result.err.at(-1)).toMatch(/1 error/);
    expect(existsSync(outDir)).toBe(false);
  });

  it('prints every error, and counts them', async () => {
    const text = catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary').replace('    help: Time', '    halp: Typo.\n    help: Time') });
    writeFileSync(catalogPath, text);
    const result = await generate();
    expect(result.code).toBe(1);
    const lines = result.err.filter((l) => / error: /.test(l));
    expect(lines.map((l) => /\[([a-z-]+)\]$/.exec(l)?.[1])).toEqual(['schema-value', 'schema-unknown-key']);
    expect(result.err.at(-1)).toMatch(/2 errors/);
  });

  it('check exits 1 on an invalid catalogue as well', async () => {
    writeFileSync(catalogPath, catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary') }));
    expect((await run('check', '--catalog', catalogPath, '--out', outDir)).code).toBe(1);
  });
});

describe('generate', () => {
  it('writes generated/METRICS.md with the generated-file header', async () => {
    const result = await generate();
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    const first = readFileSync(docs(), 'utf8').split('\n')[0] ?? '';
    expect(first).toMatch(/generated/i);
    expect(first).toContain('metrics.yaml');
    expect(first).toMatch(/do not edit/i);
    expect(first).toMatch(/^<!--.*-->$/);
    expect(existsSync(join(outDir, '.lazybird-generate'))).toBe(false);
  });

  it('changes no byte on a second run', async () => {
    expect((await generate()).code).toBe(0);
    const before = snapshot(outDir);
    const second = await generate();
    expect(second.code).toBe(0);
    expect(snapshot(outDir)).toEqual(before);
    expect(second.out.join('\n')).toMatch(/\b0 written\b/);
  });

  it('does not touch up-to-date files on a second run (it reports 0 written)', async () => {
    expect((await generate()).code).toBe(0);
    const old = new Date('2020-01-01T00:00:00Z');
    const files = [...snapshot(outDir).keys()].filter((p) => !p.endsWith('/'));
    for (const file of files) utimesSync(join(outDir, file), old, old);
    expect((await generate()).out.join('\n')).toMatch(/\b0 written\b/);
    for (const file of files) expect(statSync(join(outDir, file)).mtimeMs, file).toBe(old.getTime());
  });

  it('succeeds with warnings, and prints them', async () => {
    writeFileSync(catalogPath, catalogue({ labels: BASE.labels + label('region', '[eu, us]') }));
    const result = await generate();
    expect(result.code).toBe(0);
    expect(result.err.some((l) => /: warning: .*\[label-unused\]$/.test(l))).toBe(true);
    expect(existsSync(docs())).toBe(true);
    expect((await generate('--check')).code).toBe(0);
    expect((await run('check', '--catalog', catalogPath, '--out', outDir)).code).toBe(0);
  });
});

describe('--check', () => {
  beforeEach(async () => {
    expect((await generate()).code).toBe(0);
  });

  it('exits 0 when the outputs are up to date', async () => {
    const result = await generate('--check');
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
  });

  it('exits 1 naming an edited output, and writes nothing', async () => {
    writeFileSync(docs(), readFileSync(docs(), 'utf8') + 'edited by hand\n');
    const before = snapshot(outDir);
    const result = await generate('--check');
    expect(result.code).toBe(1);
    expect(result.err.find((l) => l.includes('[output-stale]'))).toMatch(/^generated\/METRICS\.md: error: /);
    expect(snapshot(outDir)).toEqual(before);
  });

  it('exits 1 naming a missing output, and writes nothing', async () => {
    rmSync(docs());
    const before = snapshot(outDir);
    const result = await generate('--check');
    expect(result.code).toBe(1);
    expect(result.err.find((l) => l.includes('[output-missing]'))).toMatch(/^generated\/METRICS\.md: error: /);
    expect(snapshot(outDir)).toEqual(before);
  });

  it('exits 1 naming an extra generated file, and writes nothing', async () => {
    const header = readFileSync(docs(), 'utf8').split('\n')[0] ?? '';
    mkdirSync(join(outDir, 'alerts'), { recursive: true });
    writeFileSync(join(outDir, 'alerts', 'retired.md'), `${header}\nleft over\n`);
    const before = snapshot(outDir);
    const result = await generate('--check');
    expect(result.code).toBe(1);
    expect(result.err.find((l) => l.includes('[output-extra]'))).toMatch(/^alerts\/retired\.md: error: /);
    expect(snapshot(outDir)).toEqual(before);
  });

  it('ignores the user’s own files beside the outputs', async () => {
    writeFileSync(join(outDir, 'generated', 'NOTES.md'), 'mine\n');
    expect((await generate('--check')).code).toBe(0);
  });

  it('exits 1 when the catalogue changed since the last generate', async () => {
    writeFileSync(catalogPath, catalogue({ metrics: BASE.metrics.replace('Requests served.', 'Requests answered.') }));
    const result = await generate('--check');
    expect(result.code).toBe(1);
    expect(result.err.some((l) => l.startsWith('generated/METRICS.md: error:') && l.endsWith('[output-stale]'))).toBe(true);
  });
});

describe('check', () => {
  // By hand: region 3 + overflow = 4 values, method 2.
  const CHECK_CATALOGUE = `namespace: shop
labels:
  region:
    description: Region.
    values: [eu, us, ap]
    overflow: other
  method:
    description: Payment method.
    values: [card, cash]
groups:
  main:
    title: Main
metrics:
  orders_total: { type: counter, group: main, help: Orders., unit: count, labels: [region, method] }
  order_value_usd: { type: histogram, group: main, help: Order value., unit: usd, labels: [region], buckets: [1, 10, 100] }
  queue_depth: { type: gauge, group: main, help: Queue., unit: count }
  sessions_total: { type: counter, group: main, help: Sessions., unit: count, labels: [region] }
  latency_seconds: { type: histogram, group: main, help: Latency., unit: seconds, buckets: [0.1, 1] }
  cart_size_bytes: { type: gauge, group: main, help: Cart size., unit: bytes, labels: [method] }
  refunds_total: { type: counter, group: main, help: Refunds., unit: count, labels: [method] }
`;
  const DECLARED: Record<string, number> = {
    shop_orders_total: 4 * 2,
    shop_order_value_usd: 4 * (3 + 3),
    shop_queue_depth: 1,
    shop_sessions_total: 4,
    shop_latency_seconds: 2 + 3,
    shop_cart_size_bytes: 2,
    shop_refunds_total: 2,
  };

  it('prints the total series and the five largest metrics, and exits 0 when up to date', async () => {
    writeFileSync(catalogPath, CHECK_CATALOGUE);
    expect((await generate()).code).toBe(0);
    const result = await run('check', '--catalog', catalogPath, '--out', outDir);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    const drop = /^\s+shop_metrics_dropped_total\s+(\d+)/m.exec(text);
    // The drop counter has one `metric` value per declared metric (7) × its reasons.
    const dropSeries = Number(drop?.[1]);
    expect(dropSeries % 7).toBe(0);
    const all = { ...DECLARED, shop_metrics_dropped_total: dropSeries };
    const total = Object.values(all).reduce((a, b) => a + b, 0);
    expect(text).toMatch(new RegExp(`\\b${total} series\\b`));
    expect(text).toMatch(/budget of 10000/);
    const expectedLargest = Object.entries(all)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, 5)
      .map(([name, series]) => `${name} ${series}`);
    const printed = result.out
      .map((l) => /^\s+(shop_[a-z0-9_]+)\s+(\d+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} ${m[2]}`);
    expect(printed).toEqual(expectedLargest);
  });

  it('exits 1 on stale outputs, like generate --check, and writes nothing', async () => {
    expect((await generate()).code).toBe(0);
    rmSync(docs());
    const before = snapshot(outDir);
    const result = await run('check', '--catalog', catalogPath, '--out', outDir);
    expect(result.code).toBe(1);
    expect(result.err.some((l) => l.includes('[output-missing]'))).toBe(true);
    expect(snapshot(outDir)).toEqual(before);
  });

  it('exits 1 after an interrupted generate that committed, without finishing it', async () => {
    expect((await generate()).code).toBe(0);
    mkdirSync(join(outDir, '.lazybird-generate', 'new', 'generated'), { recursive: true });
    writeFileSync(join(outDir, '.lazybird-generate', 'journal.json'), JSON.stringify({ roots: ['generated'] }) + '\n');
    const before = snapshot(outDir);
    const result = await run('check', '--catalog', catalogPath, '--out', outDir);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/interrupted/);
    expect(snapshot(outDir)).toEqual(before);
  });
});

describe('the real command', () => {
  it('prints positioned diagnostics and no stack trace for a YAML syntax error', async () => {
    const text = catalogue({ labels: BASE.labels.replace('values: [get, post]', 'values: [get, post') });
    writeFileSync(catalogPath, text);
    const child = spawnSync('npx', ['tsx', 'generator/cli.ts', 'generate', '--catalog', catalogPath, '--out', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LAZYBIRD_DEBUG: '' },
      timeout: 60_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(new RegExp(`^${escape(catalogPath)}:\\d+:\\d+: error: .+ \\[yaml-syntax\\]$`, 'm'));
    expect(child.stderr).not.toMatch(/^ {4}at /m);
    expect(child.stderr).not.toMatch(/internal error/);
    expect(existsSync(outDir)).toBe(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
