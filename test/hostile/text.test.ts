/**
 * Hostile text in every text slot of the catalogue (help, label, group and event descriptions,
 * group and panel titles, alert summaries and descriptions, ratio and summary descriptions,
 * deprecation reasons) and in allowed label values: every output stays valid for its consumer and
 * keeps the text exactly, and nothing in the catalogue becomes code.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOSTILE_TEXTS, HOSTILE_VALUES, alertRuleTest, hostileCatalogue } from './helpers/catalogue.js';
import { codePoints, errorLines, generate, output, promqlStrings, promtoolTestRules } from './helpers/outputs.js';
import { describeHostileCatalogue } from './helpers/suite.js';
import { parse } from 'yaml';

const SUITE_DIR = fileURLToPath(new URL('.', import.meta.url));
const RULES = 'alerts/shop.rules.yaml';

describeHostileCatalogue('a catalogue with hostile text in every text slot and hostile label values', SUITE_DIR, () => hostileCatalogue(HOSTILE_TEXTS));

/** Long texts at the schema's limits: 2000 code points of text, 100 of a title, 200 of a label value. */
const LONG_PIECES = ['"; */ ${x} `{{ $labels.job }}` }} <script> | \\ \r\n 日本 😀 👩‍👩‍👧 مرحبا ', '😀', 'a', 'é日', '\\"|'];
const LONG_VALUES = ['😀', 'a"\\|`', '日本語', 'é', '{{$}}'].map((piece) => codePoints(piece.repeat(200), 200));

describeHostileCatalogue('a catalogue with texts and label values as long as the schema allows', SUITE_DIR, () =>
  hostileCatalogue(
    LONG_PIECES.map((piece) => codePoints(piece.repeat(2000), 2000)),
    { values: LONG_VALUES, overflow: (i) => codePoints(`overflow ${i} "\\| 😀`.repeat(40), 200) },
  ),
);

/**
 * The rule file is where text meets two parsers at once (Go's YAML, then Go's templates or PromQL),
 * so each payload and each label value also gets a catalogue of its own: a failure names it.
 */
describe('the rule file of a catalogue with one hostile payload passes promtool and keeps the text', () => {
  it.each(HOSTILE_TEXTS.map((text) => [JSON.stringify(text), text]))('%s', (_, text) => {
    const built = hostileCatalogue([text]);
    const generation = generate(built.text);
    const { outputs } = generation;
    expect(errorLines(generation)).toEqual([]);
    const rules = output(outputs, RULES);
    const alert = (parse(rules) as { groups: { rules: { alert?: string; annotations?: object }[] }[] }).groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'Hostile0');
    expect(alert?.annotations).toMatchObject({ summary: built.entries[0]!.summary, description: built.entries[0]!.description });
    const fired = promtoolTestRules(rules, alertRuleTest(built.entries, built.runbookUrl));
    expect(fired.output).toMatch(/SUCCESS/);
    expect(fired.status).toBe(0);
  });
});

describe('the rule file of a ratio matching one hostile label value passes promtool and keeps the value', () => {
  it.each(HOSTILE_VALUES.map((value) => [JSON.stringify(value), value]))('%s', (_, value) => {
    const built = hostileCatalogue(['Plain text.'], { values: [value, 'plain value'], matched: () => value });
    const generation = generate(built.text);
    const { outputs } = generation;
    expect(errorLines(generation)).toEqual([]);
    const rules = output(outputs, RULES);
    const records = (parse(rules) as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const record = records.find((r) => r.record === 'instance:shop_r0:ratio_rate5m');
    expect(promqlStrings(record?.expr ?? '')).toEqual([value]);
    // The alert fires only if Prometheus reads the matcher's value exactly as the label value.
    const fired = promtoolTestRules(rules, alertRuleTest(built.entries, built.runbookUrl));
    expect(fired.output).toMatch(/SUCCESS/);
    expect(fired.status).toBe(0);
  });
});
