/**
 * Text that cannot be legal everywhere it goes: label values with line breaks or control characters
 * (rejected with a positioned `label-value-format`), alert summaries with template actions, alert
 * descriptions that are not valid Go templates, characters Go's YAML reader refuses, and the name of
 * the catalogue file, which reaches every output's header.
 */
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/catalog/diagnostics.js';
import type { Diagnostic } from '../../generator/catalog/diagnostics.js';
import { BASE, catalogue, positionOf } from '../helpers/catalogue.js';
import { HOSTILE_TEXTS, hostileCatalogue, alertRuleTest } from './helpers/catalogue.js';
import { ModuleDir, errorLines, errorsOf, generate, output, promtoolCheckRules, promtoolTestRules, statementKinds, typeCheckBatch, yamlString } from './helpers/outputs.js';
import type { Generation, TypeCheck } from './helpers/outputs.js';
import { describeHostileCatalogue } from './helpers/suite.js';

const SUITE_DIR = fileURLToPath(new URL('.', import.meta.url));
const RULES = 'alerts/shop.rules.yaml';
const q = yamlString;

const at = (d: Diagnostic): string => `${d.line}:${d.col}`;
const described = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map(formatDiagnostic);

/** Catalogue errors, and the place of the first occurrence of `needle` on its line. */
function expectErrorAt(generation: Generation, rule: string | RegExp, place: { line: number; col: number }): void {
  expect(generation.thrown).toBeUndefined();
  const errors = errorsOf(generation.diagnostics);
  expect(generation.catalog === undefined, `accepted, with:\n${described(generation.diagnostics).join('\n')}`).toBe(true);
  const matching = errors.filter((d) => (typeof rule === 'string' ? d.rule === rule : rule.test(d.rule)));
  expect(matching.map(at), described(errors).join('\n')).toContain(`${place.line}:${place.col}`);
}

// ------------------------------------------------------------------------------------ label values

/** Line breaks, C0 and C1 controls and DEL: no output can carry them in a label value unchanged. */
const CONTROL_VALUES: readonly (readonly [string, string])[] = [
  ['a line feed', 'get\nput'],
  ['a trailing line feed', 'get\n'],
  ['CR LF', 'get\r\nput'],
  ['a carriage return', 'get\rput'],
  ['a tab', 'get\tput'],
  ['NUL', 'get\0put'],
  ['ESC (a terminal colour)', '\x1b[31mget'],
  ['U+001F', 'get\x1f'],
  ['DEL', 'get\x7f'],
  ['C1 U+0080', 'get\x80'],
  ['C1 NEL U+0085', 'get\x85put'],
  ['C1 CSI U+009B', 'get\x9b31m'],
  ['C1 U+009F', 'get\x9f'],
  // Not control characters, but not text either: no UTF-8 output (exposition, rules) can hold them.
  ['a lone high surrogate', 'get\ud800'],
  ['a lone low surrogate', '\udc00get'],
];

function labelsWith(values: string, overflow = 'other'): string {
  return `  method:\n    description: HTTP method of the request.\n${values}    overflow: ${overflow}\n`;
}

describe('a label value with a line break or a control character is rejected where it is written (label-value-format)', () => {
  describe.each(CONTROL_VALUES)('%s', (_, bad) => {
    it('in a block list', () => {
      const text = catalogue({ labels: labelsWith(`    values:\n      - get\n      - ${q(bad)}\n`) });
      expectErrorAt(generate(text), 'label-value-format', positionOf(text, { line: `      - ${q(bad)}`, col: q(bad) }));
    });

    it('in a flow list', () => {
      const text = catalogue({ labels: labelsWith(`    values: [get, ${q(bad)}]\n`) });
      expectErrorAt(generate(text), 'label-value-format', positionOf(text, { line: `values: [get, ${q(bad)}]`, col: q(bad) }));
    });

    it('as the overflow value', () => {
      const text = catalogue({ labels: labelsWith('    values: [get, post]\n', q(bad)) });
      expectErrorAt(generate(text), 'label-value-format', positionOf(text, { line: `overflow: ${q(bad)}`, col: q(bad) }));
    });
  });

  it('written as a block scalar, which holds line breaks', () => {
    const text = catalogue({ labels: labelsWith('    values:\n      - get\n      - |-\n        line one\n        line two\n') });
    expectErrorAt(generate(text), 'label-value-format', positionOf(text, { line: '      - |-', col: '|-' }));
  });

  it('every bad value is reported, each at its own place', () => {
    const text = catalogue({ labels: labelsWith(`    values:\n      - get\n${CONTROL_VALUES.map(([, bad]) => `      - ${q(bad)}\n`).join('')}`) });
    const generation = generate(text);
    const places = errorsOf(generation.diagnostics).filter((d) => d.rule === 'label-value-format').map(at);
    for (const [name, bad] of CONTROL_VALUES) {
      const place = positionOf(text, { line: `      - ${q(bad)}`, col: q(bad) });
      expect(places, name).toContain(`${place.line}:${place.col}`);
    }
  });
});

/**
 * Characters that are neither controls nor line feeds but that Go's YAML reader folds or refuses
 * when written raw (U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF), and invisible ones. The catalogue may
 * reject them (label-value-format, at the value) or accept them; accepted, every output must hold
 * them exactly.
 */
const EXOTIC_VALUES: readonly (readonly [string, string])[] = [
  ['U+2028 line separator', 'sep\u2028line'],
  ['U+2029 paragraph separator', 'get\u2029put'],
  ['a byte order mark', '\ufeffget'],
  ['the noncharacter U+FFFE', 'get\ufffe'],
  ['the noncharacter U+FFFF', 'get\uffff'],
  ['a zero-width space', 'get\u200bput'],
  ['a no-break space', 'get\u00a0put'],
];

const acceptedValues: string[] = [];
describe('a label value with an exotic code point is rejected at its place, or kept by every output', () => {
  it.each(EXOTIC_VALUES)('%s', (_, value) => {
    const built = hostileCatalogue(['Plain text.'], { values: [value, 'plain'], matched: () => value });
    const generation = generate(built.text);
    if (!generation.catalog) {
      const place = positionOf(built.text, { line: `      - ${q(value)}`, col: q(value) });
      expectErrorAt(generation, 'label-value-format', place);
      return;
    }
    // promtool test rules loads (so checks) the rule file before it evaluates anything.
    const rules = output(generation.outputs, RULES);
    const fired = promtoolTestRules(rules, alertRuleTest(built.entries, built.runbookUrl));
    expect(fired.output).toMatch(/SUCCESS/);
  });
});
for (const [, value] of EXOTIC_VALUES) if (generate(hostileCatalogue(['Plain text.'], { values: [value, 'plain'] }).text).catalog) acceptedValues.push(value);
if (acceptedValues.length > 0) {
  describeHostileCatalogue('the exotic label values the catalogue accepts, in every output', SUITE_DIR, () =>
    hostileCatalogue(['Plain text.'], { values: acceptedValues }),
  );
}

// ------------------------------------------------------------------------------------------ texts

/**
 * Control characters (other than line feeds and tabs) and code points Go's YAML reader refuses, in
 * every text slot. The catalogue may reject them, at a place that holds them, or accept them; then
 * every output must stay valid and keep them exactly.
 */
const EXOTIC_TEXTS: readonly (readonly [string, string])[] = [
  ['NUL', 'Text with a NUL\0 inside.'],
  ['SOH', 'Text with \x01 inside.'],
  ['ESC (a terminal colour)', 'Text in \x1b[31mred\x1b[0m.'],
  ['vertical tab and form feed', 'Text\vwith\fbreaks.'],
  ['DEL', 'Text with DEL\x7f inside.'],
  ['C1 U+0080', 'Text with \x80 inside.'],
  ['C1 NEL U+0085', 'Text with a NEL\x85inside.'],
  ['C1 CSI U+009B', 'Text in \x9b31mred.'],
  ['a byte order mark', '\ufeffText after a BOM.'],
  ['the noncharacter U+FFFE', 'Text with \ufffe inside.'],
  ['the noncharacter U+FFFF', 'Text with \uffff inside.'],
  ['a lone high surrogate', 'Text with \ud800 inside.'],
  ['a lone low surrogate', 'Text with \udc00 inside.'],
  ['U+2028 between spaces', 'Line \u2028 separator between spaces.'],
  ['U+2028 and U+2029', 'Separators\u2028line\u2029paragraph'],
];

const acceptedTexts: string[] = [];
describe('a text with a control or exotic character is rejected at a place that holds it, or kept by the rule file', () => {
  it.each(EXOTIC_TEXTS)('%s', (_, text) => {
    const built = hostileCatalogue([text], { values: ['plain', 'other'] });
    const generation = generate(built.text);
    if (!generation.catalog) {
      const lines = built.text.split('\n');
      const quoted = q(text).slice(0, -1);
      const errors = errorsOf(generation.diagnostics);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(lines[error.line - 1]?.indexOf(quoted), `${formatDiagnostic(error)} is not at the text`).toBe(error.col - 1);
      }
      return;
    }
    // promtool test rules loads (so checks) the rule file before it evaluates anything.
    const rules = output(generation.outputs, RULES);
    const fired = promtoolTestRules(rules, alertRuleTest(built.entries, built.runbookUrl));
    expect(fired.output).toMatch(/SUCCESS/);
  });
});
for (const [, text] of EXOTIC_TEXTS) if (generate(hostileCatalogue([text], { values: ['plain', 'other'] }).text).catalog) acceptedTexts.push(text);
if (acceptedTexts.length > 0) {
  describeHostileCatalogue('the exotic texts the catalogue accepts, in every output', SUITE_DIR, () =>
    hostileCatalogue(acceptedTexts, { values: ['plain', 'other'] }),
  );
}

// ------------------------------------------------------------------------------------- templates

/** The BASE catalogue with one alert on requests_total. */
function alertCatalogue(fields: { summary?: string; description?: string; runbookUrl?: string }): string {
  const alert =
    '    alerts:\n      - name: RequestsHigh\n        kind: threshold\n        of: rate\n        above: 1\n        severity: warning\n' +
    `        summary: ${q(fields.summary ?? 'Requests are high.')}\n` +
    (fields.description === undefined ? '' : `        description: ${q(fields.description)}\n`);
  return catalogue({
    head: `namespace: shop\n${fields.runbookUrl === undefined ? '' : `runbook_url: ${q(fields.runbookUrl)}\n`}`,
    metrics: BASE.metrics.replace('    labels: [method]\n', `    labels: [method]\n${alert}`),
  });
}

describe('alert summaries are static', () => {
  it.each(['Rate {{ $value }} is high.', 'Unbalanced {{ action.', '{{ "{{" }} escaped.'])('a summary with an action is rejected at the summary (alert-summary): %s', (summary) => {
    const text = alertCatalogue({ summary });
    expectErrorAt(generate(text), 'alert-summary', positionOf(text, { line: `summary: ${q(summary)}`, col: q(summary) }));
  });

  it('closing braces alone are text, accepted and kept', () => {
    const summary = 'Closing braces }} alone are text.';
    const generation = generate(alertCatalogue({ summary }));
    const { outputs } = generation;
    expect(errorLines(generation)).toEqual([]);
    expect(promtoolCheckRules(output(outputs, RULES)).status).toBe(0);
  });
});

describe('alert descriptions are Go templates', () => {
  it.each([
    'Requests of {{ $labels.job }} are at {{ $value | humanize }}/s.',
    'Literal braces {{ "{{" }} and }} are printed as they are.',
    'Dollars $labels.job and $value outside actions are text.',
    '{{ if gt $value 10.0 }}Very high{{ else }}High{{ end }}: {{ $value | printf "%.1f" }}.',
  ])('a valid template is accepted, kept and passes promtool: %s', (description) => {
    const generation = generate(alertCatalogue({ description }));
    const { outputs } = generation;
    expect(errorLines(generation)).toEqual([]);
    const rules = output(outputs, RULES);
    const result = promtoolCheckRules(rules);
    expect(result.output).toMatch(/SUCCESS/);
    const alert = (parse(rules) as { groups: { rules: { alert?: string; annotations?: { description: string } }[] }[] }).groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'RequestsHigh');
    expect(alert?.annotations?.description).toBe(description);
  });

  // Decision: a description is a template on purpose (the generated defaults use $labels and $value),
  // so a literal `{{` is not escaped but rejected, with `{{ "{{" }}` as the way to print one.
  it.each(['Use {{ to open an action.', 'Unclosed {{ $labels.job', '{{ $labels.job }} and then {{', 'Stray {{- here'])(
    'a description with an unclosed action is rejected at the description (alert-description-template): %s',
    (description) => {
      const text = alertCatalogue({ description });
      expectErrorAt(generate(text), 'alert-description-template', positionOf(text, { line: `description: ${q(description)}`, col: q(description) }));
    },
  );

  it.each(['Empty action {{}} here.', 'Unknown function {{ nosuchfunction }}.', 'Unclosed comment {{/* here', 'Lone {{ end }} here.', '{{ $undefined }} variable.'])(
    'an invalid template is rejected at the description, or promtool accepts the rule file: %s',
    (description) => {
      const text = alertCatalogue({ description });
      const generation = generate(text);
      if (!generation.catalog) {
        expectErrorAt(generation, /./, positionOf(text, { line: `description: ${q(description)}`, col: q(description) }));
        return;
      }
      const result = promtoolCheckRules(output(generation.outputs, RULES));
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    },
  );
});

describe('the runbook URL pattern becomes a templated annotation', () => {
  it.each(['https://runbooks.example.com/{{ oops/{alert}', 'https://runbooks.example.com/{alert}?q={{', 'https://runbooks.example.com/{alert}#{{ $labels.job }'])(
    'a pattern with an action is rejected at runbook_url, or the rule file passes promtool: %s',
    (runbookUrl) => {
      const text = alertCatalogue({ runbookUrl });
      const generation = generate(text);
      if (!generation.catalog) {
        expectErrorAt(generation, /./, positionOf(text, { line: `runbook_url: ${q(runbookUrl)}`, col: q(runbookUrl) }));
        return;
      }
      const result = promtoolCheckRules(output(generation.outputs, RULES));
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    },
  );
});

// ------------------------------------------------------------------------------------- file name

/**
 * The catalogue's file name goes into the first line of every output (`Generated by … from <name>`).
 * Names are the user's, but a name is not code: whatever it holds, the outputs stay valid.
 */
describe('a hostile catalogue file name', () => {
  // No "/" in them: the header holds the base name only.
  const NAMES = [
    'evil\nglobalThis.pwned = 1;\n.yaml',
    'evil\u2028globalThis.pwned = 1;\u2028.yaml',
    'evil\rglobalThis.pwned = 1;\r.yaml',
    'evil\ngroups: []\n#.yaml',
    'evil --> <img src=x onerror="globalThis.pwned = 1"> <!--.yaml',
  ];
  const generations = NAMES.map((name) => generate(catalogue(), name));
  const benign = generate(catalogue(), 'metrics.yaml');
  const indices = generations.map((g) => typeCheckBatch.add(output(g.outputs, 'generated/metrics.ts')));
  const dir = new ModuleDir(SUITE_DIR);
  let check: TypeCheck;
  const pwned: unknown[] = [];

  beforeAll(async () => {
    check = typeCheckBatch.check();
    for (const generation of generations) {
      globalThis.pwned = undefined;
      try {
        const module = await dir.import(output(generation.outputs, 'generated/metrics.ts'));
        module.createMetrics({ defaultMetrics: false });
      } catch {
        // A module that does not even load is reported by the type check.
      }
      pwned.push(globalThis.pwned);
    }
    globalThis.pwned = undefined;
  }, 180_000);
  afterAll(() => dir.cleanup());

  describe.each(NAMES.map((name, index) => [JSON.stringify(name), index] as const))('%s', (_, index) => {
    const generation = generations[index]!;

    it('the generated module type-checks, holds only declarations, and runs no code from the name', () => {
      expect(check.diagnostics[indices[index]!]).toEqual([]);
      const extra = [...statementKinds(check, indices[index]!)].filter((kind) => !['import', 'type', 'interface', 'function', 'const'].includes(kind));
      expect(extra).toEqual([]);
      expect(pwned[index]).toBeUndefined();
    });

    it('the rule file and the provisioning file read as the same YAML as with a plain name, and pass promtool', () => {
      for (const path of [RULES, 'dashboards/provisioning/dashboards.yaml']) {
        expect(parse(output(generation.outputs, path)), path).toEqual(parse(output(benign.outputs, path)));
      }
      expect(promtoolCheckRules(output(generation.outputs, RULES)).status).toBe(0);
    });

    it('the reference header stays one HTML comment, followed by exactly what follows it with a plain name', () => {
      const afterHeader = (markdown: string): string => markdown.slice(markdown.indexOf('-->') + 3);
      const markdown = output(generation.outputs, 'generated/METRICS.md');
      expect(markdown.startsWith('<!-- Generated by')).toBe(true);
      expect(afterHeader(markdown)).toBe(afterHeader(output(benign.outputs, 'generated/METRICS.md')));
    });

    it('the dashboards are JSON', () => {
      for (const [path, content] of generation.outputs ?? []) if (path.endsWith('.json')) expect(() => JSON.parse(content), path).not.toThrow();
    });
  });
});

it('the hostile texts of the main suite are all accepted as alert descriptions once written as templates', () => {
  // Guards the main suite's premise: its description slots hold valid templates of every payload.
  const built = hostileCatalogue(HOSTILE_TEXTS);
  expect(errorLines(generate(built.text))).toEqual([]);
});
