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
  /** The first MAX_PROBLEMS problems, in line order. */
  readonly problems: readonly ExpositionProblem[];
  /** Every problem found, kept or not. */
  readonly problemCount: number;
}

/**
 * Bounds that keep a hostile or broken exposition from taking the checker's memory or time: each
 * is far above what an exporter true to any catalogue serves (a budget is thousands of series).
 */
export const EXPOSITION_LIMITS = {
  /** Characters in one line; a longer line is reported and skipped unread. */
  lineLength: 1 << 20,
  /** Labels on one sample. */
  labelsPerSample: 1_000,
  /** Problems kept with their line and message; the rest are only counted. */
  problems: 100,
  /** Samples, families and label pairs kept for the comparison; past it the rest is only parsed. */
  retained: 1_000_000,
} as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
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

/** The whole text at once: what a test or a caller holding the text uses. */
export function parseExposition(text: string): ParsedExposition {
  const parser = new ExpositionParser();
  parser.push(text);
  return parser.end();
}

/**
 * The text format read in pieces as they arrive, line by line: memory holds the families kept and
 * at most one line, never the body.
 */
export class ExpositionParser {
  private readonly families = new Map<string, MutableFamily>();
  private readonly problems: ExpositionProblem[] = [];
  private problemCount = 0;
  private retained = 0;
  private full = false;
  private pending = '';
  private pendingTooLong = false;
  private line = 0;

  push(chunk: string): void {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', from);
      if (newline === -1) {
        this.hold(chunk.slice(from));
        return;
      }
      const piece = chunk.slice(from, newline);
      from = newline + 1;
      this.line++;
      if (this.pendingTooLong || this.pending.length + piece.length > EXPOSITION_LIMITS.lineLength) {
        this.tooLong();
      } else {
        const whole = this.pending === '' ? piece : this.pending + piece;
        this.pending = '';
        this.parseLine(whole.endsWith('\r') ? whole.slice(0, -1) : whole);
      }
    }
  }

  end(): ParsedExposition {
    if (this.pending !== '' || this.pendingTooLong) {
      this.line++;
      if (this.pendingTooLong) this.tooLong();
      else this.parseLine(this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending);
      this.pending = '';
    }
    const out = new Map<string, ExposedFamily>();
    for (const f of this.families.values()) out.set(f.name, { name: f.name, type: f.type ?? 'untyped', help: f.help, samples: f.samples });
    return { families: out, problems: this.problems, problemCount: this.problemCount };
  }

  /** The start of a line whose end has not arrived yet. */
  private hold(rest: string): void {
    if (this.pendingTooLong) return;
    if (this.pending.length + rest.length > EXPOSITION_LIMITS.lineLength) {
      this.pending = '';
      this.pendingTooLong = true;
      return;
    }
    this.pending += rest;
  }

  private tooLong(): void {
    this.pending = '';
    this.pendingTooLong = false;
    this.problem(`longer than ${EXPOSITION_LIMITS.lineLength} characters; not read`);
  }

  private problem(message: string): void {
    this.problemCount++;
    if (this.problems.length < EXPOSITION_LIMITS.problems) this.problems.push({ line: this.line, message });
  }

  /** Counts what the comparison will hold; false once the limit is reached (reported once). */
  private retain(units: number): boolean {
    if (this.full) return false;
    if (this.retained + units > EXPOSITION_LIMITS.retained) {
      this.full = true;
      this.problem(`more than ${EXPOSITION_LIMITS.retained} samples, families and labels: the rest is checked for syntax only`);
      return false;
    }
    this.retained += units;
    return true;
  }

  private family(name: string): MutableFamily | undefined {
    const found = this.families.get(name);
    if (found || !this.retain(1)) return found;
    const created: MutableFamily = { name, type: undefined, help: undefined, samples: [] };
    this.families.set(name, created);
    return created;
  }

  /** The family a sample name belongs to: a typed family it is a suffix of, else its own. */
  private owner(sample: string): MutableFamily | undefined {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!sample.endsWith(suffix)) continue;
      const candidate = this.families.get(sample.slice(0, -suffix.length));
      if (candidate?.type !== undefined && suffixesOf(candidate.type).includes(suffix)) return candidate;
    }
    return this.family(sample);
  }

  private parseLine(text: string): void {
    if (text.trim() === '') return;
    if (text.startsWith('#')) {
      const comment = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(text);
      if (!comment) return; // an ordinary comment
      const [, keyword, name = '', rest = ''] = comment;
      if (!METRIC_NAME.test(name)) return this.problem(`invalid metric name "${clip(name)}" in # ${keyword}`);
      const target = this.family(name);
      if (keyword === 'HELP') {
        if (target?.help !== undefined) return this.problem(`second # HELP for ${name}`);
        const help = unescape(rest, false);
        if (help === undefined) return this.problem(`invalid escape in the # HELP of ${name}`);
        if (target) target.help = help;
        return;
      }
      const type = rest.trim();
      if (!TYPES.has(type)) return this.problem(`unknown type "${clip(type)}" for ${name}`);
      if (target?.type !== undefined) return this.problem(`second # TYPE for ${name}`);
      if (target && target.samples.length > 0) return this.problem(`# TYPE for ${name} after its samples`);
      if (target) target.type = type as ExposedType;
      return;
    }

    const sample = parseSample(text);
    if (typeof sample === 'string') return this.problem(sample);
    const target = this.owner(sample.name);
    if (target && this.retain(1 + Object.keys(sample.labels).length)) target.samples.push({ ...sample, line: this.line });
  }
}

/** `name{a="x",b="y"} value [timestamp]`; a string is the reason the line is malformed. Iterative. */
function parseSample(text: string): { name: string; labels: Record<string, string>; value: number } | string {
  NAME_AT.lastIndex = 0;
  const nameMatch = NAME_AT.exec(text);
  if (!nameMatch) return `not a sample: ${clip(text)}`;
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  let count = 0;
  if (text[i] === '{') {
    i++;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === '}') {
        i++;
        break;
      }
      LABEL_AT.lastIndex = i;
      const labelMatch = LABEL_AT.exec(text);
      if (!labelMatch) return `${clip(name)}: invalid label name at column ${i + 1}`;
      const label = labelMatch[0];
      i += label.length;
      while (text[i] === ' ') i++;
      if (text[i] !== '=' || text[i + 1] !== '"') return `${clip(name)}: expected ="..." after label ${clip(label)}`;
      i += 2;
      let value = '';
      let closed = false;
      while (i < text.length) {
        // Copy runs of plain characters at once: a long value costs one slice, not one string per character.
        let run = i;
        while (run < text.length && text[run] !== '\\' && text[run] !== '"') run++;
        value += text.slice(i, run);
        i = run;
        if (i >= text.length) break;
        if (text[i] === '\\') {
          const next = text[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else return `${clip(name)}: invalid escape \\${next ?? ''} in label ${clip(label)}`;
          i += 2;
          continue;
        }
        closed = true;
        i++;
        break;
      }
      if (!closed) return `${clip(name)}: unterminated value of label ${clip(label)}`;
      if (!LABEL_NAME.test(label) || label.startsWith('__')) return `${clip(name)}: reserved label name ${clip(label)}`;
      if (Object.hasOwn(labels, label)) return `${clip(name)}: label ${clip(label)} given twice`;
      if (++count > EXPOSITION_LIMITS.labelsPerSample) return `${clip(name)}: more than ${EXPOSITION_LIMITS.labelsPerSample} labels`;
      labels[label] = value;
      while (text[i] === ' ') i++;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') return `${clip(name)}: expected , or } after label ${clip(label)}`;
    }
  }
  const rest = text.slice(i);
  if (!/^[ \t]/.test(rest)) return `${clip(name)}: expected a space before the value`;
  const fields = rest.trim().split(/[ \t]+/, 3);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') return `${clip(name)}: expected a value and an optional timestamp`;
  const value = parseValue(fields[0]!);
  if (value === undefined) return `${clip(name)}: invalid value "${clip(fields[0]!)}"`;
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) return `${clip(name)}: invalid timestamp "${clip(fields[1])}"`;
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
