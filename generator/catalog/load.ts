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
  /** A diagnostic at the node at `path`. */
  diagnostic(
    rule: string,
    message: string,
    path: readonly (string | number)[],
    options?: { key?: boolean; severity?: 'error' | 'warning' },
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

  return {
    file,
    data,
    diagnostics,
    locate,
    diagnostic: (rule, message, path, options = {}) =>
      make(rule, message, locate(path, options), pointerOf(path), options.severity ?? 'error'),
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

