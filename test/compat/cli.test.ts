/** `check` and `generate --check` with `--against`: a file, a git revision, HEAD by default. */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { readPrevious } from '../../generator/checks/previous.js';
import { catalogue, makeTempDir, positionOf } from '../helpers/catalogue.js';

const OLD = catalogue();
const NEW = OLD.replace('values: [get, post]', 'values: [get]');

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function git(...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: tmp.path, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

describe('--against', () => {
  it('fails on a breaking change against an earlier file, positioned in the new one', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    writeFileSync(join(tmp.path, 'old.yaml'), OLD);
    writeFileSync(catalog, NEW);
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);

    const result = await run('generate', '--check', '--catalog', catalog, '--out', tmp.path, '--against', join(tmp.path, 'old.yaml'));
    const at = positionOf(NEW, { line: 'values: [get]', col: '[get]' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${catalog}:${at.line}:${at.col}: error: shop_requests_total: label method no longer allows "post" [breaking-label-value-removed]`);
    expect(result.err).toContain('1 breaking change against');
    // The same comparison the other way is an addition, which passes.
    writeFileSync(join(tmp.path, 'old.yaml'), NEW);
    writeFileSync(catalog, OLD);
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
    expect((await run('check', '--catalog', catalog, '--out', tmp.path, '--against', join(tmp.path, 'old.yaml'))).code).toBe(0);
  });

  it('compares check with the last commit by default, and any revision on request', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    git('init', '-q');
    writeFileSync(catalog, OLD);
    git('add', 'metrics.yaml');
    git('commit', '-qm', 'old');
    git('tag', 'v1');
    writeFileSync(catalog, NEW);
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);

    const byDefault = await run('check', '--catalog', catalog, '--out', tmp.path);
    expect(byDefault.code).toBe(1);
    expect(byDefault.err).toContain('[breaking-label-value-removed]');
    expect(byDefault.err).toContain('against HEAD:metrics.yaml');

    git('commit', '-qam', 'new');
    expect((await run('check', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
    const againstTag = await run('check', '--catalog', catalog, '--out', tmp.path, '--against', 'v1');
    expect(againstTag.code).toBe(1);
    expect(againstTag.err).toContain('against v1:metrics.yaml');
    expect((await run('check', '--catalog', catalog, '--out', tmp.path, '--against', 'none')).code).toBe(0);
  });

  it('passes check without a repository or without a commit: there is nothing to break', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    writeFileSync(catalog, NEW);
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
    expect((await run('check', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
    git('init', '-q');
    expect((await run('check', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
  });

  it('is a usage error with an unknown revision, or without check', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    writeFileSync(catalog, NEW);
    git('init', '-q');
    const unknown = await run('check', '--catalog', catalog, '--out', tmp.path, '--against', 'no-such-ref');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no-such-ref');
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path, '--against', 'HEAD')).code).toBe(2);
  });

  it('never lets a value become an option of git: no file written, exit 2', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    git('init', '-q');
    writeFileSync(catalog, OLD);
    git('add', 'metrics.yaml');
    git('commit', '-qm', 'old');
    writeFileSync(catalog, NEW);
    expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
    const before = readdirSync(tmp.path, { recursive: true }).sort();

    for (const argv of [['--against=--output=x'], ['--against', '--output=x'], ['--against=-h'], ['--against=--no-index']]) {
      const result = await run('check', '--catalog', catalog, '--out', tmp.path, ...argv);
      expect(result.code).toBe(2);
      // node's parseArgs already refuses the spaced form; the = form reaches our own check.
      expect(result.err).toMatch(argv.length === 1 ? /^error: --against -\S*: a file or revision cannot start with "-"/ : /^error: Option '--against' argument is ambiguous/);
    }
    // Below the command line too: the git access itself refuses, and git is never handed an option.
    for (const revision of ['--output=x', '-o', '--output=x HEAD', 'HEAD --output=x', '@{-1}..--output=x']) {
      const previous = readPrevious(revision, catalog);
      expect(previous.ok).toBe(false);
    }
    expect(readdirSync(tmp.path, { recursive: true }).sort()).toEqual(before);
  });

  it('passes a label that starts learning with a warning, and fails one that stops learning', async () => {
    const catalog = join(tmp.path, 'metrics.yaml');
    const fixed = OLD;
    const learned = OLD.replace('overflow: other', 'overflow: other\n    learned: { max: 10 }');
    const checkAgainst = async (previous: string, current: string) => {
      writeFileSync(join(tmp.path, 'old.yaml'), previous);
      writeFileSync(catalog, current);
      expect((await run('generate', '--catalog', catalog, '--out', tmp.path)).code).toBe(0);
      return run('check', '--catalog', catalog, '--out', tmp.path, '--against', join(tmp.path, 'old.yaml'));
    };

    const widened = await checkAgainst(fixed, learned);
    const learnedAt = positionOf(learned, { line: 'learned: { max: 10 }', col: 'learned' });
    expect(widened.code).toBe(0);
    expect(widened.err).toContain(`${catalog}:${learnedAt.line}:${learnedAt.col}: warning: shop_requests_total: label method now learns up to 10 values`);

    const narrowed = await checkAgainst(learned, fixed);
    const valuesAt = positionOf(fixed, { line: 'values: [get, post]', col: '[get' });
    expect(narrowed.code).toBe(1);
    expect(narrowed.err).toContain(`${catalog}:${valuesAt.line}:${valuesAt.col}: error: shop_requests_total: label method no longer learns its values`);
    expect(narrowed.err).toContain('[breaking-label-fixed]');
  });
});
