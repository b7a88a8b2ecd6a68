/**
 * The generated rule files against vmalert's own validation (Debian's victoria-metrics 1.79):
 * `vmalert -dryRun -rule=FILE` parses each file, checks every expression with the MetricsQL parser
 * and every label and annotation template with vmalert's template functions, and exits non-zero on
 * the first problem. It must accept the committed alerts/ of metrics.yaml, the short-window rules
 * the end-to-end tests load, and the rules of every test catalogue; and it must reject broken
 * variants of a generated file, which shows the dry run really reads what it is given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import { emitAll } from '../../generator/emit/index.js';
import { shortRules } from '../../generator/simulate/short-windows.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lb-vmalert-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface RuleDocument {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; annotations?: Record<string, string> }[] }[];
}

/** A rule file is a YAML document with `groups`; anything else in alerts/ (e.g. promtool unit tests) is not. */
function isRuleFile(content: string): boolean {
  const document = parse(content) as unknown;
  return typeof document === 'object' && document !== null && Array.isArray((document as { groups?: unknown }).groups);
}

function dryRun(file: string): { status: number | null; output: string } {
  // -loggerLevel=ERROR keeps the flag dump out of the output; the fatal line that names the problem stays.
  const result = spawnSync('vmalert', ['-dryRun', `-rule=${file}`, '-loggerLevel=ERROR'], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** `where` → rule file content, for every rule file these tests give vmalert. */
function generatedRuleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const committed = join(root, 'alerts');
  for (const name of readdirSync(committed).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    const content = readFileSync(join(committed, name), 'utf8');
    if (isRuleFile(content)) files.set(`alerts/${name}`, content);
  }
  const short = shortRules(readFileSync(join(root, 'metrics.yaml'), 'utf8'), 'metrics.yaml');
  files.set(`${short.path} (metrics.yaml, short windows)`, short.rules);

  // The test catalogues and the golden ones; the rule file is the one the model names, wherever
  // `outputs.rules` puts it (a Mimir namespace file is not a Prometheus rule file: vmalert refuses
  // its `namespace` key).
  for (const folder of ['catalogues', 'goldens']) {
    const catalogues = join(root, 'test', folder);
    for (const dir of readdirSync(catalogues).sort()) {
      const path = join('test', folder, dir, 'metrics.yaml');
      if (!existsSync(join(root, path))) continue;
      const { catalog } = compileCatalog(readFileSync(join(root, path), 'utf8'), path);
      if (!catalog) throw new Error(`${path} does not compile`);
      const content = emitAll(catalog).get(catalog.files.rules);
      if (content === undefined || !isRuleFile(content)) throw new Error(`${path} emits no rule file at ${catalog.files.rules}`);
      // A catalogue without alerts or ratios writes `groups: []`, which vmalert has nothing to validate in.
      if ((parse(content) as RuleDocument).groups.length > 0) files.set(`${catalog.files.rules} (${path})`, content);
    }
  }
  return files;
}

const ruleFiles = [...generatedRuleFiles()];

describe('vmalert -dryRun', () => {
  it('is given the rule files of metrics.yaml and of every test catalogue', () => {
    const where = ruleFiles.map(([w]) => w);
    expect(where.some((w) => w.startsWith('alerts/') && !w.includes('('))).toBe(true);
    expect(where.some((w) => w.includes('short windows'))).toBe(true);
    expect(where.some((w) => w.includes('test/catalogues/http-service/'))).toBe(true);
    expect(where.some((w) => w.includes('test/goldens/alerts/'))).toBe(true);
    // job-worker keeps its `aggregation_labels` (cluster) in every by().
    const worker = ruleFiles.find(([w]) => w.includes('test/catalogues/job-worker/'));
    expect(worker?.[1]).toContain('sum by (cluster, job, queue)');
  });

  it.each(ruleFiles)('accepts %s', (where, content) => {
    const file = join(scratch, `${where.replace(/[^\w.-]+/g, '_')}.yaml`);
    writeFileSync(file, content);
    const { status, output } = dryRun(file);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  // Controls: the same dry run on broken variants of a generated file fails and names the rule.
  const [, generated] = ruleFiles[0]!;
  const broken = (mutate: (document: RuleDocument) => string): string => {
    const document = parse(generated) as RuleDocument;
    const name = mutate(document);
    const file = join(scratch, `broken-${name}.yaml`);
    writeFileSync(file, stringify(document));
    return file;
  };
  const firstAlert = (document: RuleDocument): { group: string; rule: RuleDocument['groups'][number]['rules'][number] } => {
    for (const group of document.groups) {
      const rule = group.rules.find((r) => r.alert !== undefined && r.annotations?.['description'] !== undefined);
      if (rule) return { group: group.name, rule };
    }
    throw new Error('no alert with a description in the generated rules');
  };

  it('rejects an expression MetricsQL cannot parse', () => {
    let alert = '';
    const file = broken((document) => {
      const { rule } = firstAlert(document);
      alert = rule.alert!;
      rule.expr = `sum by (job) (${rule.expr}`; // a parenthesis never closed
      return 'expr';
    });
    const { status, output } = dryRun(file);
    expect(status).not.toBe(0);
    expect(output).toContain(`"${alert}"`);
    expect(output).toMatch(/invalid expression/);
  });

  it('rejects an annotation template that calls an unknown function', () => {
    let alert = '';
    const file = broken((document) => {
      const { rule } = firstAlert(document);
      alert = rule.alert!;
      rule.annotations!['description'] = '{{ $value | noSuchTemplateFunction }}';
      return 'template';
    });
    const { status, output } = dryRun(file);
    expect(status).not.toBe(0);
    expect(output).toContain(`"${alert}"`);
    expect(output).toMatch(/noSuchTemplateFunction/);
  });

  it('rejects two groups with the same name in one file', () => {
    const file = broken((document) => {
      document.groups.push({ ...document.groups[0]! });
      return 'duplicate-group';
    });
    const { status, output } = dryRun(file);
    expect(status).not.toBe(0);
    expect(output).toMatch(/duplicate/i);
  });
});
