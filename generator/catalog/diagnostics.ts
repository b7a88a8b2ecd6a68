/** A problem found in the catalogue, with the place it comes from. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Stable id of the rule that found it; tests and users may match on it. */
  readonly rule: string;
  readonly message: string;
  /** JSON pointer into the catalogue document ('' for the whole file). */
  readonly pointer: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** `metrics.yaml:12:5: error: message [rule-id]`, the format editors and CI problem matchers read. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${oneLine(d.file)}:${d.line}:${d.col}: ${d.severity}: ${oneLine(d.message)} [${d.rule}]`;
}

/** A diagnostic is one line whatever text it quotes: line breaks and controls shown escaped. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorted by place, so a user reads them top to bottom as in the file. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
  );
}

export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function pathOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `metrics.agent_latency_seconds.buckets[2]`: how a pointer reads in a message. */
export function describePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? 'the catalogue' : out;
}
