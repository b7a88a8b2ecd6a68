/**
 * `check --live URL`: scrape a running exporter and compare it with the catalogue. The comparison
 * (exposition.ts, compare.ts) is pure; the HTTP request lives here, at the edge.
 */
import type { Catalog } from '../catalog/model.js';
import { compareExposition } from './compare.js';
import type { CompareOptions, LiveFinding, LiveReport } from './compare.js';
import { parseExposition } from './exposition.js';

export { compareExposition, DEFAULT_IGNORED_PREFIXES } from './compare.js';
export type { CompareOptions, LiveFinding, LiveReport, LiveRule } from './compare.js';
export { parseExposition } from './exposition.js';
export type { ExposedFamily, ExposedSample, ExposedType, ExpositionProblem, ParsedExposition } from './exposition.js';

/** Asks for the classic text format, the one the parser reads. */
export const SCRAPE_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export type ScrapeResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** GET the URL's exposition; never throws. */
export async function scrape(url: string, timeoutMs = 10_000): Promise<ScrapeResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `not a URL: ${url}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: `not an http(s) URL: ${url}` };
  try {
    const response = await fetch(parsed, { headers: { Accept: SCRAPE_ACCEPT }, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    const text = await response.text();
    if (!response.ok) return { ok: false, reason: `HTTP ${response.status} ${response.statusText}`.trim() };
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('application/openmetrics-text')) return { ok: false, reason: 'the exporter answered in OpenMetrics although the text format was asked for' };
    return { ok: true, text };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { ok: false, reason };
  }
}

/** Parse and compare an exposition's text with the catalogue. */
export function checkExposition(catalog: Catalog, text: string, options: CompareOptions = {}): LiveReport {
  return compareExposition(catalog, parseExposition(text), options);
}

/** One finding as the CLI prints it: `<source>: error: <message> [<rule>]`, like a diagnostic. */
export function formatFinding(source: string, finding: LiveFinding): string {
  return `${source}: error: ${finding.message} [${finding.rule}]`;
}
