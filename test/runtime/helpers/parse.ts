/**
 * A strict parser for the two exposition formats, written for the tests: it throws on anything a
 * Prometheus scraper would reject (and on a few things it would merely frown at), and returns the
 * metadata and samples with escapes undone so that tests compare real values.
 */

export type Format = 'text' | 'openmetrics';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The value as written, e.g. `+Inf`. */
  rawValue: string;
  /** The whole line as written. */
  line: string;
  /** OpenMetrics: the exemplar after ` # ` (counters' `_total` and histograms' `_bucket` only). */
  exemplar?: { labels: Record<string, string>; value: number; timestamp: number | undefined };
}

export interface FamilyMeta {
  name: string;
  type?: string;
  help?: string;
  unit?: string;
}

export interface Parsed {
  families: Map<string, FamilyMeta>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'unknown', 'info', 'stateset', 'gaugehistogram']);

/** Sample-name suffixes each type allows, per format. */
function allowedSuffixes(type: string, format: Format): string[] {
  switch (type) {
    case 'counter':
      return format === 'openmetrics' ? ['_total', '_created'] : [''];
    case 'histogram':
      return ['_bucket', '_sum', '_count', ...(format === 'openmetrics' ? ['_created'] : [])];
    case 'summary':
      return ['', '_sum', '_count', ...(format === 'openmetrics' ? ['_created'] : [])];
    case 'info':
      return ['_info'];
    default:
      return [''];
  }
}

function unescape(s: string, allowQuote: boolean, where: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else throw new Error(`${where}: invalid escape \\${next ?? ''}`);
  }
  return out;
}

function parseNumber(raw: string, where: string): number {
  if (raw === 'NaN') return NaN;
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw new Error(`${where}: bad number ${raw}`);
  return Number(raw);
}

/** Parses `{a="x",b="y"}` starting at `text[start] === '{'`; returns labels and the index after `}`. */
function parseLabels(text: string, start: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without =`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let j = eq + 2;
    let raw = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '\\') {
        raw += c + (text[j + 1] ?? '');
        j += 2;
        continue;
      }
      if (c === '"') break;
      raw += c;
      j++;
    }
    labels[name] = unescape(raw, true, where);
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected , or } after label ${name}`);
  }
  return { labels, end: i + 1 };
}

export function parseExposition(text: string, format: Format): Parsed {
  if (!text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const om = format === 'openmetrics';
  if (om) {
    if (lines[lines.length - 1] !== '# EOF') throw new Error('OpenMetrics exposition does not end with # EOF');
    if (lines.filter((l) => l === '# EOF').length !== 1) throw new Error('more than one # EOF');
    lines.pop();
  }
  const families = new Map<string, FamilyMeta>();
  const samples: Sample[] = [];
  const seenSeries = new Set<string>();
  let current: FamilyMeta | undefined;

  lines.forEach((line, n) => {
    const where = `line ${n + 1} (${JSON.stringify(line.slice(0, 60))})`;
    if (line === '') {
      if (om) throw new Error(`${where}: blank line in OpenMetrics`);
      return;
    }
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE|UNIT) ([^ ]+)(?: (.*))?$/.exec(line);
      if (m === null) {
        if (om) throw new Error(`${where}: unexpected comment`);
        return;
      }
      const [, keyword, name = '', rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad family name`);
      if (current?.name !== name) {
        if (families.has(name)) throw new Error(`${where}: family ${name} appears twice`);
        current = { name };
        families.set(name, current);
      }
      if (keyword === 'HELP') {
        if (current.help !== undefined) throw new Error(`${where}: second HELP`);
        current.help = unescape(rest, om, where);
      } else if (keyword === 'TYPE') {
        if (current.type !== undefined) throw new Error(`${where}: second TYPE`);
        if (!(om ? OM_TYPES : TEXT_TYPES).has(rest)) throw new Error(`${where}: bad type ${rest}`);
        current.type = rest;
      } else {
        if (!om) throw new Error(`${where}: UNIT in the text format`);
        if (!name.endsWith(`_${rest}`)) throw new Error(`${where}: family name does not end with its unit`);
        current.unit = rest;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (nameMatch === null) throw new Error(`${where}: no metric name`);
    const name = nameMatch[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, where));
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const exemplarAt = om ? line.indexOf(' # {', i) : -1;
    const rawValue = line.slice(i + 1, exemplarAt < 0 ? undefined : exemplarAt);
    if (rawValue.includes(' ')) throw new Error(`${where}: unexpected timestamp or trailing text`);
    const value = parseNumber(rawValue, where);
    let exemplar: Sample['exemplar'];
    if (exemplarAt >= 0) {
      if (!name.endsWith('_total') && !name.endsWith('_bucket')) throw new Error(`${where}: exemplar on a sample that cannot have one`);
      const parsed = parseLabels(line, exemplarAt + 3, where);
      const [rawExemplarValue = '', rawTimestamp, ...extra] = line.slice(parsed.end).replace(/^ /, '').split(' ');
      if (line[parsed.end] !== ' ' || extra.length > 0) throw new Error(`${where}: malformed exemplar`);
      exemplar = {
        labels: parsed.labels,
        value: parseNumber(rawExemplarValue, where),
        timestamp: rawTimestamp === undefined ? undefined : parseNumber(rawTimestamp, where),
      };
    }

    // The sample must belong to the family announced just before it.
    if (current?.type === undefined) {
      if (om) throw new Error(`${where}: sample without a TYPE`);
    } else {
      const suffix = allowedSuffixes(current.type, format).find((s) => name === current!.name + s);
      if (suffix === undefined) throw new Error(`${where}: sample ${name} does not belong to family ${current.name}`);
      if (current.type === 'histogram' && suffix === '_bucket') {
        const le = labels.le;
        if (le === undefined) throw new Error(`${where}: bucket without le`);
        if (om && le !== '+Inf' && !/[.e]/.test(le)) throw new Error(`${where}: le ${le} is not a canonical float`);
      }
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`${where}: duplicate series`);
    seenSeries.add(key);
    samples.push(exemplar === undefined ? { name, labels, value, rawValue, line } : { name, labels, value, rawValue, line, exemplar });
  });
  return { families, samples };
}

/** Samples of a name whose labels include all of `labels`. */
export function samplesOf(parsed: Parsed, name: string, labels: Record<string, string> = {}): Sample[] {
  return parsed.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The value of the one sample with exactly these labels; throws when there is not exactly one. */
export function valueOf(parsed: Parsed, name: string, labels: Record<string, string> = {}): number {
  const found = parsed.samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples for ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}
