/**
 * Small catalogues for the catalogue, CLI and writer suites: a minimal valid catalogue in text
 * blocks that a test replaces or extends, and a way to find where a node sits in the text written,
 * so expected positions come from the YAML itself rather than from the code under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The blocks of the minimal valid catalogue: every label used, every group filled, every field recorded. */
export const BASE = {
  head: 'namespace: shop\n',
  labels: `\
  method:
    description: HTTP method of the request.
    values: [get, post]
    overflow: other
`,
  groups: `\
  main:
    title: Main
`,
  metrics: `\
  requests_total:
    type: counter
    group: main
    help: Requests served.
    unit: count
    labels: [method]
  request_duration_seconds:
    type: histogram
    group: main
    help: Time taken to serve one request.
    unit: seconds
    buckets: [0.1, 0.5, 1]
`,
  events: `\
  request:
    description: One request was served.
    fields:
      method: { label: method }
      duration_seconds: { type: number }
    records:
      - { inc: requests_total }
      - { observe: request_duration_seconds, value: duration_seconds }
`,
  tail: '',
} as const;

export interface CatalogueParts {
  head?: string;
  labels?: string;
  groups?: string;
  metrics?: string;
  /** null leaves the events section out. */
  events?: string | null;
  /** Appended after everything else. */
  tail?: string;
}

/** The minimal valid catalogue with some blocks replaced. */
export function catalogue(parts: CatalogueParts = {}): string {
  const p = { ...BASE, ...parts };
  return (
    p.head +
    'labels:\n' +
    p.labels +
    'groups:\n' +
    p.groups +
    'metrics:\n' +
    p.metrics +
    (p.events === null ? '' : 'events:\n' + p.events) +
    p.tail
  );
}

/**
 * A metric block under `metrics:`. Fields are raw YAML values; defaults make a valid gauge in
 * group `main`; a field set to null is left out; fields not in the defaults follow in order.
 */
export function metric(key: string, fields: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = { type: 'gauge', group: 'main', help: `Help of ${key}.`, unit: 'none', ...fields };
  let out = `  ${key}:\n`;
  for (const [name, value] of Object.entries(all)) {
    if (value !== null) out += `    ${name}: ${value}\n`;
  }
  return out;
}

/** A label block under `labels:`. */
export function label(id: string, values: string, extra = ''): string {
  return `  ${id}:\n    description: Label ${id}.\n    values: ${values}\n${extra}`;
}

export interface Anchor {
  /** Search starts on the line after the first line containing this text. */
  readonly after?: string;
  /** Text on the line of the node: the first such line (after `after`), or the only one. */
  readonly line: string;
  /** Text at the node's column on that line, its first occurrence (default: `line` itself). */
  readonly col?: string;
}

export interface Place {
  readonly line: number;
  readonly col: number;
}

/** 1-based line and column of an anchor in `text`; throws when the anchor is missing or ambiguous. */
export function positionOf(text: string, anchor: Anchor): Place {
  const lines = text.split(/\r?\n/);
  let start = 0;
  if (anchor.after !== undefined) {
    const after = lines.findIndex((l) => l.includes(anchor.after as string));
    if (after < 0) throw new Error(`anchor "after" not found: ${anchor.after}`);
    start = after + 1;
  }
  const matches = lines.map((l, i) => (i >= start && l.includes(anchor.line) ? i : -1)).filter((i) => i >= 0);
  if (matches.length === 0) throw new Error(`anchor line not found: ${anchor.line}`);
  if (anchor.after === undefined && matches.length > 1) throw new Error(`anchor line is ambiguous: ${anchor.line}`);
  const index = matches[0] as number;
  const text0 = lines[index] as string;
  const needle = anchor.col ?? anchor.line;
  const col = text0.indexOf(needle);
  if (col < 0) throw new Error(`anchor column "${needle}" not on line ${index + 1}: ${text0}`);
  return { line: index + 1, col: col + 1 };
}

/** A fresh temporary folder and a way to remove it. */
export function makeTempDir(): { readonly path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'lb-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
