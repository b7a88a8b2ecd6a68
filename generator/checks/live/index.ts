/**
 * `check --live URL`: scrape a running exporter and compare it with the catalogue. The comparison
 * (exposition.ts, compare.ts) is pure; the HTTP request lives here, at the edge.
 *
 * What it scrapes may be anything, so the scrape is bounded (time, decoded bytes, line length and
 * labels per line, samples kept), and what it prints is made inert (controls escaped, long texts
 * clipped, credentials never shown).
 */
import type { Catalog } from '../../catalog/model.js';
import { compareExposition } from './compare.js';
import type { CompareOptions, LiveFinding, LiveReport } from './compare.js';
import { ExpositionParser, parseExposition } from './exposition.js';
import type { ParsedExposition } from './exposition.js';

export { compareExposition, DEFAULT_IGNORED_PREFIXES } from './compare.js';
export type { CompareOptions, LiveFinding, LiveReport, LiveRule } from './compare.js';
export { EXPOSITION_LIMITS, ExpositionParser, parseExposition } from './exposition.js';
export type { ExposedFamily, ExposedSample, ExposedType, ExpositionProblem, ParsedExposition } from './exposition.js';

/** Asks for the classic text format, the one the parser reads. */
export const SCRAPE_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export const SCRAPE_LIMITS = {
  /** Bytes of body read, counted after decompression; the scrape stops there. */
  bodyBytes: 64 * 1024 * 1024,
  /** For the whole request, body included. */
  timeoutMs: 10_000,
  /** Findings printed; the rest are counted in one line. */
  printedFindings: 100,
  /** Characters of one printed line. */
  printedLine: 1_000,
} as const;

export interface ScrapeOptions {
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export type ScrapeResult =
  | { readonly ok: true; readonly exposition: ParsedExposition; readonly bytes: number }
  | { readonly ok: false; readonly reason: string };

/** GET the URL's exposition and parse it as it arrives; never throws. */
export async function scrape(url: string, options: ScrapeOptions = {}): Promise<ScrapeResult> {
  const timeoutMs = options.timeoutMs ?? SCRAPE_LIMITS.timeoutMs;
  const maxBytes = options.maxBodyBytes ?? SCRAPE_LIMITS.bodyBytes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'not an http(s) URL' };
  const headers: Record<string, string> = { Accept: SCRAPE_ACCEPT };
  const credentials = parsed.username !== '' || parsed.password !== '';
  if (credentials) {
    // fetch refuses a URL with credentials; they travel as basic auth, as Prometheus's basic_auth does.
    headers['Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  try {
    // With credentials, a redirect is not followed: it could carry them to another host.
    const response = await fetch(parsed, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: credentials ? 'manual' : 'follow' });
    const refuse = async (reason: string): Promise<ScrapeResult> => {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason };
    };
    if (credentials && response.status >= 300 && response.status < 400) return refuse(`HTTP ${response.status}: a redirect, not followed with credentials; give the URL it points to`);
    if (!response.ok) return refuse(`HTTP ${response.status} ${response.statusText}`.trim());
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('application/openmetrics-text')) return refuse('the exporter answered in OpenMetrics although the text format was asked for');
    if (!response.body) return { ok: true, exposition: parseExposition(''), bytes: 0 };

    const parser = new ExpositionParser();
    const decoder = new TextDecoder('utf-8');
    const reader = response.body.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: `the body is larger than ${describeBytes(maxBytes)} (after decompression); stopped reading` };
      }
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    return { ok: true, exposition: parser.end(), bytes };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    const reason = name === 'TimeoutError' ? `no complete answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { ok: false, reason: withoutCredentials(reason) };
  }
}

/** Parse and compare an exposition's text with the catalogue. */
export function checkExposition(catalog: Catalog, text: string, options: CompareOptions = {}): LiveReport {
  return compareExposition(catalog, parseExposition(text), options);
}

/** One finding as the CLI prints it: `<source>: error: <message> [<rule>]`, like a diagnostic. */
export function formatFinding(source: string, finding: LiveFinding): string {
  return printable(`${displayUrl(source)}: error: ${finding.message} [${finding.rule}]`);
}

/** A URL as it may be shown: without its user and password (also when it does not parse). */
export function displayUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Unparsable: everything up to the last '@' may be a password, whatever characters it holds.
    return printable(url.replace(/^([^:/?#\s]*:[\\/]*)\S*@/, '$1'));
  }
  if (parsed.username === '' && parsed.password === '') return printable(url);
  parsed.username = '';
  parsed.password = '';
  return printable(parsed.href);
}

/** `scheme://user:password@host` loses `user:password@`, wherever such a URL is quoted in `text`. */
function withoutCredentials(text: string): string {
  // The last '@' before the path ends the user info, as in the WHATWG URL parser.
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:[\\/]{2})[^/?#\\\s]*@/g, '$1');
}

/**
 * Text safe for a terminal and a log: C0 and C1 controls, DEL, line and paragraph separators and
 * bidirectional overrides and isolates shown as `\u{…}`; clipped to one bounded line.
 */
export function printable(text: string, max: number = SCRAPE_LIMITS.printedLine): string {
  const clipped = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return clipped.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
