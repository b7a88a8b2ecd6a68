/**
 * A perfect hash over one label's declared values, for the generated value-to-position functions.
 *
 * A string `switch` compares the value against each case in turn; with labels in a random order the
 * processor cannot predict which comparison succeeds, and the mispredictions cost more than the
 * comparisons. A perfect hash reads the value's length and one or two of its characters, mixes them
 * with one multiplication into a slot of a small table, and needs a single string comparison to
 * confirm: the same few instructions whatever the value, so nothing to mispredict.
 *
 * The hash is searched here, at generation time, in a fixed order, so the same values always give
 * the same parameters (byte-stable output). When no parameters within the search bounds separate the
 * values, the caller keeps the `switch`.
 */

/** A character the hash reads: at `offset` from the start, or from the end (`offset` 0 = the last). */
export interface CharacterRead {
  readonly offset: number;
  readonly fromEnd: boolean;
}

export interface LabelHash {
  /** Shortest and longest declared value: every read of a declared value is in range (the lookup does not test the length). */
  readonly minLength: number;
  readonly maxLength: number;
  /** The characters mixed into the key, with the length: `length ^ c0 << 8 ^ c1 << 16`. */
  readonly reads: readonly CharacterRead[];
  /** Odd 32-bit multiplier; the slot is the top `bits` bits of `Math.imul(key, multiplier)`. */
  readonly multiplier: number;
  readonly bits: number;
  /**
   * Position of the value in each slot, 0 in an unused slot: a value that lands there is compared with
   * position 0's value, which it cannot be equal to (that value hashes to its own slot).
   */
  readonly slots: readonly number[];
}

/** Past this many values a table of 4× their count still fits a cache line or two; the search is cheap either way. */
const MAX_VALUES = 256;
/** Characters the hash may read, counted from either end of the value. */
const MAX_OFFSET = 4;
/** Multipliers tried per choice of reads and table size. */
const MULTIPLIERS_PER_SHAPE = 48;

/** The key of a value under `reads`, as the generated code computes it (32-bit integer arithmetic). */
export function hashKey(value: string, reads: readonly CharacterRead[]): number {
  let key = value.length;
  reads.forEach((read, i) => {
    key ^= value.charCodeAt(read.fromEnd ? value.length - 1 - read.offset : read.offset) << (8 * (i + 1));
  });
  return key;
}

/** The slot of a value, as the generated code computes it. */
export function hashSlot(value: string, hash: Pick<LabelHash, 'reads' | 'multiplier' | 'bits'>): number {
  return Math.imul(hashKey(value, hash.reads), hash.multiplier) >>> (32 - hash.bits);
}

/**
 * Position of `value` under `hash`, or -1: what the generated function returns, written the same way,
 * so tests can compare the two with a plain lookup.
 */
export function hashLookup(value: unknown, values: readonly string[], hash: LabelHash): number {
  // No test of the length: a value of another length hashes to some slot and fails the comparison
  // (a character read past its end is NaN, which shifts to 0). The generated test cost bytecode,
  // and every byte of the function counts against the recorder's inlining budget.
  if (typeof value !== 'string') return -1;
  const position = hash.slots[hashSlot(value, hash)]!;
  return values[position] === value ? position : -1;
}

/** Deterministic odd multipliers: a fixed 32-bit LCG sequence, starting at the golden-ratio constant. */
function multipliers(): number[] {
  const out: number[] = [];
  let x = 0x9e3779b1;
  for (let i = 0; i < MULTIPLIERS_PER_SHAPE; i++) {
    out.push((x | 1) >>> 0);
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  }
  return out;
}
const MULTIPLIERS = multipliers();

/**
 * Parameters of a perfect hash over `values` (distinct, non-empty strings), preferring fewer character
 * reads, then a smaller table; undefined when there are fewer than two values (a comparison does) or
 * none was found.
 */
export function findLabelHash(values: readonly string[]): LabelHash | undefined {
  if (values.length < 2 || values.length > MAX_VALUES || new Set(values).size !== values.length) return undefined;
  const lengths = values.map((v) => v.length);
  const minLength = Math.min(...lengths);
  const maxLength = Math.max(...lengths);
  if (minLength === 0) return undefined;
  const candidates: CharacterRead[] = [];
  for (let offset = 0; offset < Math.min(minLength, MAX_OFFSET); offset++) {
    candidates.push({ offset, fromEnd: false });
    // From the end only where it differs from a read from the start for some value.
    if (minLength !== maxLength || offset !== minLength - 1 - offset) candidates.push({ offset, fromEnd: true });
  }
  const readChoices: CharacterRead[][] = [[]];
  for (const a of candidates) readChoices.push([a]);
  for (let i = 0; i < candidates.length; i++) for (let j = i + 1; j < candidates.length; j++) readChoices.push([candidates[i]!, candidates[j]!]);

  const smallest = Math.max(1, Math.ceil(Math.log2(values.length)));
  for (const reads of readChoices) {
    const keys = values.map((v) => hashKey(v, reads));
    if (new Set(keys).size !== keys.length) continue; // no multiplier separates equal keys
    for (let bits = smallest; bits <= smallest + 2; bits++) {
      for (const multiplier of MULTIPLIERS) {
        const slots = new Array<number>(1 << bits).fill(-1);
        let collided = false;
        for (let position = 0; position < keys.length && !collided; position++) {
          const slot = Math.imul(keys[position]!, multiplier) >>> (32 - bits);
          if (slots[slot] !== -1) collided = true;
          else slots[slot] = position;
        }
        if (!collided) return { minLength, maxLength, reads, multiplier, bits, slots: slots.map((p) => (p < 0 ? 0 : p)) };
      }
    }
  }
  return undefined;
}
