/**
 * Content negotiation between the Prometheus text format, OpenMetrics and protobuf.
 */
import type { ExpositionFormat } from './family.js';

/** Content-Type of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content-Type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Content-Type of the delimited protobuf format (runtime/protobuf.ts), spelled as client_golang writes it. */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** The Content-Type header for a format. */
export function contentType(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : format === 'protobuf' ? PROTOBUF_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/** The `proto` parameter protobuf must be asked for with: the message type of the stream. */
const PROTO_MESSAGE = 'io.prometheus.client.MetricFamily';

/**
 * Picks the format for an Accept header, by the best q-value of the ranges matching each format:
 * - protobuf: `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily` and
 *   `encoding=delimited` (what Prometheus sends once its native-histograms feature is on);
 * - OpenMetrics: `application/openmetrics-text`, version 1.0.0 or none;
 * - text: `text/plain` version 0.0.4 or none, `text/*`, `*\/*`.
 * Protobuf wins when its q is above zero and at least that of both others, then OpenMetrics when its
 * q is above zero and at least text's. Anything else, including a missing or malformed header, gives
 * the text format, which every Prometheus understands.
 */
export function negotiate(acceptHeader: string | undefined): ExpositionFormat {
  if (typeof acceptHeader !== 'string' || acceptHeader === '') return 'text';
  let protobufQ = 0;
  let openMetricsQ = 0;
  let textQ = 0;
  for (const range of acceptHeader.split(',')) {
    const [mediaType = '', ...paramParts] = range.split(';');
    const type = mediaType.trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    let proto: string | undefined;
    let encoding: string | undefined;
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
      } else if (key === 'proto') {
        proto = value;
      } else if (key === 'encoding') {
        encoding = value;
      }
    }
    if (!valid) continue;
    if (type === 'application/vnd.google.protobuf') {
      // Without both parameters the range asks for some other protobuf (or a debugging text form).
      if (proto === PROTO_MESSAGE && encoding === 'delimited') protobufQ = Math.max(protobufQ, q);
    } else if (type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) {
      openMetricsQ = Math.max(openMetricsQ, q);
    } else if (
      (type === 'text/plain' && (version === undefined || version === '0.0.4')) ||
      type === 'text/*' ||
      type === '*/*'
    ) {
      textQ = Math.max(textQ, q);
    }
  }
  if (protobufQ > 0 && protobufQ >= openMetricsQ && protobufQ >= textQ) return 'protobuf';
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'text';
}
