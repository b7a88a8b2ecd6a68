import type { RuleContext } from './context.js';

/**
 * Characters no output can carry as written: control characters (tab, line feed and carriage return aside), line
 * and paragraph separators, byte order marks and noncharacters, which Go's YAML reader (Prometheus'
 * rule loader) refuses or folds, terminals act on, and editors hide.
 */
const UNWRITABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
/** Half of a surrogate pair alone: no UTF-8 file can hold it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first character of `text` no output can carry, as `U+XXXX`, or undefined. */
export function unwritable(text: string, alsoForbidden?: RegExp): string | undefined {
  const found = UNWRITABLE.exec(text) ?? LONE_SURROGATE.exec(text) ?? alsoForbidden?.exec(text);
  return found ? `U+${(found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** Every text of the catalogue (label values have their own, stricter rule) is writable everywhere. */
export function textRules(context: RuleContext): void {
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const bad = unwritable(value);
      if (bad !== undefined) context.error('text-format', `${path.join('.')} contains ${bad}, which the outputs cannot carry as written; remove it`, path);
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (path.length === 2 && path[0] === 'labels' && (key === 'values' || key === 'overflow')) continue;
        visit(item, [...path, key]);
      }
    }
  };
  visit(context.raw, []);
}
