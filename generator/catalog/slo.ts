import { formatDuration, parseDuration } from './duration.js';

/** The multi-window multi-burn-rate pairs of a 30-day SLO (Google SRE workbook; Sloth). */
export const BURN_RATES = {
  fast: [
    { factor: 14.4, short: '5m', long: '1h' },
    { factor: 6, short: '30m', long: '6h' },
  ],
  slow: [
    { factor: 3, short: '2h', long: '1d' },
    { factor: 1, short: '6h', long: '3d' },
  ],
} as const;

const SLO_REFERENCE_WINDOW = parseDuration('30d');

/** A burn-rate window scaled from the 30-day reference to the SLO's own window. */
export function scaledWindow(window: string, sloWindow: string): string {
  return formatDuration(parseDuration(window) * (parseDuration(sloWindow) / SLO_REFERENCE_WINDOW));
}

/** Every window an SLO records its error ratio over, shortest first. */
export function sloRecordWindows(sloWindow: string): string[] {
  return [...new Set([...BURN_RATES.fast, ...BURN_RATES.slow].flatMap((b) => [b.short, b.long]))]
    .map((window) => scaledWindow(window, sloWindow))
    .sort((a, b) => parseDuration(a) - parseDuration(b));
}
