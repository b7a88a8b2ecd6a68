/**
 * A conservative check of the Go templates Prometheus expands in alert annotations: actions
 * closed, comments closed, if/with/range balanced by end, and only variables and functions
 * Prometheus knows. What it cannot vouch for it refuses: an annotation that fails to expand
 * fails the whole rule file when Prometheus loads it.
 */

const FUNCTIONS = new Set([
  // Go's text/template builtins
  'and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'html', 'js', 'urlquery', 'call',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  // Prometheus' template functions
  'query', 'first', 'label', 'value', 'strvalue', 'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'toTime', 'title', 'toUpper', 'toLower', 'match', 'reReplaceAll',
  'graphLink', 'tableLink', 'args', 'safeHtml', 'externalURL', 'pathPrefix', 'stripPort', 'stripDomain', 'parseDuration',
]);
const OPENERS = new Set(['if', 'with', 'range']);
const PREDEFINED = new Set(['$', '$labels', '$value', '$externalLabels', '$externalURL']);

/** Undefined when `template` expands; otherwise what is wrong with it. */
export function templateProblem(template: string): string | undefined {
  const stack: string[] = [];
  const variables = new Set(PREDEFINED);
  let rest = template;
  while (true) {
    const open = rest.indexOf('{{');
    if (open < 0) break;
    const afterOpen = rest.slice(open + 2);
    let body: string;
    let close: number;
    if (/^-?\s*\/\*/.test(afterOpen)) {
      const end = afterOpen.indexOf('*/');
      if (end < 0) return 'a comment {{/* is not closed with */}}';
      close = afterOpen.indexOf('}}', end);
      if (close < 0) return 'an action {{ is not closed with }}';
      rest = afterOpen.slice(close + 2);
      continue;
    }
    close = closingOf(afterOpen);
    if (close < 0) return 'an action {{ is not closed with }} (write {{ "{{" }} for literal braces)';
    body = afterOpen.slice(0, close).replace(/^-\s/, '').replace(/\s-$/, '');
    rest = afterOpen.slice(close + 2);
    const problem = actionProblem(body.trim(), stack, variables);
    if (problem) return problem;
  }
  if (stack.length > 0) return `{{ ${stack.at(-1)} }} is not closed with {{ end }}`;
  return undefined;
}

/** Index of the `}}` closing an action, skipping string literals; -1 if none. */
function closingOf(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (i >= text.length) return -1;
    } else if (c === '`') {
      i = text.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && text[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)'|:=|=|\||\(|\)|,|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\.|[A-Za-z_][A-Za-z0-9_]*)/y;

function actionProblem(body: string, stack: string[], variables: Set<string>): string | undefined {
  if (body === '') return 'an empty action {{ }}';
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < body.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(body);
    if (!match) return `cannot read the action {{ ${body} }} at "${body.slice(start).trim().slice(0, 20)}"`;
    tokens.push(match[1] ?? '');
    if (/^\s*$/.test(body.slice(TOKEN.lastIndex))) break;
  }
  const [first, second] = tokens;
  if (first === 'end') {
    if (tokens.length > 1) return '{{ end }} takes nothing';
    if (!stack.pop()) return '{{ end }} closes nothing';
    return undefined;
  }
  if (first === 'else') {
    if (stack.length === 0) return '{{ else }} outside {{ if }}, {{ with }} or {{ range }}';
    return tokens.length > 1 ? (second === 'if' ? pipelineProblem(tokens.slice(2), variables) : '{{ else }} takes nothing but if') : undefined;
  }
  if (first !== undefined && OPENERS.has(first)) {
    stack.push(first);
    if (tokens.length === 1) return `{{ ${first} }} needs a condition`;
    return pipelineProblem(tokens.slice(1), variables);
  }
  if (first !== undefined && ['define', 'template', 'block', 'break', 'continue'].includes(first)) return `{{ ${first} }} is not supported in an annotation here`;
  return pipelineProblem(tokens, variables);
}

function pipelineProblem(tokens: readonly string[], variables: Set<string>): string | undefined {
  let list = tokens;
  // `$x := pipeline` and `$x, $y := range ...` declare variables.
  const assign = list.findIndex((t) => t === ':=' || t === '=');
  if (assign >= 0) {
    for (const name of list.slice(0, assign)) if (name !== ',') variables.add(name);
    list = list.slice(assign + 1);
  }
  if (list.length === 0) return 'an action with nothing to print';
  let depth = 0;
  let expectCommand = true;
  for (const token of list) {
    if (token === '(') {
      depth++;
      expectCommand = true;
      continue;
    }
    if (token === ')') {
      if (--depth < 0) return 'a ) without its (';
      continue;
    }
    if (token === '|') {
      if (expectCommand) return 'a | with nothing before it';
      expectCommand = true;
      continue;
    }
    expectCommand = false;
    if (/^[A-Za-z_]/.test(token)) {
      if (token === 'true' || token === 'false' || token === 'nil') continue;
      if (!FUNCTIONS.has(token)) return `unknown function "${token}"`;
    } else if (token.startsWith('$')) {
      const variable = token.split('.')[0] ?? token;
      if (!variables.has(variable)) return `undefined variable ${variable}`;
    }
  }
  if (depth !== 0) return 'a ( without its )';
  if (expectCommand) return 'a | with nothing after it';
  return undefined;
}
