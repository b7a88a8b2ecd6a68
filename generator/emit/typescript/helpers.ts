import Handlebars from 'handlebars';

/**
 * The only ways a template may put catalogue text into TypeScript. Each returns a SafeString that is
 * valid where the template puts it, whatever the text holds; a plain `{{x}}` would be HTML-escaped
 * instead, so it can never inject code either (and the tests reject templates that use one).
 */
export function registerHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('lit', (value: unknown) => new handlebars.SafeString(literal(value)));
  handlebars.registerHelper('ident', (value: unknown) => new handlebars.SafeString(identifier(value)));
  handlebars.registerHelper('num', (value: unknown) => new handlebars.SafeString(numberLiteral(value)));
  handlebars.registerHelper('comment', (value: unknown) => new handlebars.SafeString(inlineComment(String(value))));
  handlebars.registerHelper('doc', (value: unknown, indent: unknown) =>
    new handlebars.SafeString(docComment(String(value), typeof indent === 'number' ? indent : 0)),
  );
}

/** A TypeScript string literal (or array/object of them) that evaluates to exactly `value`. */
export function literal(value: unknown): string {
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    // JSON escapes quotes, backslashes and control characters; U+2028/2029 are escaped for tools
    // that still treat them as line ends.
    return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  throw new Error(`cannot write ${typeof value} as a TypeScript literal`);
}

export function numberLiteral(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`not a finite number: ${String(value)}`);
  return Object.is(value, -0) ? '0' : String(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An identifier the generator derived; anything else is a generator bug, so it throws. */
export function identifier(value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw new Error(`not an identifier: ${String(value)}`);
  return value;
}

/** A `/* ... *\/` comment on one line whose text cannot end the comment early or break the line. */
export function inlineComment(text: string): string {
  return `/* ${text.replace(/\*\//g, '*\u2215').replace(/[\r\n\u2028\u2029]/g, ' ')} */`;
}

/** A JSDoc block whose text cannot end the comment early or start a tag. */
export function docComment(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const lines = text
    .replace(/\*\//g, '*\u2215')
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.replace(/^(\s*)@/, '$1\uff20'));
  if (lines.length === 1) return `${pad}/** ${lines[0]} */`;
  return [`${pad}/**`, ...lines.map((line) => `${pad} * ${line}`.trimEnd()), `${pad} */`].join('\n');
}
