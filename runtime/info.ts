/**
 * Info metrics (`build_info{version, commit} 1`): one series whose label values the application sets
 * at run time. `set` replaces them, so there is never more than one series: the catalogue's budget
 * counts 1, and a new version string cannot grow the exposition. Not a hot path: set once at start-up.
 */
import type { DropCounter } from './drops.js';
import { UNKNOWN_LABEL_VALUE } from './drops.js';
import type { Family } from './family.js';
import { escapeLabelValue } from './format.js';

/** Longest info label value accepted, in UTF-16 code units. */
export const INFO_VALUE_MAX_LENGTH = 256;

/**
 * Whether a value can be an info label value: a non-empty string of at most
 * {@link INFO_VALUE_MAX_LENGTH} characters with no control character and no lone surrogate (which
 * UTF-8 cannot carry). Empty is refused because Prometheus reads an empty label as an absent one.
 */
export function isInfoLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= INFO_VALUE_MAX_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(value);
}

const RELEASED = new Float64Array(0);

/** The storage of one info metric; `data[0]` is 1 once values are set, 0 before and after `reset`. */
export class Info {
  /** @internal */
  constructor(
    private readonly metricId: number,
    /** @internal one slot; emptied by `release` */
    public data: Float64Array,
    private readonly family: Family,
    private readonly drops: DropCounter,
  ) {}

  /**
   * Sets the values of the info labels, in the order of the spec's `infoLabels`, replacing the
   * previous ones. A value that is not a valid label value (see {@link isInfoLabelValue}) drops the
   * whole call as `unknown_label_value` (strict mode throws): a half-updated series would lie.
   */
  set(values: readonly unknown[]): void {
    if (this.data.length === 0) return;
    const names = this.family.spec.infoLabels ?? [];
    if (!Array.isArray(values) || values.length !== names.length) {
      this.drops.drop(this.metricId, UNKNOWN_LABEL_VALUE, values);
      return;
    }
    for (const value of values) {
      if (!isInfoLabelValue(value)) {
        this.drops.drop(this.metricId, UNKNOWN_LABEL_VALUE, value);
        return;
      }
    }
    this.family.infoLabelValues = [...(values as readonly string[])];
    this.family.infoPairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] as string)}"`).join(',');
    this.data[0] = 1;
  }

  /** The values set, by label name; undefined before `set` or after `reset`. */
  labels(): Record<string, string> | undefined {
    if (this.data[0] !== 1) return undefined;
    const values = this.family.infoLabelValues;
    const out: Record<string, string> = {};
    (this.family.spec.infoLabels ?? []).forEach((name, i) => (out[name] = values[i]!));
    return out;
  }

  /** Forgets the values: the metric exposes no series until the next `set`. */
  reset(): void {
    this.data.fill(0);
  }

  /** @internal Frees the values; every later call is ignored (see MetricsRuntime#close). */
  release(): void {
    this.data = RELEASED;
  }
}
