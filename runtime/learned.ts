/**
 * Label values learned at run time: a label declared with `learned: N` gives its first N distinct
 * valid values a series each, in the order they arrive. A slot, once taken, keeps its value until
 * `reset()`, so a value never moves between series and counters stay monotonic; later values go to
 * the overflow value (or are dropped).
 */

/** Longest learned value, in UTF-16 code units; longer values are refused, not truncated. */
export const LEARNED_VALUE_MAX_LENGTH = 128;

/**
 * C0 controls, DEL and C1 controls. Prometheus accepts any UTF-8 in a label value, but a control
 * character in a route or a tenant name is nearly always garbage (or an attempt to forge a log line),
 * and tab and newline are also refused in declared values.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** In `u` mode a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Why `value` cannot become a learned label value, or undefined when it can: it must be a non-empty
 * string of at most {@link LEARNED_VALUE_MAX_LENGTH} code units, well-formed UTF-16 (a lone surrogate
 * would be written as U+FFFD and merge with other values), without control characters.
 */
export function invalidLearnedValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value.length === 0) return 'is empty (Prometheus treats an empty label value as no label)';
  if (value.length > LEARNED_VALUE_MAX_LENGTH) return `is longer than ${LEARNED_VALUE_MAX_LENGTH} characters`;
  if (CONTROL.test(value)) return 'contains a control character';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate (not valid UTF-8)';
  return undefined;
}

/** The learned slots of one label of one metric. */
export class LearnedValues {
  private readonly positions = new Map<string, number>();
  /** Value of each slot, in the order they were learned. */
  private readonly learned: string[] = [];

  /**
   * @param first position of the first slot (the label's declared values come before)
   * @param max number of slots
   */
  constructor(
    readonly first: number,
    readonly max: number,
  ) {}

  /** Position of a value already learned; undefined otherwise. */
  positionOf(value: string): number | undefined {
    return this.positions.get(value);
  }

  /** Takes the next free slot for `value` (already validated and not yet learned); -1 when all are taken. */
  learn(value: string): number {
    if (this.learned.length >= this.max) return -1;
    const position = this.first + this.learned.length;
    this.learned.push(value);
    this.positions.set(value, position);
    return position;
  }

  /** Whether every slot is taken. */
  get full(): boolean {
    return this.learned.length >= this.max;
  }

  /** Value at a position, or undefined for a free slot. */
  valueAt(position: number): string | undefined {
    return this.learned[position - this.first];
  }

  /** Frees every slot. */
  clear(): void {
    this.learned.length = 0;
    this.positions.clear();
  }
}
