/**
 * Prometheus durations ("1h30m", "5m", "1d"): parsed to seconds and written back canonically.
 *
 * Prometheus (prometheus/common model.ParseDuration, as in Prometheus 2.42) reads only the canonical
 * form, each unit at most once and in the order y w d h m s ms, and refuses a total over int64
 * nanoseconds ("duration out of range"); promtool rejects the rule file otherwise. So does the
 * catalogue, before anything is written.
 */

const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;
const MILLISECONDS: Readonly<Record<(typeof ORDER)[number], bigint>> = {
  y: 365n * 86_400_000n,
  w: 7n * 86_400_000n,
  d: 86_400_000n,
  h: 3_600_000n,
  m: 60_000n,
  s: 1_000n,
  ms: 1n,
};

/** The canonical spelling, as Prometheus's durationRE (which also matches "", refused here). */
const CANONICAL = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ANY_ORDER = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/** The longest duration Prometheus accepts: (2^63 - 1) ns, in whole milliseconds (about 292 years). */
export const MAX_DURATION_MS = 9_223_372_036_854n;

/** Milliseconds of a canonical duration, exactly; undefined for anything else. */
function milliseconds(text: string): bigint | undefined {
  const match = text === '' ? null : CANONICAL.exec(text);
  if (!match) return undefined;
  return ORDER.reduce((sum, unit, i) => sum + BigInt(match[i + 1] ?? '0') * MILLISECONDS[unit], 0n);
}

/** Seconds in a canonical duration; NaN for anything else. */
export function parseDuration(text: string): number {
  const ms = milliseconds(text);
  return ms === undefined ? NaN : Number(ms) / 1000;
}

/** Why Prometheus would refuse `text` as a duration, or undefined when it reads it. */
export function durationProblem(text: string): string | undefined {
  const ms = milliseconds(text);
  if (ms === undefined) {
    if (!ANY_ORDER.test(text)) return `"${text}" is not a duration: digits and a unit (y, w, d, h, m, s, ms), such as 30s, 5m or 1h30m`;
    return `"${text}" repeats a unit or puts them out of order, which Prometheus refuses; write each unit once, in the order y w d h m s ms (here: ${canonicalOf(text)})`;
  }
  if (ms > MAX_DURATION_MS) return `"${text}" is longer than Prometheus's longest duration, ${formatDuration(Number(MAX_DURATION_MS) / 1000)} (2^63-1 nanoseconds)`;
  return undefined;
}

/** The same total spelled canonically, for a message: "1s5m" → "5m1s". */
function canonicalOf(text: string): string {
  let ms = 0n;
  for (const [, count, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += BigInt(count ?? '0') * MILLISECONDS[unit as (typeof ORDER)[number]];
  return formatMilliseconds(ms);
}

/** The shortest Prometheus spelling of `seconds` (rounded to the millisecond): 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  return formatMilliseconds(BigInt(Math.max(0, Math.round(seconds * 1000))));
}

function formatMilliseconds(total: bigint): string {
  let rest = total;
  if (rest <= 0n) return '0s';
  let out = '';
  for (const unit of ORDER) {
    const size = MILLISECONDS[unit];
    const count = rest / size;
    if (count > 0n) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
