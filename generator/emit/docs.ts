import { generatedHeader } from '../conventions.js';
import { histogramShape } from '../catalog/model.js';
import type { AlertModel, Catalog, LabelModel, Matchers, MetricModel } from '../catalog/model.js';

/** generated/METRICS.md: the reference a reviewer reads when the catalogue changes. */
export function emitDocs(catalog: Catalog): Map<string, string> {
  const lines: string[] = [
    generatedHeader(catalog.sourceFile, '<!--', '-->'),
    '',
    `# ${catalog.namespace} metrics`,
    '',
    `${counted(catalog.metrics.length, 'metric')} in ${counted(catalog.groups.length, 'group')}, at most ${counted(catalog.totalSeries, 'series', 'series')}.`,
    '',
  ];
  for (const group of catalog.groups) {
    if (group.metrics.length === 0) continue;
    lines.push(`## ${cell(group.title)}`, '');
    if (group.description) lines.push(cell(group.description), '');
    lines.push('| metric | type | unit | labels | series | help |', '| --- | --- | --- | --- | ---: | --- |');
    for (const metric of group.metrics) {
      lines.push(`| ${metricCell(metric)} | ${typeCell(metric)} | ${metric.unit} | ${labelsCell(metric)} | ${metric.series} | ${helpCell(metric)} |`);
    }
    lines.push('');
  }
  const labels = catalog.labels.filter((label) => !label.builtin);
  if (labels.length > 0) {
    lines.push('## Labels', '', '| label | exposed as | values | overflow | description |', '| --- | --- | --- | --- | --- |');
    for (const label of labels) {
      const values = label.values.filter((v) => v !== label.overflow);
      lines.push(
        `| ${code(label.id)} | ${code(label.name)} | ${[...values.map(code), ...learnedText(label)].join(', ')} | ${label.overflow === undefined ? '' : code(label.overflow)} | ${cell(label.description)} |`,
      );
    }
    lines.push('');
  }
  if (catalog.aggregationLabels.length > 0) {
    const names = catalog.aggregationLabels.map(code).join(', ');
    lines.push(
      `Every series also carries ${names}, which the store adds (not the exporter); the rules keep ${catalog.aggregationLabels.length > 1 ? 'them' : 'it'} in every aggregation, so each alert fires per value, and the dashboards filter by ${catalog.aggregationLabels.length > 1 ? 'them' : 'it'}.`,
      '',
    );
  }
  lines.push('## Budget', '', '| | series | limit |', '| --- | ---: | ---: |');
  lines.push(`| whole catalogue | ${catalog.totalSeries} | ${catalog.budget.totalSeries} |`);
  for (const metric of largest(catalog, 5)) {
    lines.push(`| ${code(metric.name)} | ${metric.series} | ${metric.seriesLimit} |`);
  }
  const infoNote = catalog.metrics.some((m) => m.type === 'info') ? '; 1 for an info metric, whose label values the application sets at run time' : '';
  const natives = catalog.metrics.filter((m) => m.native !== undefined);
  const nativeNote = natives.length === 0 ? '' : ' (classic buckets), 1 for a native histogram, both added up for a histogram with both shapes';
  const negativeNote = catalog.metrics.some((m) => m.type === 'histogram' && !m.sumExposed)
    ? ' A histogram with a negative bucket bound counts buckets + 3 too: the text formats expose no `_sum` and `_count` for it, but a Prometheus that scrapes protobuf (native histograms on) stores both.'
    : '';
  lines.push('', `Series of a metric: the product of its labels\u2019 value counts (overflow value included), times buckets + 3 for a histogram${nativeNote}${infoNote}.${negativeNote}`, '');
  if (natives.length > 0) {
    lines.push(
      'A native histogram is one series per label set in the TSDB whatever its bucket count, once Prometheus ingests it (`--enable-feature=native-histograms`, scraping the protobuf exposition); a Prometheus that scrapes the text formats stores the classic shape instead (a native-only histogram: `le="+Inf"`, `_sum` and `_count`). Rules and dashboards read a native-only histogram through its native series, and one with both shapes through whichever is stored.',
      '',
      '## Native histograms',
      '',
      '| metric | shape | schema | max buckets | zero threshold |',
      '| --- | --- | ---: | ---: | ---: |',
    );
    for (const metric of natives) {
      const native = metric.native!;
      lines.push(`| ${code(metric.name)} | ${histogramShape(metric) === 'both' ? `native and ${counted(metric.buckets.length, 'classic bucket')}` : 'native only'} | ${native.schema} | ${native.maxBuckets} | ${native.zeroThreshold} |`);
    }
    lines.push('', 'Schema s splits each power of two into 2^s buckets (each about 2^(2^-s) wide); past max buckets, a series halves its resolution.', '');
  }
  if (catalog.labels.some((label) => label.learned !== undefined)) {
    lines.push(
      'A label that learns its values counts its learned ones at their maximum: the first values recorded, up to that count, get a series each, in the order they arrive; later ones are recorded under the overflow value, or dropped and counted in the drop counter without one. A learned value is a non-empty string of at most 128 characters without control characters; any other is dropped and counted.',
      '',
    );
  }
  const alerts = catalog.metrics.flatMap((metric) => metric.alerts.map((alert) => ({ metric, alert })));
  if (alerts.length > 0) {
    const routed = alerts.some(({ alert }) => alert.labels.length > 0);
    lines.push(
      '## Alerts',
      '',
      `| alert | kind | severity${routed ? ' | labels' : ''} | metric | summary |`,
      `| --- | --- | ---${routed ? ' | ---' : ''} | --- | --- |`,
    );
    for (const { metric, alert } of alerts) {
      const names = alert.names.map(code).join('<br>');
      const labels = routed ? ` | ${alert.labels.map((l) => code(`${l.name}=${l.value}`)).join('<br>')}` : '';
      const watched = [code(metric.name), alert.goodMetric && `good: ${code(alert.goodMetric.name)}`, alert.badMetric && `bad: ${code(alert.badMetric.name)}`]
        .filter(Boolean)
        .join('<br>');
      lines.push(`| ${names} | ${alert.kind} | ${alert.severity}${labels} | ${watched}${matchText(alert.match)} | ${alertSummaryCell(alert)} |`);
    }
    lines.push('');
  }
  const ratios = catalog.metrics.flatMap((metric) => metric.ratios.map((ratio) => ({ metric, ratio })));
  if (ratios.length > 0) {
    lines.push('## Recorded ratios', '', '| recording rule | numerator | denominator | description |', '| --- | --- | --- | --- |');
    for (const { metric, ratio } of ratios) {
      const record = ratio.records.map((r) => code(r.name)).join('<br>');
      lines.push(
        `| ${record} | ${code(metric.name)}${matchText(ratio.match)} | ${code(ratio.denominator.name)}${matchText(ratio.denominatorMatch)} | ${cell(ratio.description ?? '')} |`,
      );
    }
    lines.push('');
  }
  if (catalog.customRules.length > 0) {
    lines.push('## Custom rules', '', '| rule | kind | group | expression | labels | about |', '| --- | --- | --- | --- | --- | --- |');
    for (const rule of catalog.customRules) {
      const about = rule.kind === 'alert' ? `${rule.severity}, for ${rule.for}: ${cell(rule.summary)}` : cell(rule.description ?? '');
      const labels = rule.outputLabels === undefined ? 'not known' : rule.outputLabels.map((l) => code(l.name)).join(' ');
      lines.push(`| ${code(rule.name)} | ${rule.kind === 'alert' ? 'alert' : 'recording rule'} | ${cell(rule.group.title)} | ${code(rule.expr)} | ${labels} | ${about} |`);
    }
    lines.push('');
  }
  if (catalog.events.length > 0) {
    lines.push('## Events', '', '| recorder method | records | description |', '| --- | --- | --- |');
    for (const event of catalog.events) {
      const records = event.records.map((r) => `${r.operation} ${code(r.metric.name)}`).join('<br>');
      lines.push(`| ${code(`${event.method}()`)} | ${records} | ${cell(event.description)} |`);
    }
    lines.push('');
  }
  return new Map([[catalog.files.reference, lines.join('\n')]]);
}

/** `1 metric`, `2 metrics`: a count with its noun in the right number. */
function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** The metrics with the most series, largest first (ties by name, for stable output). */
export function largest(catalog: Catalog, count: number): MetricModel[] {
  return [...catalog.metrics].sort((a, b) => b.series - a.series || a.name.localeCompare(b.name)).slice(0, count);
}

function metricCell(metric: MetricModel): string {
  const notes = [metric.stability === 'experimental' ? 'experimental' : '', metric.deprecated ? 'deprecated' : ''].filter(Boolean);
  return code(metric.name) + (notes.length ? ` (${notes.join(', ')})` : '');
}

/** A histogram's shape beside its type: `histogram (native)`, `histogram (classic + native)`. */
function typeCell(metric: MetricModel): string {
  const shape = histogramShape(metric);
  if (shape === 'native') return 'histogram (native)';
  if (shape === 'both') return 'histogram (classic + native)';
  return metric.type;
}

function labelsCell(metric: MetricModel): string {
  if (metric.infoLabels.length > 0) return `${metric.infoLabels.map((label) => code(label.name)).join(' ')} (set at run time)`;
  return metric.labels
    .map((label) => (label.builtin ? code(label.name) : `${code(label.name)}: ${[...label.values.map(code), ...learnedText(label)].join(' ')}`))
    .join('<br>');
}

/** `up to N learned at run time` for a label that learns its values. */
function learnedText(label: LabelModel): string[] {
  return label.learned === undefined ? [] : [`up to ${label.learned} learned at run time`];
}

function helpCell(metric: MetricModel): string {
  const deprecation = metric.deprecated
    ? ` **Deprecated:** ${cell(metric.deprecated.reason)}${metric.deprecated.replacedByName ? ` Use ${code(metric.deprecated.replacedByName)}.` : ''}`
    : '';
  return cell(metric.help) + deprecation;
}

/** The summary, then a link to the alert's dashboard panel when the catalogue names its Grafana. */
function alertSummaryCell(alert: AlertModel): string {
  return cell(alert.summary) + (alert.dashboardUrl === undefined ? '' : ` <a href="${alert.dashboardUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">dashboard</a>`);
}

/** ` where result="hit"`, ` where status_class in "4xx", "5xx"`: matchers shown with the exposed label names. */
function matchText(matchers: Matchers): string {
  const pairs = matchers.map((m) => {
    const values = m.values.map((v) => JSON.stringify(v)).join(', ');
    if (m.values.length === 1) return `${m.label.name}${m.negated ? '!=' : '='}${values}`;
    return `${m.label.name} ${m.negated ? 'not in' : 'in'} ${values}`;
  });
  return pairs.length === 0 ? '' : ` where ${cell(pairs.join(', '))}`;
}

/**
 * Text in a table cell, shown as written: no pipe, newline or HTML can break the table's shape, and
 * no Markdown can start (links, images, emphasis, strikethrough, math, code, autolinks). CommonMark
 * reads a character reference as a literal character, never as markup, so each character that
 * could open a construct is written as one; `_` only where it could (not inside a word, so metric
 * names stay readable), `:` only in `://`, `.` only in `www.`.
 */
export function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '&#92;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/[*~[\]$@]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '&#95;')
    .replace(/:(?=\/\/)/g, '&#58;')
    .replace(/(www)\./gi, '$1&#46;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** Inline code that survives any content: HTML-escaped inside <code> rather than backticks. */
function code(text: string): string {
  return `<code>${cell(text)}</code>`;
}
