/** Prometheus durations ("1h30m", "5m", "1d"): parsed to seconds and written back canonically. */

const UNITS: Readonly<Record<string, number>> = { y: 365 * 86_400, w: 7 * 86_400, d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** Seconds in a duration the schema accepted; NaN for anything else. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? ''] ?? NaN), 0);
}

/** The shortest Prometheus spelling of `seconds` (rounded to the millisecond): 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  let rest = Math.round(seconds * 1000);
  if (rest <= 0) return '0s';
  let out = '';
  for (const unit of ORDER) {
    const size = Math.round((UNITS[unit] ?? 1) * 1000);
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
