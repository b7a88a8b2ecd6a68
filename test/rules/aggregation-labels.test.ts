/**
 * `aggregation_labels: [cluster]` on test/catalogues/job-worker (one store holding many clusters),
 * and its Mimir ruler namespace file (`outputs.mimir_rules`):
 * - every aggregation of every generated rule and dashboard target keeps `cluster` (a `by` names
 *   it, a `without` or `ignoring` never drops it, an `on` matches on it), read with Prometheus'
 *   own grammar (lezer-promql), and every dashboard selector filters on `$cluster`;
 * - with promtool, two clusters with the same job and instances, one faulty, fire one alert per
 *   faulty series, each with its cluster (test/rules/job-worker/clusters.test.yaml, written by
 *   hand); the same tests fail on the rules generated without the option;
 * - the Mimir file holds `namespace` and exactly the groups of the Prometheus rule file, and each
 *   of its groups passes `promtool check rules` as a plain rule file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../generator/catalog/index.js';
import type { Catalog } from '../../generator/catalog/model.js';
import { emitAll } from '../../generator/emit/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CATALOGUE = 'test/catalogues/job-worker/metrics.yaml';
const TEXT = readFileSync(join(root, CATALOGUE), 'utf8');
const LABEL = 'cluster';
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];
const scratch = mkdtempSync(join(tmpdir(), 'lb-aggregation-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function generate(text: string): { catalog: Catalog; outputs: ReadonlyMap<string, string> } {
  const { catalog, diagnostics } = compileCatalog(text, CATALOGUE);
  if (!catalog) throw new Error(`the catalogue does not compile: ${JSON.stringify(diagnostics)}`);
  return { catalog, outputs: emitAll(catalog) };
}

const withLabel = generate(TEXT);
const withoutText = TEXT.replace(/^aggregation_labels: \[cluster\]\n/m, '');
const withoutLabel = generate(withoutText);

interface RuleDocument {
  readonly groups: readonly { readonly name: string; readonly rules: readonly { readonly alert?: string; readonly record?: string; readonly expr: string }[] }[];
}

function rulesOf(generated: { catalog: Catalog; outputs: ReadonlyMap<string, string> }): RuleDocument {
  return parse(generated.outputs.get(generated.catalog.files.rules) ?? '') as RuleDocument;
}

/**
 * Where an expression could lose `label`: a syntax error, an aggregation whose `by` lacks it (or
 * that has no clause), a `without` or `ignoring` that names it, an `on` that lacks it. `except(node)`
 * may excuse an aggregation (the dashboards' heatmap).
 */
function lossesOf(expr: string, label: string, except: (grouping: readonly string[]) => boolean = () => false): string[] {
  const tree = parser.parse(expr);
  const text = (node: SyntaxNode): string => expr.slice(node.from, node.to);
  const names = (grouping: SyntaxNode | null): string[] => (grouping ? grouping.getChildren('LabelName').map(text) : []);
  const losses: string[] = [];
  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (ref.type.isError) losses.push(`syntax error at ${ref.from}`);
      if (ref.name === 'AggregateExpr') {
        const modifier = node.getChild('AggregateModifier');
        const grouping = names(modifier?.getChild('GroupingLabels') ?? null);
        const where = text(node).slice(0, 60);
        if (modifier?.getChild('Without')) {
          if (grouping.includes(label)) losses.push(`without (${grouping.join(', ')}): ${where}`);
        } else if (!grouping.includes(label) && !except(grouping)) losses.push(`${modifier ? `by (${grouping.join(', ')})` : 'no by'}: ${where}`);
      }
      if (ref.name === 'BinaryExpr') {
        const matching = node.getChild('MatchingModifierClause');
        const grouping = names(matching?.getChild('GroupingLabels') ?? null);
        if (matching?.getChild('On') && !grouping.includes(label)) losses.push(`on (${grouping.join(', ')})`);
        if (matching?.getChild('Ignoring') && grouping.includes(label)) losses.push(`ignoring (${grouping.join(', ')})`);
      }
    },
  });
  return losses;
}

/** Label names matched by each vector selector of `expr`. */
function selectorMatchers(expr: string): { selector: string; labels: string[] }[] {
  const tree = parser.parse(expr);
  const found: { selector: string; labels: string[] }[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return;
      const labels: string[] = [];
      ref.node.toTree().iterate({ enter: (inner) => void (inner.name === 'LabelName' && labels.push(expr.slice(ref.from + inner.from, ref.from + inner.to))) });
      found.push({ selector: expr.slice(ref.from, ref.to), labels });
    },
  });
  return found;
}

describe('custom rules of a catalogue with aggregation_labels', () => {
  const withCustom = (expr: string): string =>
    TEXT.replace(/\nevents:/, `\nrules:\n  - record: cluster_job:worker_jobs_failed:rate5m\n    group: jobs\n    expr: ${expr}\nevents:`);

  it('may group by the aggregation label, and are then accepted without a word', () => {
    const { catalog, diagnostics } = compileCatalog(withCustom('sum by (cluster, job) (rate(worker_jobs_failed_total{cluster="eu"}[5m]))'), CATALOGUE);
    expect(diagnostics).toEqual([]);
    expect(catalog?.customRules[0]?.outputLabels?.map((l) => l.name)).toEqual(['cluster', 'job']);
  });

  it('are warned about when their result drops it', () => {
    const { catalog, diagnostics } = compileCatalog(withCustom('sum by (job) (rate(worker_jobs_failed_total[5m]))'), CATALOGUE);
    expect(catalog).toBeDefined();
    expect(diagnostics.map((d) => [d.rule, d.severity])).toEqual([['custom-aggregation-label', 'warning']]);
  });
});

describe('the loss checker', () => {
  it('finds every way an expression can lose the label, and passes those that keep it', () => {
    expect(lossesOf('sum by (cluster, job) (rate(x[5m]))', LABEL)).toEqual([]);
    expect(lossesOf('sum without (instance) (x) / on (cluster, job) group_left y', LABEL)).toEqual([]);
    expect(lossesOf('sum by (job) (x)', LABEL)).toHaveLength(1);
    expect(lossesOf('sum(x)', LABEL)).toHaveLength(1);
    expect(lossesOf('max without (cluster) (x)', LABEL)).toHaveLength(1);
    expect(lossesOf('a / on (job) b', LABEL)).toHaveLength(1);
    expect(lossesOf('a / ignoring (cluster) b', LABEL)).toHaveLength(1);
    expect(lossesOf('sum by (cluster) (x', LABEL).length).toBeGreaterThan(0);
  });

  it('reports the rules generated without aggregation_labels', () => {
    const losses = rulesOf(withoutLabel).groups.flatMap((g) => g.rules.flatMap((r) => lossesOf(r.expr, LABEL)));
    expect(losses.length).toBeGreaterThan(10);
  });
});

describe('aggregation_labels: [cluster] on job-worker', () => {
  it('is on the model', () => {
    expect(withLabel.catalog.aggregationLabels).toEqual([LABEL]);
    expect(withoutLabel.catalog.aggregationLabels).toEqual([]);
  });

  it('keeps cluster in every aggregation and join of every rule', () => {
    const rules = rulesOf(withLabel).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(15);
    const losses = rules.flatMap((r) => lossesOf(r.expr, LABEL).map((loss) => `${r.alert ?? r.record}: ${loss}`));
    expect(losses).toEqual([]);
    // Every alert names the cluster in its default description, since it fires per cluster.
    const document = parse(withLabel.outputs.get(withLabel.catalog.files.rules) ?? '') as { groups: { rules: { alert?: string; annotations?: { description?: string } }[] }[] };
    for (const rule of document.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined)) {
      expect(rule.annotations?.description, rule.alert).toContain('cluster={{ $labels.cluster }}');
    }
  });

  it('leaves the rules of the catalogue without the option as they were, the cluster aside', () => {
    const strip = (text: string): string => text.replaceAll('cluster, ', '').replaceAll(' cluster={{ $labels.cluster }}', '');
    expect(strip(withLabel.outputs.get(withLabel.catalog.files.rules) ?? '')).toBe(withoutLabel.outputs.get(withoutLabel.catalog.files.rules));
  });

  it('keeps cluster in every by of every dashboard target (the heatmaps sum their buckets by le), and filters every selector on $cluster', () => {
    const dashboards = [...withLabel.outputs].filter(([path]) => path.startsWith(`${withLabel.catalog.files.dashboards}/`) && path.endsWith('.json'));
    expect(dashboards.length).toBe(3);
    let targets = 0;
    for (const [path, content] of dashboards) {
      const dashboard = JSON.parse(content) as {
        templating: { list: { name: string; query?: string; definition?: string; multi?: boolean; includeAll?: boolean }[] };
        panels: { title: string; targets?: { expr: string; format?: string; legendFormat?: string }[] }[];
      };
      // The cluster variable comes right after the data source, and narrows the job and instance lists.
      const variables = dashboard.templating.list;
      expect(variables.slice(0, 4).map((v) => v.name), path).toEqual(['datasource', LABEL, 'job', 'instance']);
      expect(variables[1]?.query).toMatch(/^label_values\(worker_\w+, cluster\)$/);
      expect(variables[2]?.query).toContain('{cluster=~"$cluster"}');
      expect(variables[3]?.query).toContain('cluster=~"$cluster", job=~"$job"');
      for (const variable of variables.slice(4)) expect(variable.query, `${path} $${variable.name}`).toContain('cluster=~"$cluster"');
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          targets++;
          const where = `${path} › ${panel.title}: ${target.expr}`;
          const promql = target.expr.replaceAll('$__rate_interval', '5m');
          const heatmap = target.format === 'heatmap';
          expect(lossesOf(promql, LABEL, (grouping) => heatmap && grouping.join() === 'le'), where).toEqual([]);
          for (const { selector, labels } of selectorMatchers(promql)) expect(labels, `${where}: ${selector}`).toContain(LABEL);
          expect(promql, where).toContain('cluster=~"$cluster"');
          if (!heatmap) expect(target.legendFormat, where).toContain('{{cluster}}');
        }
      }
    }
    expect(targets).toBeGreaterThan(10);
  });
});

function promtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

describe('two clusters in one store, with promtool', () => {
  const runWith = (generated: { catalog: Catalog; outputs: ReadonlyMap<string, string> }, dir: string): { status: number | null; output: string } => {
    mkdirSync(join(scratch, dir));
    writeFileSync(join(scratch, dir, 'worker.rules.yaml'), generated.outputs.get(generated.catalog.files.rules) ?? '');
    copyFileSync(join(root, 'test/rules/job-worker/clusters.test.yaml'), join(scratch, dir, 'clusters.test.yaml'));
    return promtool(['test', 'rules', 'clusters.test.yaml'], join(scratch, dir));
  };

  it('fires each alert for the faulty cluster only, with its cluster label', () => {
    const { status, output } = runWith(withLabel, 'with');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('fails on the rules generated without aggregation_labels, which add the clusters up', () => {
    const { status, output } = runWith(withoutLabel, 'without');
    expect(status).not.toBe(0);
    expect(output).toContain('FAILED');
    expect(output).toContain('JobsInFlightHigh');
  });

  it('the generated rule tests of the catalogue carry the cluster and pass', () => {
    const tests = withLabel.outputs.get(withLabel.catalog.files.ruleTests) ?? '';
    expect(tests).toContain('cluster="rule-test"');
    mkdirSync(join(scratch, 'generated'));
    writeFileSync(join(scratch, 'generated', withLabel.catalog.files.rules.split('/').at(-1)!), withLabel.outputs.get(withLabel.catalog.files.rules) ?? '');
    writeFileSync(join(scratch, 'generated', 'rules.test.yaml'), tests);
    const { status, output } = promtool(['test', 'rules', 'rules.test.yaml'], join(scratch, 'generated'));
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });
});

describe('the Mimir/Cortex ruler namespace file', () => {
  const mimir = withLabel.catalog.files.mimirRules;

  it('is written where outputs.mimir_rules says, in the namespace of the catalogue', () => {
    expect(mimir).toEqual({ file: 'mimir/worker.rules.yaml', namespace: 'worker' });
    expect(withLabel.outputs.has('mimir/worker.rules.yaml')).toBe(true);
    expect(withLabel.catalog.ownedDirs).toContain('mimir');
  });

  it('holds namespace and groups only, the groups exactly those of the Prometheus rule file', () => {
    const text = withLabel.outputs.get('mimir/worker.rules.yaml') ?? '';
    expect(text.startsWith('# Generated by lazybird-metrics from metrics.yaml.')).toBe(true);
    const document = parse(text) as { namespace: string; groups: unknown[] };
    expect(Object.keys(document)).toEqual(['namespace', 'groups']);
    expect(document.namespace).toBe('worker');
    expect(document.groups).toEqual(rulesOf(withLabel).groups);
    // Mimir refuses a namespace that repeats a group name.
    const names = (document.groups as { name: string }[]).map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('each of its groups passes promtool check rules as a plain rule file', () => {
    const document = parse(withLabel.outputs.get('mimir/worker.rules.yaml') ?? '') as { groups: unknown[] };
    mkdirSync(join(scratch, 'mimir'));
    const files = document.groups.map((group, index) => {
      const file = `group-${index}.yaml`;
      writeFileSync(join(scratch, 'mimir', file), stringify({ groups: [group] }));
      return file;
    });
    const { status, output } = promtool(['check', 'rules', ...files], join(scratch, 'mimir'));
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
    expect(output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it('takes outputs.mimir_namespace, and is not written without outputs.mimir_rules', () => {
    const renamed = generate(TEXT.replace('outputs: { mimir_rules: mimir/worker.rules.yaml }', 'outputs: { mimir_rules: deploy/worker.yaml, mimir_namespace: worker-eu }'));
    expect((parse(renamed.outputs.get('deploy/worker.yaml') ?? '') as { namespace: string }).namespace).toBe('worker-eu');
    const none = generate(TEXT.replace('outputs: { mimir_rules: mimir/worker.rules.yaml }\n', ''));
    expect(none.catalog.files.mimirRules).toBeUndefined();
    expect([...none.outputs.keys()].filter((path) => path.startsWith('mimir/'))).toEqual([]);
  });
});
