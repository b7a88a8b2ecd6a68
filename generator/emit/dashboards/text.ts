import type { LabelModel, MetricModel, RatioModel } from '../../catalog/model.js';

const ACRONYMS: Readonly<Record<string, string>> = { api: 'API', usd: 'USD', id: 'ID', db: 'DB', cpu: 'CPU', http: 'HTTP', sql: 'SQL', url: 'URL' };

/** `external_api_calls` → `External API calls`. */
export function sentence(snake: string): string {
  const words = snake.split('_').filter(Boolean).map((word) => ACRONYMS[word] ?? word);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Like `sentence` but for use inside a phrase: `cache_layer` → `cache layer`. */
export function phrase(snake: string): string {
  return snake
    .split('_')
    .filter(Boolean)
    .map((word) => ACRONYMS[word] ?? word)
    .join(' ');
}

/**
 * What a metric is called on a dashboard when the catalogue gives no title: its key without
 * `_total`, and without a `_seconds`/`_bytes` suffix that the axis unit already shows.
 */
export function metricBaseTitle(metric: MetricModel): string {
  let key = metric.key.replace(/_total$/, '');
  if (metric.unit === 'seconds' || metric.unit === 'bytes') key = key.replace(new RegExp(`_${metric.unit}$`), '');
  return sentence(key);
}

/** ` by cache layer and result`, or '' without labels. */
export function bySuffix(labels: readonly LabelModel[]): string {
  if (labels.length === 0) return '';
  const names = labels.map((label) => phrase(label.name));
  const last = names.pop()!;
  return ` by ${names.length > 0 ? `${names.join(', ')} and ${last}` : last}`;
}

/** `0.95` → `p95`, `0.999` → `p99.9`. */
export function quantileName(quantile: number): string {
  return `p${Number((quantile * 100).toPrecision(12))}`;
}

/** Grafana legend of a series split by `labels`, with an optional suffix: `{{agent}} p95`. */
export function legend(labels: readonly string[], suffix = ''): string {
  return [...labels.map((name) => `{{${name}}}`), suffix].filter(Boolean).join(' ');
}

export function ratioTitle(ratio: RatioModel, by: readonly LabelModel[]): string {
  return `${sentence(ratio.name)} ratio${bySuffix(by)}`;
}

/** Text inside markdown link labels and list items: no bracket can open a link. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/**
 * A text Grafana shows after expanding variables in it (panel and row titles, panel descriptions,
 * text panel content), kept as written: a WORD JOINER (U+2060, invisible) after each `$` that
 * precedes a name or `{`, and between `[[`, so no `$job`, `${job}` or `[[job]]` is read as a variable.
 */
export function grafanaInertText(text: string): string {
  return text.replace(/\$(?=[\w{])/g, '$\u2060').replace(/\[(?=\[)/g, '[\u2060');
}
