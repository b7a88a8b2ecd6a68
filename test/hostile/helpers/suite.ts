/**
 * The checks every hostile catalogue goes through, registered as one `describe` per catalogue: it is
 * accepted, and each output is valid for its consumer and still says exactly what the catalogue says.
 */
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonOpenMetricsCheck } from '../../helpers/openmetrics-python.js';
import { promtoolCheckMetrics } from '../../helpers/promtool.js';
import type { Parsed } from '../../runtime/helpers/parse.js';
import { alertRuleTest } from './catalogue.js';
import type { HostileCatalogue, HostileEntry } from './catalogue.js';
import {
  ModuleDir,
  asCellText,
  codeSpans,
  decodeCell,
  errorLines,
  generate,
  grafanaShown,
  grafanaVariables,
  identifiersOf,
  markdownTables,
  output,
  parseExpositionExactly,
  promqlStrings,
  promtoolCheckRules,
  promtoolTestRules,
  statementKinds,
  tableCells,
  tableShapeProblems,
  typeCheckBatch,
  unionValues,
  utf8,
} from './outputs.js';
import type { GeneratedModule, TypeCheck } from './outputs.js';

declare global {
  // Set by injected code, if any ran.
  var pwned: unknown;
}

const RULES = 'alerts/shop.rules.yaml';
const MODULE = 'generated/metrics.ts';
const DOCS = 'generated/METRICS.md';

interface RuleJson {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: { summary: string; description: string; runbook_url?: string };
}

interface PanelJson {
  type: string;
  title: string;
  description?: string;
}

interface DashboardJson {
  title: string;
  description: string;
  panels: PanelJson[];
  templating: { list: { name: string; description?: string }[] };
}

const short = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** What one entry's counter should read after the workload below: value k gets k + 1, the overflow 1. */
function expectedCounts(entry: HostileEntry): Map<string, number> {
  return new Map([...entry.values.map((value, k) => [value, k + 1] as const), [entry.overflow, 1]]);
}

function countsOf(parsed: Parsed, name: string, label: string): Map<string, number> {
  return new Map(parsed.samples.filter((s) => s.name === name).map((s) => [s.labels[label] ?? '<missing>', s.value]));
}

/**
 * Register the checks of a hostile catalogue. `build` runs at collection time (compile and emit are
 * synchronous and fast); type-checking, importing and scraping run once, before the checks.
 */
export function describeHostileCatalogue(name: string, suiteDir: string, build: () => HostileCatalogue): void {
  describe(name, () => {
    const built = build();
    const { entries } = built;
    const generation = generate(built.text);
    const outputs = generation.outputs;
    const dir = new ModuleDir(suiteDir);
    let check: TypeCheck | undefined;
    const source = outputs?.get(MODULE);
    const index = source === undefined ? -1 : typeCheckBatch.add(source);
    let module: GeneratedModule | undefined;
    let importError: unknown;
    let exposition: { text: string; openmetrics: string } | undefined;
    let pwnedAfterRun: unknown;

    beforeAll(async () => {
      globalThis.pwned = undefined;
      if (!outputs) return;
      check = typeCheckBatch.check();
      try {
        module = await dir.import(output(outputs, MODULE));
        const metrics = module.createMetrics({ defaultMetrics: false, strict: true });
        const recorder = module.createRecorder(metrics);
        for (const entry of entries) {
          const l = `l${entry.i}`;
          (recorder[`recordE${entry.i}`] as (event: Record<string, unknown>) => void)({ [l]: entry.overflow, v: 0.5 });
          const counter = metrics[`m${entry.i}Total`] as { inc(labels: Record<string, string>, by: number): void };
          const histogram = metrics[`m${entry.i}Seconds`] as { observe(labels: Record<string, string>, value: number): void };
          entry.values.forEach((value, k) => {
            counter.inc({ [l]: value }, k + 1);
            histogram.observe({ [l]: value }, 0.5);
          });
        }
        metrics.summary();
        // As a scraper receives it: encoded in UTF-8.
        exposition = { text: utf8(await metrics.runtime.expose('text')), openmetrics: utf8(await metrics.runtime.expose('openmetrics')) };
      } catch (error) {
        importError = error;
      }
      pwnedAfterRun = globalThis.pwned;
    }, 120_000);
    afterAll(() => {
      dir.cleanup();
      globalThis.pwned = undefined;
    });

    const requireModule = (): GeneratedModule => {
      if (!module) throw new Error(`the generated module could not be imported and run: ${String(importError)}`);
      return module;
    };
    const requireExposition = (): { text: string; openmetrics: string } => {
      requireModule();
      if (!exposition) throw new Error(`no exposition: ${String(importError)}`);
      return exposition;
    };

    it('the catalogue text reads back as exactly the intended strings', () => {
      const data = parse(built.text) as {
        labels: Record<string, { description: string; values: string[]; overflow: string }>;
        groups: Record<string, { title: string }>;
        metrics: Record<string, { help: string; alerts?: { summary: string; description: string }[] }>;
      };
      for (const entry of entries) {
        expect(data.metrics[`m${entry.i}_total`]?.help).toBe(entry.payload);
        expect(data.metrics[`m${entry.i}_total`]?.alerts?.[0]).toMatchObject({ summary: entry.summary, description: entry.description });
        expect(data.labels[`l${entry.i}`]).toEqual({ description: entry.payload, values: entry.values, overflow: entry.overflow });
        expect(data.groups[`g${entry.i}`]?.title).toBe(entry.title);
      }
    });

    it('is accepted, without errors', () => {
      expect(errorLines(generation)).toEqual([]);
      expect(outputs).toBeDefined();
    });

    describe('generated/metrics.ts', () => {
      it('type-checks with the repository compiler options', () => {
        expect(check, 'not generated').toBeDefined();
        expect(check!.diagnostics[index]).toEqual([]);
        expect(check!.other).toEqual([]);
      });

      it('holds no code from the catalogue: only declarations at the top level, no injected identifiers', () => {
        expect(check, 'not generated').toBeDefined();
        const kinds = statementKinds(check!, index);
        const allowed = new Set(['import', 'type', 'interface', 'function', 'const']);
        expect([...kinds].filter((kind) => !allowed.has(kind))).toEqual([]);
        const identifiers = identifiersOf(check!, index);
        expect(['pwned', 'globalThis', 'eval', 'Function', 'fake_metric'].filter((name) => identifiers.has(name))).toEqual([]);
      });

      it('imports and runs, and no injected code ran', () => {
        requireModule();
        requireExposition();
        expect(pwnedAfterRun).toBeUndefined();
        expect(globalThis.pwned).toBeUndefined();
      });

      it('METRIC_SPECS carry every help text and label value exactly', () => {
        const specs = requireModule().METRIC_SPECS;
        for (const entry of entries) {
          for (const suffix of ['total', 'seconds', 'old_total']) {
            const spec = specs.find((s) => s.name === `shop_m${entry.i}_${suffix}`);
            expect(spec?.help, `help of shop_m${entry.i}_${suffix}`).toBe(entry.payload);
          }
          const label = specs.find((s) => s.name === `shop_m${entry.i}_total`)?.labels[0];
          expect(label).toEqual({ name: `l${entry.i}`, values: [...entry.values, entry.overflow], overflow: entry.overflow });
        }
      });

      it('the label unions are exactly the allowed values', () => {
        expect(check, 'not generated').toBeDefined();
        for (const entry of entries) {
          const union = unionValues(check!, index, `L${entry.i}`);
          expect(union?.slice().sort(), `type L${entry.i}`).toEqual([...entry.values, entry.overflow].sort());
        }
      });

      it('DASHBOARDS carry the group titles exactly', () => {
        const dashboards = requireModule().DASHBOARDS;
        for (const entry of entries) expect(dashboards).toContainEqual({ uid: `shop-g${entry.i}`, title: `Shop / ${entry.title}` });
      });
    });

    describe('the exposition of a runtime created from the generated specs', () => {
      it('passes promtool check metrics with no finding', () => {
        expect(promtoolCheckMetrics(requireExposition().text)).toEqual({ status: 0, output: '' });
      });

      it('its OpenMetrics form is read by the Python client\'s parser without an error', () => {
        expect(pythonOpenMetricsCheck(requireExposition().openmetrics)).toEqual({ status: 0, output: '' });
      });

      for (const format of ['text', 'openmetrics'] as const) {
        it(`parses back (${format}) to exactly the help texts and label values, each value its own series`, () => {
          const { text, openmetrics } = requireExposition();
          const parsed = parseExpositionExactly(format === 'text' ? text : openmetrics, format);
          for (const entry of entries) {
            const counterFamily = format === 'text' ? `shop_m${entry.i}_total` : `shop_m${entry.i}`;
            const oldFamily = format === 'text' ? `shop_m${entry.i}_old_total` : `shop_m${entry.i}_old`;
            for (const family of [counterFamily, `shop_m${entry.i}_seconds`, oldFamily]) {
              expect(parsed.families.get(family)?.help, `help of ${family}`).toBe(entry.payload);
            }
            expect(countsOf(parsed, `shop_m${entry.i}_total`, `l${entry.i}`)).toEqual(expectedCounts(entry));
            const observed = countsOf(parsed, `shop_m${entry.i}_seconds_count`, `l${entry.i}`);
            expect(observed).toEqual(new Map([...entry.values, entry.overflow].map((value) => [value, 1])));
          }
        });
      }
    });

    describe('the dashboards', () => {
      const parseAll = (): Map<string, DashboardJson> => {
        const dashboards = new Map<string, DashboardJson>();
        for (const [path, content] of outputs ?? []) {
          if (!path.endsWith('.json')) continue;
          const dashboard = JSON.parse(content) as DashboardJson;
          // Titles and descriptions as Grafana shows them.
          for (const panel of dashboard.panels) {
            panel.title = grafanaShown(panel.title);
            if (panel.description !== undefined) panel.description = grafanaShown(panel.description);
          }
          dashboards.set(path, dashboard);
        }
        return dashboards;
      };

      it('are JSON', () => {
        expect(outputs).toBeDefined();
        expect(() => parseAll()).not.toThrow();
        expect(parseAll().size).toBe(entries.length + 1);
      });

      it('hold the group titles and descriptions, panel titles and descriptions, ratio and label descriptions', () => {
        const dashboards = parseAll();
        for (const entry of entries) {
          const where = `dashboard of g${entry.i} (${short(entry.payload)})`;
          const dashboard = dashboards.get(`dashboards/shop-g${entry.i}.json`);
          expect(dashboard, where).toBeDefined();
          expect(dashboard!.title, where).toBe(`Shop / ${entry.title}`);
          expect(dashboard!.description, where).toContain(`${entry.title}: ${entry.payload}`);
          const counter = dashboard!.panels.filter((p) => p.title === entry.title);
          expect(counter, `${where}: the panel titled by the hint`).toHaveLength(1);
          expect(counter[0]!.description, where).toContain(entry.payload);
          expect(dashboard!.panels.some((p) => p.type === 'timeseries' && p.description?.startsWith(`${entry.payload} Per instance`)), `${where}: ratio panel`).toBe(true);
          expect(dashboard!.panels.some((p) => p.type === 'heatmap' && p.description?.includes(entry.payload)), `${where}: heatmap`).toBe(true);
          const variable = dashboard!.templating.list.find((v) => v.name === `l${entry.i}`);
          expect(variable?.description, `${where}: variable l${entry.i}`).toBe(entry.payload);
        }
        const overview = dashboards.get('dashboards/shop-overview.json');
        for (const entry of entries) {
          expect(overview?.panels.some((p) => p.type === 'stat' && p.description?.startsWith(entry.payload)), `overview stat of s${entry.i}_ratio`).toBe(true);
        }
      });

      it('leave Grafana no variable to expand but the ones the generator put in queries', () => {
        for (const [path, content] of outputs ?? []) {
          if (!path.endsWith('.json')) continue;
          const dashboard = JSON.parse(content) as { panels: { title: string; description?: string; options?: { content?: string }; targets?: { expr: string }[] }[] };
          for (const panel of dashboard.panels) {
            for (const text of [panel.title, panel.description ?? '', panel.options?.content ?? '']) expect(grafanaVariables(text), `${path}: ${short(text)}`).toEqual([]);
            for (const { expr } of panel.targets ?? []) {
              const own = expr.replace(/=~"\$\w+"/g, '=~""').replaceAll('[$__rate_interval]', '[]');
              expect(grafanaVariables(own), `${path}: ${short(expr)}`).toEqual([]);
            }
          }
        }
      });
    });

    describe('the rule file', () => {
      const rules = (): RuleJson[] => {
        const parsed = parse(output(outputs, RULES)) as { groups: { name: string; rules: RuleJson[] }[] };
        return parsed.groups.flatMap((g) => g.rules);
      };

      it('parses as YAML and passes promtool check rules', () => {
        expect(() => rules()).not.toThrow();
        const result = promtoolCheckRules(output(outputs, RULES));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.status).toBe(0);
      });

      it('fires every alert in promtool test rules with exactly the catalogue summary, description and runbook link', () => {
        const result = promtoolTestRules(output(outputs, RULES), alertRuleTest(entries, built.runbookUrl));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.status).toBe(0);
      });

      it('keeps every summary, description and runbook link exactly, and every matched label value', () => {
        const all = rules();
        for (const entry of entries) {
          const alert = all.find((r) => r.alert === `Hostile${entry.i}`);
          expect(alert?.annotations, `alert Hostile${entry.i}`).toEqual({
            summary: entry.summary,
            description: entry.description,
            runbook_url: built.runbookUrl.replace('{alert}', `Hostile${entry.i}`),
          });
          const record = all.find((r) => r.record === `instance:shop_r${entry.i}:ratio_rate5m`);
          expect(record, `recording rule of r${entry.i}`).toBeDefined();
          expect(promqlStrings(record!.expr), `matchers of r${entry.i}`).toContain(entry.matched);
          expect(promqlStrings(alert!.expr), `matchers of Hostile${entry.i}`).toContain(entry.matched);
        }
      });
    });

    describe('generated/METRICS.md', () => {
      const docs = (): string => output(outputs, DOCS);
      /** The one row of a table with `width` columns whose first cell holds `marker`. */
      const rowOf = (marker: string, width: number): string[] => {
        const rows = markdownTables(docs())
          .filter((table) => tableCells(table[0]!).length === width)
          .flat()
          .filter((line) => tableCells(line)[0]?.includes(marker));
        if (rows.length !== 1) throw new Error(`${rows.length} rows starting with ${marker} in ${width}-column tables`);
        return tableCells(rows[0]!);
      };

      it('every table row has as many unescaped pipes as its header', () => {
        expect(markdownTables(docs()).length).toBeGreaterThanOrEqual(3);
        expect(tableShapeProblems(docs())).toEqual([]);
      });

      it('lets no Markdown construct start in any cell: texts and label values render as plain text', () => {
        // CommonMark reads a character reference as a literal character, so what matters is the raw
        // characters left: none that opens a link, image, emphasis, strikethrough, code, math, HTML or autolink.
        const problems: string[] = [];
        for (const table of markdownTables(docs())) {
          for (const row of table.slice(2)) {
            for (const cell of tableCells(row)) {
              const own = cell.replace(/<\/?code>|<br>/g, ' ').replaceAll('**Deprecated:**', ' ');
              const open = /[[\]*~$`<>@\\]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|:\/\/|www\./iu.exec(own);
              if (open) problems.push(`${JSON.stringify(open[0])} in ${cell.slice(0, 120)}`);
            }
          }
        }
        expect(problems).toEqual([]);
      });

      it('keeps the help texts, deprecation reasons and label values in the metric tables', () => {
        for (const entry of entries) {
          const text = asCellText(entry.payload);
          const row = rowOf(`<code>shop_m${entry.i}_total</code>`, 6);
          expect(row, `row of shop_m${entry.i}_total`).toHaveLength(6);
          expect(decodeCell(row[5]!).trim()).toBe(text.trim());
          expect(codeSpans(row[3]!)).toEqual([`l${entry.i}`, ...entry.values, entry.overflow]);
          const old = decodeCell(rowOf(`<code>shop_m${entry.i}_old_total</code>`, 6)[5]!);
          expect(old).toContain(`**Deprecated:** ${asCellText(entry.payload)}`);
          expect(old.startsWith(asCellText(entry.payload))).toBe(true);
        }
      });

      it('keeps the label descriptions, values and overflow values in the label table', () => {
        for (const entry of entries) {
          const row = rowOf(`<code>l${entry.i}</code>`, 5);
          expect(row).toHaveLength(5);
          expect(codeSpans(row[2]!)).toEqual(entry.values);
          expect(codeSpans(row[3]!)).toEqual([entry.overflow]);
          expect(decodeCell(row[4]!).trim()).toBe(asCellText(entry.payload).trim());
        }
      });

      it('keeps the event descriptions in the event table', () => {
        for (const entry of entries) {
          const row = rowOf(`<code>recordE${entry.i}()</code>`, 3);
          expect(row).toHaveLength(3);
          expect(decodeCell(row[2]!).trim()).toBe(asCellText(entry.payload).trim());
        }
      });

      it('keeps the group titles and descriptions', () => {
        const lines = docs().split('\n');
        const headings = lines.flatMap((line, index) => (line.startsWith('## ') ? [index] : []));
        for (const entry of entries) {
          const at = headings[entry.i];
          expect(at, `heading of g${entry.i}`).toBeDefined();
          expect(decodeCell(lines[at!]!.slice(3)).trim()).toBe(asCellText(entry.title).trim());
          expect(decodeCell(lines[at! + 2]!).trim()).toBe(asCellText(entry.payload).trim());
        }
      });
    });
  });
}
