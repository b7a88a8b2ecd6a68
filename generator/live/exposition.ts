/**
 * A parser for the Prometheus text exposition format (version 0.0.4), the format a scrape without
 * an OpenMetrics Accept header returns. Pure: text in, families and problems out; it never throws.
 *
 * Hand-written rather than a dependency: the one npm parser of this format
 * (parse-prometheus-text-format) has not been released since 2019, has no types, throws on the first
 * bad line and folds histograms into prom2json objects, while the live check needs every sample,
 * its line, and every problem reported at once.
 */

export type ExposedType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExposedSample {
  /** Sample name as written: `x`, `x_bucket`, `x_sum`, `x_count`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** 1-based line number. */
  readonly line: number;
}

export interface ExposedFamily {
  readonly name: string;
  /** From `# TYPE`; `untyped` when the family has none. */
  readonly type: ExposedType;
  /** From `# HELP`, escapes undone; undefined when the family has none. */
  readonly help: string | undefined;
  readonly samples: readonly ExposedSample[];
}

export interface ExpositionProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedExposition {
  /** In order of first appearance. */
  readonly families: ReadonlyMap<string, ExposedFamily>;
  readonly problems: readonly ExpositionProblem[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

interface MutableFamily {
  name: string;
  type: ExposedType | undefined;
  help: string | undefined;
  samples: ExposedSample[];
}

/** Sample-name suffixes that belong to a family of each type. */
function suffixesOf(type: ExposedType): readonly string[] {
  if (type === 'histogram') return ['_bucket', '_sum', '_count'];
  if (type === 'summary') return ['', '_sum', '_count'];
  return [''];
}

export function parseExposition(text: string): ParsedExposition {
  const families = new Map<string, MutableFamily>();
  const problems: ExpositionProblem[] = [];
  const family = (name: string): MutableFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: undefined, help: undefined, samples: [] };
      families.set(name, found);
    }
    return found;
  };
  /** The family a sample name belongs to: a typed family it is a suffix of, else its own. */
  const owner = (sample: string): MutableFamily => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!sample.endsWith(suffix)) continue;
      const candidate = families.get(sample.slice(0, -suffix.length));
      if (candidate?.type !== undefined && suffixesOf(candidate.type).includes(suffix)) return candidate;
    }
    return family(sample);
  };

  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const problem = (message: string): void => void problems.push({ line, message });

    if (text.startsWith('#')) {
      const comment = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(text);
      if (!comment) return; // an ordinary comment
      const [, keyword, name = '', rest = ''] = comment;
      if (!METRIC_NAME.test(name)) return problem(`invalid metric name "${name}" in # ${keyword}`);
      const target = family(name);
      if (keyword === 'HELP') {
        if (target.help !== undefined) return problem(`second # HELP for ${name}`);
        const help = unescape(rest, false);
        if (help === undefined) return problem(`invalid escape in the # HELP of ${name}`);
        target.help = help;
        return;
      }
      const type = rest.trim();
      if (!TYPES.has(type)) return problem(`unknown type "${type}" for ${name}`);
      if (target.type !== undefined) return problem(`second # TYPE for ${name}`);
      if (target.samples.length > 0) return problem(`# TYPE for ${name} after its samples`);
      target.type = type as ExposedType;
      return;
    }

    const sample = parseSample(text);
    if (typeof sample === 'string') return problem(sample);
    const target = owner(sample.name);
    target.samples.push({ ...sample, line });
  });

  const out = new Map<string, ExposedFamily>();
  for (const f of families.values()) out.set(f.name, { name: f.name, type: f.type ?? 'untyped', help: f.help, samples: f.samples });
  return { families: out, problems };
}

/** `name{a="x",b="y"} value [timestamp]`; a string is the reason the line is malformed. */
function parseSample(text: string): { name: string; labels: Record<string, string>; value: number } | string {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text);
  if (!nameMatch) return `not a sample: ${clip(text)}`;
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === '}') {
        i++;
        break;
      }
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (!labelMatch) return `${name}: invalid label name at column ${i + 1}`;
      const label = labelMatch[0];
      i += label.length;
      while (text[i] === ' ') i++;
      if (text[i] !== '=' || text[i + 1] !== '"') return `${name}: expected ="..." after label ${label}`;
      i += 2;
      let value = '';
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\') {
          const next = text[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else return `${name}: invalid escape \\${next ?? ''} in label ${label}`;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return `${name}: unterminated value of label ${label}`;
      if (!LABEL_NAME.test(label) || label.startsWith('__')) return `${name}: reserved label name ${label}`;
      if (Object.hasOwn(labels, label)) return `${name}: label ${label} given twice`;
      labels[label] = value;
      while (text[i] === ' ') i++;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') return `${name}: expected , or } after label ${label}`;
    }
  }
  const rest = text.slice(i);
  if (!/^[ \t]/.test(rest)) return `${name}: expected a space before the value`;
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') return `${name}: expected a value and an optional timestamp`;
  const value = parseValue(fields[0]!);
  if (value === undefined) return `${name}: invalid value "${fields[0]}"`;
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) return `${name}: invalid timestamp "${fields[1]}"`;
  return { name, labels, value };
}

export function parseValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** HELP escapes: `\\` and `\n` (label values also allow `\"`). Undefined on an invalid escape. */
function unescape(text: string, quotes: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quotes) out += '"';
    else return undefined;
  }
  return out;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
