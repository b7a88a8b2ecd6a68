/**
 * Mutations of a catalogue, applied to its YAML document (the `yaml` package's Document API, so
 * comments, anchors and aliases of the seed stay, and a key can be written twice), then to its text.
 * Each mutation names its target by a number taken modulo the candidates at the time it applies, so
 * any list of mutations applies to any document.
 */
import fc from 'fast-check';
import { Pair, Scalar, isCollection, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, YAMLMap, YAMLSeq } from 'yaml';
import { HOSTILE_TEXTS, HOSTILE_VALUES } from '../../hostile/helpers/catalogue.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Mutation =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number }
  | { readonly kind: 'retype'; readonly at: number; readonly value: Json }
  | { readonly kind: 'string'; readonly at: number; readonly value: string }
  | { readonly kind: 'number'; readonly at: number; readonly value: number }
  | { readonly kind: 'text-slot'; readonly at: number; readonly value: string }
  | { readonly kind: 'alert-field'; readonly at: number; readonly field: string; readonly value: Json }
  | { readonly kind: 'huge-list'; readonly at: number; readonly size: number; readonly item: 'number' | 'string' | 'same' | 'map' }
  | { readonly kind: 'nest'; readonly at: number; readonly depth: number; readonly shape: 'map' | 'seq' | 'mixed' }
  | { readonly kind: 'swap'; readonly at: number; readonly other: number }
  | { readonly kind: 'rename-metric'; readonly at: number; readonly name: string; readonly consistent: boolean }
  | { readonly kind: 'rename-key'; readonly at: number; readonly name: string }
  | { readonly kind: 'edit-text'; readonly at: number; readonly edit: 'truncate' | 'insert' | 'delete' | 'replace'; readonly chars: string };

/** An entry of a mapping (a pair) or of a sequence, found by the indices leading to it from the root. */
interface Slot {
  readonly indices: readonly number[];
  /** Keys and indices from the root, for reading. */
  readonly path: readonly (string | number)[];
  /** The entry's value node (a pair's value, or the sequence item). */
  readonly value: unknown;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : '?';
}

/** Every entry of the document, depth first, not through aliases. */
export function slotsOf(document: Document): Slot[] {
  const slots: Slot[] = [];
  const walk = (node: unknown, indices: number[], path: (string | number)[]): void => {
    if (!isMap(node) && !isSeq(node)) return;
    (node.items as unknown[]).forEach((item, index) => {
      const pair = isPair(item) ? item : undefined;
      const value = pair ? pair.value : item;
      const slot = { indices: [...indices, index], path: [...path, pair ? keyOf(pair) : index], value };
      slots.push(slot);
      walk(value, slot.indices, slot.path);
    });
  };
  walk(document.contents, [], []);
  return slots;
}

/** A copy of a node (or document) with every own property, its node type symbol included; items copied one level. */
function shallowCopy<T extends object>(node: T): T {
  const copy = Object.create(Object.getPrototypeOf(node) as object, Object.getOwnPropertyDescriptors(node)) as T;
  if (isCollection(copy)) copy.items = [...(copy.items as unknown[])] as typeof copy.items;
  return copy;
}

/**
 * A document that shares the seed's nodes and copies them on write, along the path to what a
 * mutation changes: copying the whole seed for every case would cost more than compiling it.
 */
class Fork {
  readonly document: Document;
  private readonly owned = new WeakSet<object>();

  constructor(seed: Document) {
    this.document = shallowCopy(seed);
  }

  private own<T>(node: T): T {
    if (node === null || typeof node !== 'object' || this.owned.has(node)) return node;
    const copy = shallowCopy(node);
    this.owned.add(copy);
    return copy;
  }

  /** The collection at the end of `indices`, owned by this document. */
  collection(indices: readonly number[]): YAMLMap | YAMLSeq {
    let node = this.own(this.document.contents) as YAMLMap | YAMLSeq;
    this.document.contents = node;
    for (const index of indices) {
      const items = node.items as unknown[];
      const item = items[index];
      if (isPair(item)) {
        const pair = this.own(item);
        items[index] = pair;
        pair.value = this.own(pair.value);
        node = pair.value as YAMLMap | YAMLSeq;
      } else {
        items[index] = this.own(item);
        node = items[index] as YAMLMap | YAMLSeq;
      }
    }
    return node;
  }

  /** Parent collection and index of an entry. */
  private entry(slot: Slot): { items: unknown[]; index: number } {
    return { items: this.collection(slot.indices.slice(0, -1)).items as unknown[], index: slot.indices.at(-1)! };
  }

  set(slot: Slot, value: unknown): void {
    const { items, index } = this.entry(slot);
    const item = items[index];
    if (isPair(item)) {
      const pair = this.own(item);
      pair.value = value;
      items[index] = pair;
    } else items[index] = value;
  }

  remove(slot: Slot): void {
    const { items, index } = this.entry(slot);
    items.splice(index, 1);
  }

  /** The entry written twice: a mapping gets the same key again. */
  duplicate(slot: Slot): void {
    const { items, index } = this.entry(slot);
    const item = items[index];
    items.splice(index + 1, 0, isPair(item) ? new Pair(item.key, item.value) : item);
  }

  renameKey(slot: Slot, key: string): boolean {
    const { items, index } = this.entry(slot);
    const item = items[index];
    if (!isPair(item)) return false;
    const pair = this.own(item);
    pair.key = new Scalar(key);
    items[index] = pair;
    return true;
  }
}

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  return a.length <= b.length && a.every((segment, i) => segment === b[i]);
}

/** Text slots of the catalogue (help, descriptions, titles, summaries, label values): where random text is most often legal. */
const TEXT_KEYS = new Set(['help', 'description', 'title', 'summary', 'reason', 'overflow']);

function textSlots(slots: readonly Slot[]): Slot[] {
  return slots.filter((slot) => {
    const last = slot.path.at(-1);
    const value = slot.value;
    if (!isScalar(value) || typeof value.value !== 'string') return false;
    return (typeof last === 'string' && TEXT_KEYS.has(last)) || slot.path.at(-2) === 'values';
  });
}

/**
 * Deep nesting as flow YAML on one line (valid wherever a value goes). It is spliced into the text
 * after serialization: building it as nodes would recurse as deep as it nests.
 */
function nestedText(depth: number, shape: 'map' | 'seq' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const asMap = shape === 'map' || (shape === 'mixed' && i % 2 === 0);
    open += asMap ? `{k${i % 7}: ` : '[';
    close = (asMap ? '}' : ']') + close;
  }
  return `${open}leaf${close}`;
}

const NEST_PLACEHOLDER = /fuzz_nest_placeholder_(\d+)_(map|seq|mixed)/g;

function hugeList(size: number, item: 'number' | 'string' | 'same' | 'map'): Json[] {
  return Array.from({ length: size }, (_, i): Json => {
    switch (item) {
      case 'number':
        return i / 8;
      case 'string':
        return `value_${i}`;
      case 'same':
        return 'same';
      case 'map':
        return { inc: `metric_${i}_total` };
    }
  });
}

/** Apply one structural mutation; a mutation with nothing to act on does nothing. */
function applyMutation(fork: Fork, mutation: Exclude<Mutation, { kind: 'edit-text' }>): void {
  const document = fork.document;
  const slots = slotsOf(document);
  if (slots.length === 0) return;
  const slot = slots[mutation.at % slots.length]!;
  switch (mutation.kind) {
    case 'drop':
      fork.remove(slot);
      return;
    case 'duplicate':
      fork.duplicate(slot);
      return;
    case 'retype':
      fork.set(slot, document.createNode(mutation.value));
      return;
    case 'string':
    case 'number':
      fork.set(slot, new Scalar(mutation.value));
      return;
    case 'text-slot': {
      const texts = textSlots(slots);
      if (texts.length > 0) fork.set(texts[mutation.at % texts.length]!, new Scalar(mutation.value));
      return;
    }
    case 'alert-field': {
      // An alert (or a ratio) of some metric: the part of the catalogue the rule file is made of.
      const alerts = slots.filter((s) => (s.path.at(-2) === 'alerts' || s.path.at(-2) === 'ratios') && isMap(s.value));
      if (alerts.length === 0) return;
      const alert = fork.collection(alerts[mutation.at % alerts.length]!.indices) as YAMLMap;
      const index = alert.items.findIndex((pair) => keyOf(pair) === mutation.field);
      const pair = new Pair(new Scalar(mutation.field), document.createNode(mutation.value));
      if (index < 0) alert.items.push(pair);
      else alert.items[index] = pair;
      return;
    }
    case 'huge-list':
      fork.set(slot, document.createNode(hugeList(mutation.size, mutation.item)));
      return;
    case 'nest':
      fork.set(slot, new Scalar(`fuzz_nest_placeholder_${mutation.depth}_${mutation.shape}`));
      return;
    case 'swap': {
      const other = slots[mutation.other % slots.length]!;
      // A node cannot move inside itself.
      if (isPrefix(slot.indices, other.indices) || isPrefix(other.indices, slot.indices)) return;
      fork.set(slot, other.value);
      fork.set(other, slot.value);
      return;
    }
    case 'rename-metric': {
      const metrics = slots.filter((s) => s.path.length === 2 && s.path[0] === 'metrics');
      if (metrics.length === 0) return;
      const target = metrics[mutation.at % metrics.length]!;
      const old = String(target.path[1]);
      if (!fork.renameKey(target, mutation.name) || !mutation.consistent) return;
      // Every reference to the metric (events, ratios, summary, replaced_by) follows it.
      for (const reference of slots) {
        if (isScalar(reference.value) && reference.value.value === old) fork.set(reference, new Scalar(mutation.name));
      }
      return;
    }
    case 'rename-key':
      fork.renameKey(slot, mutation.name);
      return;
  }
}

/** Edit the text itself: what no YAML document can express (broken syntax, cut files). */
export function editText(text: string, mutation: Extract<Mutation, { kind: 'edit-text' }>): string {
  const at = text.length === 0 ? 0 : mutation.at % text.length;
  switch (mutation.edit) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + mutation.chars + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + Math.max(1, mutation.chars.length));
    case 'replace':
      return text.slice(0, at) + mutation.chars + text.slice(at + mutation.chars.length);
  }
}

/**
 * The mutated text: the structural mutations on a copy of the seed document, then the text edits.
 * A structural mutation whose document no longer serializes (an alias left without its anchor) is
 * skipped; the returned list says which ones applied.
 */
const SERIALIZED = new WeakMap<Document, string>();

function serialized(document: Document): string {
  let text = SERIALIZED.get(document);
  if (text === undefined) SERIALIZED.set(document, (text = document.toString()));
  return text;
}

export function mutate(seed: Document, mutations: readonly Mutation[]): { text: string; applied: Mutation[] } {
  const fork = new Fork(seed);
  const applied: Mutation[] = [];
  let text = serialized(seed);
  for (const mutation of mutations) {
    if (mutation.kind === 'edit-text') continue;
    applyMutation(fork, mutation);
    applied.push(mutation);
  }
  if (applied.length > 0) {
    try {
      text = fork.document.toString();
    } catch {
      // Not expressible as a document (an alias left without its anchor): the structural
      // mutations are dropped, the text edits still apply.
      applied.length = 0;
    }
  }
  text = text.replace(NEST_PLACEHOLDER, (_, depth: string, shape: 'map' | 'seq' | 'mixed') => nestedText(Number(depth), shape));
  for (const mutation of mutations) {
    if (mutation.kind !== 'edit-text') continue;
    text = editText(text, mutation);
    applied.push(mutation);
  }
  return { text, applied };
}

// ---------------------------------------------------------------------------------- arbitraries

/** Names a metric, label or group could have, including the seed's own and JavaScript's. */
export function nameArbitrary(seedNames: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,6}){0,3}$/),
    fc.constantFrom(...seedNames),
    fc.constantFrom('constructor', 'prototype', 'to_string', 'value_of', 'has_own_property', 'is_prototype_of', '__proto__', 'then', 'default'),
    fc.constantFrom('Agent', 'agent-latency', '9lives', '', 'a__b', 'a:b', 'le', 'quantile', 'job', 'instance', 'metrics_dropped_total'),
  );
}

const STRING = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXTS, ...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1990, maxLength: 2010 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '{{', '{{ $labels.job }}', 'A sentence.', '5m', '1d', '0s', 'https://x/{alert}', 'histogram') },
);

const NUMBER = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.nat(200),
  fc.constantFrom(0, -0, 1, -1, 0.5, 0.99, 1e308, -1e308, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53 + 1, 1e21),
);

/** Fields of alerts and ratios, with values each could take (and some it could not). */
const ALERT_FIELD = fc.oneof(
  fc.record({ field: fc.constantFrom('summary'), value: fc.oneof(STRING.map((s) => `${s}.`), STRING) as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('description'), value: fc.oneof(STRING, fc.constantFrom('{{ $labels.job }} at {{ $value }}.', '{{ $value | humanizePercentage }}', 'Use {{ carefully', '{{ "{{" }} braces')) as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('for', 'window', 'offset', 'baseline', 'slo_window'), value: fc.oneof(fc.constantFrom('1m', '5m', '30s', '1h', '2h30m', '1d', '7d', '0s', '90s', '1w', '5x'), STRING) as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('above', 'below', 'quantile', 'drop_percent', 'z', 'min_rate', 'objective', 'latency_below'), value: NUMBER as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('severity'), value: fc.constantFrom('critical', 'warning', 'info', 'page') as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('kind'), value: fc.constantFrom('threshold', 'quantile', 'degradation', 'anomaly', 'absence', 'stall', 'slo') as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('of'), value: fc.constantFrom('value', 'rate', 'ratio', 'average', 'delta') as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('name'), value: fc.oneof(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/), STRING) as fc.Arbitrary<Json> }),
  fc.record({ field: fc.constantFrom('by', 'match', 'description'), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
);

/** One mutation, weighted towards those that keep a catalogue acceptable now and then. */
export function mutationArbitrary(seedNames: readonly string[]): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const name = nameArbitrary(seedNames);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('drop' as const), at }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('retype' as const), at, value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('string' as const), at, value: fc.oneof(STRING, name) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('number' as const), at, value: NUMBER }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('text-slot' as const), at, value: STRING }) },
    { weight: 4, arbitrary: fc.tuple(at, ALERT_FIELD).map(([n, { field, value }]) => ({ kind: 'alert-field' as const, at: n, field, value })) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('huge-list' as const),
        at,
        size: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 100, max: 1_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 9_990, max: 12_000 }) }),
        item: fc.constantFrom('number' as const, 'string' as const, 'same' as const, 'map' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('nest' as const),
        at,
        depth: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.integer({ min: 500, max: 3_000 }) }),
        shape: fc.constantFrom('map' as const, 'seq' as const, 'mixed' as const),
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('swap' as const), at, other: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename-metric' as const), at, name, consistent: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename-key' as const), at, name }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('edit-text' as const),
        at,
        edit: fc.constantFrom('truncate' as const, 'insert' as const, 'delete' as const, 'replace' as const),
        chars: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 8 }),
          fc.constantFrom('\t', ': ', '- ', '&a ', '*a', '*agents', '!!binary ', '%YAML 1.2\n', '---\n', '...\n', '{', '[', '"', "'", '#', '\r', '\r\n', '\ufeff', '? ', '|\n', '>-\n', '<<: *agents\n'),
        ),
      }),
    },
  );
}

/** Metric keys, label ids and group ids of a document, for renames and references. */
export function namesOf(document: Document): string[] {
  const names: string[] = [];
  for (const section of ['metrics', 'labels', 'groups', 'events', 'summary']) {
    const map = document.get(section);
    if (isMap(map)) for (const pair of map.items) names.push(keyOf(pair));
  }
  return names;
}

/** Runs of one mutation (most often, so that some catalogues stay acceptable) up to four. */
export function mutationsArbitrary(seedNames: readonly string[]): fc.Arbitrary<Mutation[]> {
  const one = mutationArbitrary(seedNames);
  return fc.oneof({ weight: 3, arbitrary: fc.array(one, { minLength: 1, maxLength: 1 }) }, { weight: 2, arbitrary: fc.array(one, { minLength: 2, maxLength: 4 }) });
}
