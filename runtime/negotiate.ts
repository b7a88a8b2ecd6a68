/**
 * Content negotiation between the Prometheus text format and OpenMetrics.
 */
import type { ExpositionFormat } from './family.js';

/** Content-Type of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content-Type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The Content-Type header for a format. */
export function contentType(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/**
 * Picks the format for an Accept header. OpenMetrics is chosen when the header accepts
 * `application/openmetrics-text` (version 1.0.0 or no version) with a q-value greater than zero and
 * at least that of the best range matching the text format (`text/plain` version 0.0.4 or none,
 * `text/*`, `*\/*`). Anything else, including a missing or malformed header, gives the text format,
 * which every Prometheus understands.
 */
export function negotiate(acceptHeader: string | undefined): ExpositionFormat {
  if (typeof acceptHeader !== 'string' || acceptHeader === '') return 'text';
  let openMetricsQ = 0;
  let textQ = 0;
  for (const range of acceptHeader.split(',')) {
    const [mediaType = '', ...paramParts] = range.split(';');
    const type = mediaType.trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    let valid = true;
    for (const part of paramParts) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        // RFC 9110 qvalue: 0 to 1 with at most three decimals; a broken one voids the range.
        if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) valid = false;
        else q = Number(value);
      } else if (key === 'version') {
        version = value;
      }
    }
    if (!valid) continue;
    if (type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) {
      openMetricsQ = Math.max(openMetricsQ, q);
    } else if (
      (type === 'text/plain' && (version === undefined || version === '0.0.4')) ||
      type === 'text/*' ||
      type === '*/*'
    ) {
      textQ = Math.max(textQ, q);
    }
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'text';
}
