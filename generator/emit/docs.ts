import { generatedHeader } from '../conventions.js';
import type { Catalog, Matchers, MetricModel } from '../catalog/model.js';

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
      lines.push(`| ${metricCell(metric)} | ${metric.type} | ${metric.unit} | ${labelsCell(metric)} | ${metric.series} | ${helpCell(metric)} |`);
    }
    lines.push('');
  }
  const labels = catalog.labels.filter((label) => !label.builtin);
  if (labels.length > 0) {
    lines.push('## Labels', '', '| label | exposed as | values | overflow | description |', '| --- | --- | --- | --- | --- |');
    for (const label of labels) {
      const values = label.values.filter((v) => v !== label.overflow);
      lines.push(
        `| ${code(label.id)} | ${code(label.name)} | ${values.map(code).join(', ')} | ${label.overflow === undefined ? '' : code(label.overflow)} | ${cell(label.description)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Budget', '', '| | series | limit |', '| --- | ---: | ---: |');
  lines.push(`| whole catalogue | ${catalog.totalSeries} | ${catalog.budget.totalSeries} |`);
  for (const metric of largest(catalog, 5)) {
    lines.push(`| ${code(metric.name)} | ${metric.series} | ${metric.seriesLimit} |`);
  }
  const infoNote = catalog.metrics.some((m) => m.type === 'info') ? '; 1 for an info metric, whose label values the application sets at run time' : '';
  lines.push('', `Series of a metric: the product of its labels\u2019 value counts (overflow value included), times buckets + 3 for a histogram${infoNote}.`, '');
  const alerts = catalog.metrics.flatMap((metric) => metric.alerts.map((alert) => ({ metric, alert })));
  if (alerts.length > 0) {
    lines.push('## Alerts', '', '| alert | kind | severity | metric | summary |', '| --- | --- | --- | --- | --- |');
    for (const { metric, alert } of alerts) {
      const names = alert.names.map(code).join('<br>');
      lines.push(`| ${names} | ${alert.kind} | ${alert.severity} | ${code(metric.name)} | ${cell(alert.summary)} |`);
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

function labelsCell(metric: MetricModel): string {
  if (metric.infoLabels.length > 0) return `${metric.infoLabels.map((label) => code(label.name)).join(' ')} (set at run time)`;
  return metric.labels.map((label) => (label.builtin ? code(label.name) : `${code(label.name)}: ${label.values.map(code).join(' ')}`)).join('<br>');
}

function helpCell(metric: MetricModel): string {
  const deprecation = metric.deprecated
    ? ` **Deprecated:** ${cell(metric.deprecated.reason)}${metric.deprecated.replacedByName ? ` Use ${code(metric.deprecated.replacedByName)}.` : ''}`
    : '';
  return cell(metric.help) + deprecation;
}

/** ` where result="hit"`: matchers by label id, shown with the exposed label names. */
function matchText(matchers: Matchers): string {
  const pairs = matchers.map((m) => `${m.label.name}=${JSON.stringify(m.value)}`);
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
