import { Alias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, ParsedNode } from 'yaml';
import { pointerOf } from './diagnostics.js';
import type { Diagnostic, Position } from './diagnostics.js';

/** Larger catalogues are refused before parsing: no real catalogue comes near, a hostile one would. */
export const MAX_CATALOG_BYTES = 8 * 1024 * 1024;
/** Aliases resolved while building the data; bounds a "billion laughs" document. */
export const MAX_ALIAS_COUNT = 1000;

export interface LoadedCatalog {
  readonly file: string;
  /** The plain data, or undefined when the YAML could not be read. */
  readonly data: unknown;
  readonly diagnostics: readonly Diagnostic[];
  /** Source position of the node at `path`; with `key`, of the key that names it. */
  locate(path: readonly (string | number)[], options?: { key?: boolean }): Position;
  /**
   * Source position of character `offset` of the string at `path` (a PromQL expression), where the
   * scalar's text maps to its value character for character: plain or quoted on one line without
   * escapes, or a literal block (`|`). Elsewhere, the scalar's own position.
   */
  locateWithin(path: readonly (string | number)[], offset: number): Position;
  /** A diagnostic at the node at `path` (with `offset`: at that character of its string value). */
  diagnostic(
    rule: string,
    message: string,
    path: readonly (string | number)[],
    options?: { key?: boolean; severity?: 'error' | 'warning'; offset?: number },
  ): Diagnostic;
}

const START: Position = { line: 1, col: 1 };

/** Parse catalogue text, keeping every node's source position. Never throws on user input. */
export function loadCatalog(text: string, file: string): LoadedCatalog {
  const at = positionsOf(text);
  const make = (
    rule: string,
    message: string,
    position: Position,
    pointer: string,
    severity: 'error' | 'warning' = 'error',
  ): Diagnostic => ({ severity, rule, message, pointer, file, line: position.line, col: position.col });

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CATALOG_BYTES) {
    const diagnostics = [
      make('yaml-too-large', `catalogue is ${bytes} bytes, over the limit of ${MAX_CATALOG_BYTES}`, START, ''),
    ];
    return detached(file, diagnostics, make);
  }

  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: false });
  const diagnostics: Diagnostic[] = [];
  for (const error of document.errors) {
    const rule = error.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
    diagnostics.push(make(rule, yamlMessage(error.message), at(error.pos[0]), ''));
  }
  for (const warning of document.warnings) {
    diagnostics.push(make('yaml-warning', yamlMessage(warning.message), at(warning.pos[0]), '', 'warning'));
  }

  let data: unknown;
  if (diagnostics.every((d) => d.severity !== 'error')) {
    const aliasCount = countAliases(document);
    if (aliasCount.count > MAX_ALIAS_COUNT) {
      diagnostics.push(
        make(
          'yaml-alias-limit',
          `${aliasCount.count} aliases, over the limit of ${MAX_ALIAS_COUNT} (a document that expands aliases this much is refused)`,
          aliasCount.first === undefined ? START : at(aliasCount.first),
          '',
        ),
      );
    } else {
      try {
        data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        // yaml throws on alias expansion beyond maxAliasCount (nested aliases multiply).
        diagnostics.push(
          make(
            'yaml-alias-limit',
            `aliases expand beyond the limit: ${error instanceof Error ? error.message : String(error)}`,
            aliasCount.first === undefined ? START : at(aliasCount.first),
            '',
          ),
        );
      }
    }
  }

  const nodeAt = (path: readonly (string | number)[], key: boolean): Node | undefined => {
    let node: unknown = document.contents;
    let keyNode: unknown;
    for (const segment of path) {
      node = resolveAlias(node, document);
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && scalarKey(item.key) === String(segment));
        if (!pair) return asNode(node);
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) return asNode(node);
        node = item;
      } else {
        return asNode(node);
      }
    }
    return asNode(key && keyNode !== undefined ? keyNode : node);
  };

  const locate = (path: readonly (string | number)[], options: { key?: boolean } = {}): Position => {
    const node = nodeAt(path, options.key ?? false);
    return node?.range ? at(node.range[0]) : START;
  };

  const locateWithin = (path: readonly (string | number)[], offset: number): Position => {
    const node = nodeAt(path, false);
    if (!isScalar(node) || !node.range) return locate(path);
    const source = scalarOffset(text, node.range[0], node.range[1], node.type, String(node.value), offset);
    return at(source ?? node.range[0]);
  };

  return {
    file,
    data,
    diagnostics,
    locate,
    locateWithin,
    diagnostic: (rule, message, path, options = {}) =>
      make(rule, message, options.offset === undefined ? locate(path, options) : locateWithin(path, options.offset), pointerOf(path), options.severity ?? 'error'),
  };
}

/**
 * Offset → line:col, from the text itself. (yaml's LineCounter misses line breaks inside scalars
 * its parser skips while recovering from a syntax error, and positions after them drift.)
 */
function positionsOf(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] ?? 0) + 1 };
  };
}

/**
 * Offset in the file of character `offset` of a scalar's value, when its text holds the value as
 * written (no escapes, folding or joined lines); undefined otherwise.
 */
function scalarOffset(text: string, start: number, end: number, type: string | undefined, value: string, offset: number): number | undefined {
  const written = text.slice(start, end);
  if (offset < 0 || offset > value.length) return undefined;
  if (type === 'PLAIN') return written === value ? start + offset : undefined;
  if (type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') return written.slice(1, -1) === value ? start + 1 + offset : undefined;
  if (type !== 'BLOCK_LITERAL') return undefined;
  // `|` header, then the content lines, each indented by the same amount.
  const lines = written.split('\n');
  const header = lines[0] ?? '';
  const content = lines.slice(1).map((line) => line.replace(/\r$/, ''));
  const explicit = /^\|[+-]?([1-9])|^\|([1-9])/.exec(header.trim());
  const indent = explicit ? Number(explicit[1] ?? explicit[2]) + indentOf(text, start) : Math.min(...content.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  if (!Number.isFinite(indent)) return undefined;
  const valueLines = value.split('\n');
  const before = value.slice(0, offset).split('\n');
  const lineIndex = before.length - 1;
  const column = (before.at(-1) ?? '').length;
  const sourceLine = content[lineIndex];
  if (sourceLine === undefined || sourceLine.slice(indent) !== (valueLines[lineIndex] ?? '')) return undefined;
  let lineStart = start + header.length + 1;
  for (let i = 0; i < lineIndex; i++) lineStart += (lines[i + 1] ?? '').length + 1;
  return lineStart + indent + column;
}

/** Indentation of the line `offset` is on (the parent's, for a block scalar's explicit indicator). */
function indentOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart);
  return line.length - line.trimStart().length;
}

function detached(
  file: string,
  diagnostics: Diagnostic[],
  make: (rule: string, message: string, position: Position, pointer: string, severity?: 'error' | 'warning') => Diagnostic,
): LoadedCatalog {
  return {
    file,
    data: undefined,
    diagnostics,
    locate: () => START,
    locateWithin: () => START,
    diagnostic: (rule, message, path, options = {}) => make(rule, message, START, pointerOf(path), options.severity ?? 'error'),
  };
}

/** yaml's messages carry a trailing position ("at line 3, column 1"); ours is in front. */
function yamlMessage(message: string): string {
  return message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function resolveAlias(node: unknown, document: Document): unknown {
  let current = node;
  for (let hops = 0; current instanceof Alias && hops < 10; hops++) current = current.resolve(document);
  return current;
}

function asNode(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' && 'range' in value ? (value as ParsedNode) : undefined;
}

function countAliases(document: Document): { count: number; first: number | undefined } {
  let count = 0;
  let first: number | undefined;
  visit(document, {
    Alias(_, node) {
      count++;
      if (first === undefined && node.range) first = node.range[0];
    },
  });
  return { count, first };
}

