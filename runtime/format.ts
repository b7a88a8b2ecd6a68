/**
 * Number formatting and escaping shared by both exposition formats.
 * All functions are pure and run at construction or scrape time, never on the recording path.
 */

/**
 * A sample value. Integers print without exponent (JavaScript's shortest round-trip form does that
 * up to 1e21), other numbers in their shortest round-trip form; specials as Prometheus spells them.
 */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v !== v) return 'NaN';
  return String(v); // String(-0) is '0', which is what we want.
}

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which the Go client and Prometheus itself use for `le`
 * and `quantile` values: shortest round-trip digits, in exponent form when the decimal exponent is
 * below -4 or at least 6 (so 0.005, 2.5, 100000, but 1e+06 and 1e-05). Note this is strconv's rule,
 * not fmt's `%v` (which switches at 21).
 */
export function formatGoFloat(f: number): string {
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f !== f) return 'NaN';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without an argument yields the shortest digits that round-trip, like Go.
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expAbs = Math.abs(exp);
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
  }
  const pointAt = exp + 1; // digits before the decimal point
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/**
 * OpenMetrics canonical float, as Prometheus and the Go client write `le`/`quantile` in OpenMetrics:
 * Go's 'g' form with `.0` appended when it would otherwise read as an integer (1.0, 10.0, 0.5, 1e+06).
 */
export function formatOpenMetricsFloat(f: number): string {
  const s = formatGoFloat(f);
  if (!Number.isFinite(f) || s.includes('.') || s.includes('e')) return s;
  return `${s}.0`;
}

/** HELP text in the Prometheus text format: only backslash and newline are escaped. */
export function escapeHelpText(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** HELP text in OpenMetrics: backslash, newline and double quote are escaped. */
export function escapeHelpOpenMetrics(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** A label value in either format: backslash, double quote and newline are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
