/**
 * The catalogue with its alert windows shortened from hours and days to seconds, so that the alerts
 * can be seen firing within a minute: by the end-to-end test, and by `npm run demo --
 * --with-prometheus --fast-alerts`.
 *
 * Only durations change. Metric names, labels, thresholds, objectives and ratios stay those of
 * metrics.yaml, so the generated rules are the real ones on a faster clock, and the demo's series
 * feed them unchanged. The windows are not scaled by one factor: a day's offset and a 10-minute
 * window cannot both shrink by 1440 and stay measurable at a 1 s scrape. Each kind of duration gets
 * one short value instead (SHORT_WINDOWS).
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { compileCatalog } from '../catalog/index.js';
import { formatDiagnostic, hasErrors } from '../catalog/diagnostics.js';
import type { Catalog } from '../catalog/model.js';
import { emitAll } from '../emit/index.js';

/** The duration each kind of catalogue duration becomes. */
export const SHORT_WINDOWS = {
  /** `scrape_interval` (absence `for` must stay at least twice this). */
  scrapeInterval: '1s',
  /** Every alert's `window` (threshold, quantile, degradation, anomaly, stall). */
  window: '10s',
  /** An absence alert's `window`: how long without a sample counts as gone. */
  absenceWindow: '5s',
  /** A degradation alert's `offset` (the "same time yesterday"). */
  offset: '30s',
  /** An anomaly or stall alert's `baseline` (the history compared with). */
  baseline: '2m',
  /** Every alert's `for`. */
  for: '3s',
  /**
   * An SLO alert's `slo_window`. Burn-rate windows scale with it: 12h instead of 30d divides them
   * by 60, so 5m, 30m, 1h, 2h, 6h, 1d and 3d become 5s, 30s, 1m, 2m, 6m, 24m and 1h12m.
   */
  sloWindow: '12h',
} as const;

/** The duration keys each alert kind takes besides `for` (as generator/catalog/rules/alerts.ts allows). */
const KEYS_BY_KIND: Readonly<Record<string, readonly ('window' | 'offset' | 'baseline' | 'slo_window')[]>> = {
  threshold: ['window'],
  quantile: ['window'],
  degradation: ['window', 'offset'],
  anomaly: ['window', 'baseline'],
  absence: ['window'],
  stall: ['window', 'baseline'],
  slo: ['slo_window'],
};

export interface WindowChange {
  /** `scrape_interval`, or the alert's name. */
  readonly where: string;
  readonly key: string;
  /** As written in the catalogue; undefined when the catalogue relied on the default. */
  readonly from: string | undefined;
  readonly to: string;
}

export interface ShortenedCatalogue {
  /** The catalogue text with the short durations. */
  readonly text: string;
  readonly changes: readonly WindowChange[];
}

/** Rewrites every alert duration of a catalogue's text (comments and anchors kept). */
export function shortenWindows(text: string): ShortenedCatalogue {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`the catalogue is not valid YAML: ${doc.errors[0]?.message}`);
  const changes: WindowChange[] = [];
  const set = (path: readonly (string | number)[], where: string, key: string, to: string): void => {
    const from = doc.getIn(path);
    changes.push({ where, key, from: typeof from === 'string' ? from : undefined, to });
    doc.setIn(path, to);
  };

  set(['scrape_interval'], 'scrape_interval', 'scrape_interval', SHORT_WINDOWS.scrapeInterval);
  const metrics = doc.get('metrics');
  if (!isMap(metrics)) throw new Error('the catalogue has no metrics map');
  for (const pair of metrics.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const alerts = doc.getIn(['metrics', key, 'alerts']);
    if (!isSeq(alerts)) continue;
    alerts.items.forEach((_, index) => {
      const at = ['metrics', key, 'alerts', index];
      const kind = String(doc.getIn([...at, 'kind']));
      const name = String(doc.getIn([...at, 'name']));
      // A threshold on a gauge's current value has no window to shorten.
      const slots = (KEYS_BY_KIND[kind] ?? []).filter((slot) => !(slot === 'window' && doc.getIn([...at, 'of']) === 'value'));
      for (const slot of slots) {
        const to =
          slot === 'window'
            ? kind === 'absence'
              ? SHORT_WINDOWS.absenceWindow
              : SHORT_WINDOWS.window
            : slot === 'offset'
              ? SHORT_WINDOWS.offset
              : slot === 'baseline'
                ? SHORT_WINDOWS.baseline
                : SHORT_WINDOWS.sloWindow;
        set([...at, slot], name, slot, to);
      }
      set([...at, 'for'], name, 'for', SHORT_WINDOWS.for);
    });
  }
  return { text: doc.toString({ lineWidth: 0 }), changes };
}

export interface ShortRules {
  readonly catalog: Catalog;
  /** Path of the rule file relative to the outputs (`alerts/lazybird.rules.yaml`). */
  readonly path: string;
  /** Its content: the rules the catalogue generates, on the short windows. */
  readonly rules: string;
  readonly changes: readonly WindowChange[];
}

/**
 * Shortens the catalogue, compiles it like `npm run generate` would and returns its rule file.
 * @throws Error listing the diagnostics when the shortened catalogue does not compile.
 */
export function shortRules(text: string, file = 'metrics.yaml'): ShortRules {
  const { text: short, changes } = shortenWindows(text);
  const { catalog, diagnostics } = compileCatalog(short, file);
  if (!catalog || hasErrors(diagnostics)) {
    throw new Error(`the catalogue with short windows does not compile:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  const path = catalog.files.rules;
  const rules = emitAll(catalog).get(path);
  if (rules === undefined) throw new Error(`the catalogue generates no ${path}`);
  return { catalog, path, rules, changes };
}
