/**
 * Catalogues whose every text slot holds hostile text. Each payload gets its own set of catalogue
 * objects (label, group, three metrics, ratio, alert, event, summary figure), so a failure names the
 * payload, and every slot a catalogue has is filled by it.
 */
import { codePointLength, codePoints, goYamlString, yamlString } from './outputs.js';

/** Texts that would break, or inject code into, a careless emitter. Each must be accepted and kept. */
export const HOSTILE_TEXTS: readonly string[] = [
  'Plain help text.',
  '"; globalThis.pwned = 1; "',
  "'; globalThis.pwned = 1; '",
  '*/ globalThis.pwned = 1; /*',
  '` + (globalThis.pwned = 1) + `',
  '${globalThis.pwned = 1}',
  '\\"); globalThis.pwned = 1; //',
  'Back\\slash, \\n, \\u0041, \\\\ and a trailing backslash \\',
  'Line one\nline two\n\n  indented line four\n',
  'Windows\r\nline ends\rand a lone CR',
  'Templates {{ $labels.job }} {{ . }} }} and {{',
  '<script>globalThis.pwned = 1</script> <!-- comment --> &amp; &lt; <b>bold</b>',
  '| a | b |\n| --- | --- |\n| pipe || table |',
  'Café, naïve façade — Ünïcödé ß ø',
  '日本語のヘルプ、中文帮助、한국어 도움말',
  'Emoji 😀 👩‍👩‍👧‍👦 🏳️‍🌈 with ZWJ sequences',
  'مرحبا بالعالم — שלום עולם (RTL) \u202ereversed\u202c text',
  '@param x @returns nothing\n@deprecated at a line start',
  '# HELP fake_metric injected\n# TYPE fake_metric counter\nfake_metric_total 1',
  '---\nkey: value\n...\n%YAML 1.2',
  '- [ ] ] } { % & * ! # @ : ? , > |',
  'Tabs\tinside\tand  doubled  spaces',
  '%s %d %v %!(EXTRA) printf verbs',
  'new Function("globalThis.pwned = 1")(); eval("globalThis.pwned = 1")',
  '[a link](https://evil.example/x) ![an image](https://evil.example/i.png) [ref][1] <https://evil.example> https://evil.example www.evil.example a@evil.example',
  '*emphasis* _underscore_ **strong** __strong__ ~~strike~~ `code` $x^2$ $$y$$ :smile: <b>html</b> &copy; \\* escaped',
  'Grafana $job ${job} ${job:regex} [[job]] [[job:raw]] $__rate_interval $instance $datasource ${__from:date}',
];

/** Allowed label values with every character a value may hold; each must round-trip exactly. */
export const HOSTILE_VALUES: readonly string[] = [
  'plain',
  'a"b',
  "a'b",
  'a\\b',
  '\\',
  '\\n',
  '*/',
  '/*',
  '`',
  '${x}',
  '{{x}}',
  '}}',
  '{{',
  '<script>',
  '</code>',
  '|',
  'a|b',
  'café',
  '日本',
  '😀',
  '👩‍👩‍👧',
  'مرحبا',
  '\u202erlo',
  ' leading space',
  'trailing space ',
  '$agent',
  'null',
  'true',
  '0x1F',
  '1e3',
  '-',
  '#',
  '&amp;',
  '__proto__',
  'constructor',
  'a,b=c',
  '[x](https://evil.example)',
  '![i](https://evil.example/i.png)',
  '*b* _u_ ~s~',
  '$job',
  '${job}',
  '[[job]]',
  '${job:regex}',
  '$__rate_interval',
];

export interface HostileEntry {
  /** Suffix of every id made for this payload. */
  readonly i: number;
  readonly payload: string;
  /** The payload cut to the 100 code points a title may have. */
  readonly title: string;
  /** A static summary: no `{{`, ending with a period. */
  readonly summary: string;
  /** The payload as a valid Go template that prints it (`{{` written as `{{ "{{" }}`). */
  readonly description: string;
  /** What the description template prints: the payload (cut to fit the text limit once escaped). */
  readonly descriptionPrinted: string;
  readonly values: readonly string[];
  readonly overflow: string;
  /** The label value the ratio's numerator matches. */
  readonly matched: string;
}

export interface HostileCatalogue {
  readonly text: string;
  readonly entries: readonly HostileEntry[];
  readonly runbookUrl: string;
}

const TEXT_LIMIT = 2000;
const TITLE_LIMIT = 100;

/** The payload as a Go template printing it, within the text limit, and what it prints. */
function templateOf(payload: string): { template: string; printed: string } {
  for (let n = codePointLength(payload); n > 0; n--) {
    const printed = codePoints(payload, n);
    const template = printed.replaceAll('{{', '{{ "{{" }}');
    if (codePointLength(template) <= TEXT_LIMIT) return { template, printed };
  }
  return { template: 'empty', printed: 'empty' };
}

function summaryOf(payload: string): string {
  const text = codePoints(payload.replaceAll('{{', '{ {'), TEXT_LIMIT - 1);
  return `${text}.`;
}

export interface HostileOptions {
  /** Label values (default HOSTILE_VALUES). */
  readonly values?: readonly string[];
  /** Overflow value of each label (default a hostile one naming the payload). */
  readonly overflow?: (i: number) => string;
  readonly runbookUrl?: string;
  /** The label value the ratio of entry i matches (default: the values in turn). */
  readonly matched?: (i: number) => string;
}

/** A catalogue with one set of objects per payload, every text slot filled with it. */
export function hostileCatalogue(payloads: readonly string[], options: HostileOptions = {}): HostileCatalogue {
  const values = options.values ?? HOSTILE_VALUES;
  const runbookUrl = options.runbookUrl ?? 'https://runbooks.example.com/{alert}?from="catalogue"&to=<rules>|x';
  const entries: HostileEntry[] = payloads.map((payload, i) => ({
    i,
    payload,
    title: codePoints(payload, TITLE_LIMIT),
    summary: summaryOf(payload),
    description: templateOf(payload).template,
    descriptionPrinted: templateOf(payload).printed,
    values,
    overflow: options.overflow?.(i) ?? `over"flow\\${i}|\`{{`,
    matched: options.matched?.(i) ?? values[i % values.length]!,
  }));
  const q = yamlString;
  let labels = '';
  let groups = '';
  let metrics = '';
  let events = '';
  let summary = '';
  for (const e of entries) {
    const p = q(e.payload);
    labels += `  l${e.i}:\n    description: ${p}\n    values:\n${e.values.map((v) => `      - ${q(v)}\n`).join('')}    overflow: ${q(e.overflow)}\n`;
    groups += `  g${e.i}:\n    title: ${q(e.title)}\n    description: ${p}\n    order: ${e.i}\n`;
    metrics += `\
  m${e.i}_total:
    type: counter
    group: g${e.i}
    help: ${p}
    unit: count
    labels: [l${e.i}]
    panel:
      title: ${q(e.title)}
      description: ${p}
      split_by: [l${e.i}]
    ratios:
      - name: r${e.i}
        description: ${p}
        match:
          l${e.i}: ${q(e.matched)}
    alerts:
      - name: Hostile${e.i}
        kind: threshold
        of: ratio
        ratio: r${e.i}
        below: 0.5
        severity: warning
        summary: ${q(e.summary)}
        description: ${q(e.description)}
  m${e.i}_seconds:
    type: histogram
    group: g${e.i}
    help: ${p}
    unit: seconds
    labels: [l${e.i}]
    buckets: [0.1, 1]
    panel:
      split_by: [l${e.i}]
  m${e.i}_old_total:
    type: counter
    group: g${e.i}
    help: ${p}
    unit: count
    deprecated:
      reason: ${p}
      replaced_by: m${e.i}_total
`;
    events += `\
  e${e.i}:
    description: ${p}
    fields:
      l${e.i}: { label: l${e.i}, description: ${p} }
      v: { type: number, description: ${p} }
    records:
      - { inc: m${e.i}_total }
      - { observe: m${e.i}_seconds, value: v }
      - { inc: m${e.i}_old_total }
`;
    summary += `  s${e.i}_ratio: { ratio: r${e.i}, description: ${p} }\n`;
  }
  const text =
    `namespace: shop\nrunbook_url: ${q(runbookUrl)}\nbudget: { series_per_metric: 1000, total_series: 1000000 }\n` +
    `labels:\n${labels}groups:\n${groups}metrics:\n${metrics}events:\n${events}summary:\n${summary}`;
  return { text, entries, runbookUrl };
}

/**
 * A `promtool test rules` file in which every entry's alert fires (its matched label value is rare)
 * and must carry exactly the catalogue's summary, the text its description template prints, and the
 * runbook link: a check of the rule file as Prometheus' YAML reader and template engine see it.
 */
export function alertRuleTest(entries: readonly HostileEntry[], runbookUrl: string): string {
  const q = goYamlString;
  const series: string[] = [];
  const alerts: string[] = [];
  for (const e of entries) {
    const other = [...e.values, e.overflow].find((v) => v !== e.matched)!;
    const selector = (value: string): string => `shop_m${e.i}_total{job="j", l${e.i}=${JSON.stringify(value)}}`;
    series.push(`      - { series: ${q(selector(e.matched))}, values: "0+1x30" }`);
    series.push(`      - { series: ${q(selector(other))}, values: "0+100x30" }`);
    alerts.push(`\
      - eval_time: 20m
        alertname: Hostile${e.i}
        exp_alerts:
          - exp_labels: { severity: warning, job: j }
            exp_annotations:
              summary: ${q(e.summary)}
              description: ${q(e.descriptionPrinted)}
              runbook_url: ${q(runbookUrl.replace('{alert}', `Hostile${e.i}`))}`);
  }
  return `rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
${series.join('\n')}
    alert_rule_test:
${alerts.join('\n')}
`;
}
