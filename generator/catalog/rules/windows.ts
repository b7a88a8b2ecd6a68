import { DEFAULT_SCRAPE_INTERVAL, DEFAULT_WINDOW } from '../defaults.js';
import { formatDuration, parseDuration } from '../duration.js';
import { sloRecordWindows } from '../slo.js';
import { RATIO_WINDOWS } from '../../conventions.js';
import type { RuleContext } from './context.js';

/**
 * How many scrape intervals a rate window should span at least. Prometheus 3 selects ranges
 * left-open, so a window of n intervals holds n samples at most, and n - 1 when the scrape at its
 * left edge lands exactly on it; rate and increase need two, and one missed or late scrape takes
 * one more. Four intervals is what Grafana's `$__rate_interval` keeps and what Prometheus advises.
 */
export const MIN_SCRAPES_PER_WINDOW = 4;

/**
 * Every range the generated rules take a rate, increase or delta over spans at least
 * {@link MIN_SCRAPES_PER_WINDOW} scrape intervals: alert windows (of: rate, ratio, average, delta;
 * quantile; stall, with its baseline), an SLO's shortest burn-rate window (scaled with
 * `slo_window`) and the ratio records' fixed window. A warning: the rules still load, but can
 * miss or invent a rate when a scrape is late.
 */
export function windowRules(context: RuleContext): void {
  const scrape = parseDuration(context.raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL);
  const shown = context.raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL;
  const least = formatDuration(scrape * MIN_SCRAPES_PER_WINDOW);
  const short = (window: string): boolean => {
    const seconds = parseDuration(window);
    // A window that is no positive duration is alert-duration's to report.
    return seconds > 0 && seconds < MIN_SCRAPES_PER_WINDOW * scrape;
  };
  const why = `shorter than ${MIN_SCRAPES_PER_WINDOW} scrape intervals (${least} at scrape_interval ${shown}): Prometheus 3 ranges are left-open, so it may hold too few samples for a rate`;
  for (const [key, metric] of context.metrics()) {
    (metric.alerts ?? []).forEach((alert, index) => {
      const at = ['metrics', key, 'alerts', index];
      const where = `alert ${alert.name}`;
      const rated = alert.kind === 'quantile' || alert.kind === 'stall' || (['threshold', 'degradation', 'anomaly'].includes(alert.kind) && alert.of !== undefined && alert.of !== 'value');
      const window = alert.window ?? DEFAULT_WINDOW[alert.kind];
      if (rated && short(window)) context.warning('range-window-scrape', `${where}: window ${window} is ${why}`, alert.window === undefined ? [...at, 'kind'] : [...at, 'window']);
      if (alert.kind === 'stall' && alert.baseline !== undefined && short(alert.baseline)) {
        context.warning('range-window-scrape', `${where}: baseline ${alert.baseline} is ${why}`, [...at, 'baseline']);
      }
      if (alert.kind === 'slo') {
        const shortest = sloRecordWindows(alert.slo_window ?? '30d')[0];
        if (shortest !== undefined && short(shortest)) {
          context.warning('range-window-scrape', `${where}: its shortest burn-rate window, ${shortest} (5m scaled to slo_window ${alert.slo_window ?? '30d'}), is ${why}`, alert.slo_window === undefined ? [...at, 'kind'] : [...at, 'slo_window']);
        }
      }
    });
  }
  const ratios = context.metrics().some(([, metric]) => (metric.ratios ?? []).length > 0);
  const ratioWindow = RATIO_WINDOWS[0];
  if (ratios && context.raw.scrape_interval !== undefined && short(ratioWindow)) {
    context.warning('range-window-scrape', `ratios are recorded over ${ratioWindow}, which is ${why}`, ['scrape_interval']);
  }
}
