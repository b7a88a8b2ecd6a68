import { alertNames } from '../../conventions.js';
import { DEFAULT_SCRAPE_INTERVAL } from '../defaults.js';
import { parseDuration } from '../duration.js';
import type { RawAlert, RawMetric } from '../raw.js';
import type { RuleContext } from './context.js';
import { labelIdHint } from './label-hint.js';
import { templateProblem } from './template.js';
import { checkMatchers } from './structure.js';


/** Which `of` each metric type may alert on; a raw counter is never compared. */
const OF_BY_TYPE: Readonly<Record<RawMetric['type'], readonly string[]>> = {
  counter: ['rate', 'ratio'],
  gauge: ['value', 'delta'],
  histogram: ['average'],
  info: [], // info-no-alerts says why, once
};

/** Keys each kind needs and keys it takes (besides name, kind, severity, summary, description, for). */
const KIND_KEYS: Readonly<Record<RawAlert['kind'], { required: readonly (keyof RawAlert)[]; allowed: readonly (keyof RawAlert)[] }>> = {
  threshold: { required: ['of'], allowed: ['of', 'ratio', 'above', 'below', 'window', 'by', 'match', 'min_rate'] },
  quantile: { required: ['quantile', 'above'], allowed: ['quantile', 'above', 'window', 'by', 'match', 'min_rate'] },
  degradation: { required: ['of', 'drop_percent'], allowed: ['of', 'ratio', 'drop_percent', 'window', 'offset', 'by', 'match', 'min_rate'] },
  anomaly: { required: ['of', 'z', 'min_rate'], allowed: ['of', 'ratio', 'z', 'window', 'baseline', 'by', 'match', 'min_rate'] },
  absence: { required: ['for'], allowed: ['window', 'match'] },
  stall: { required: [], allowed: ['window', 'baseline', 'by', 'match'] },
  slo: { required: ['objective', 'min_rate'], allowed: ['objective', 'good', 'bad', 'latency_below', 'slo_window', 'by', 'match', 'min_rate'] },
};
const COMMON = new Set<string>(['name', 'kind', 'severity', 'summary', 'description', 'for']);

/** Alerts say what they watch in a way that can fire, and nothing a kind would ignore. */
export function alertRules(context: RuleContext): void {
  const runbook = context.raw.runbook_url;
  if (runbook !== undefined && /[{}]/.test(runbook.replaceAll('{alert}', ''))) {
    context.error('runbook-url-format', `runbook_url: braces other than {alert} would be read as a template by Prometheus`, ['runbook_url']);
  }
  const names = new Map<string, string>();
  const scrapeInterval = parseDuration(context.raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL);
  for (const [key, metric] of context.metrics()) {
    const name = context.fullName(key);
    const labels = metric.labels ?? [];
    if (metric.type === 'info') continue; // info-no-alerts
    (metric.alerts ?? []).forEach((alert, index) => {
      const at = ['metrics', key, 'alerts', index];
      const where = `alert ${alert.name}`;
      for (const alertName of alertNames(alert.name, alert.kind)) {
        const previous = names.get(alertName);
        if (previous !== undefined) context.error('alert-name-duplicate', `${where}: the alert name ${alertName} is also used on ${previous}`, [...at, 'name']);
        names.set(alertName, name);
      }

      const shape = KIND_KEYS[alert.kind];
      for (const required of shape.required) {
        if (alert[required] === undefined) context.error('alert-missing-key', `${where}: a ${alert.kind} alert needs "${required}"`, at);
      }
      for (const present of Object.keys(alert)) {
        if (!COMMON.has(present) && !shape.allowed.includes(present as keyof RawAlert)) {
          context.error('alert-unused-key', `${where}: "${present}" does not apply to a ${alert.kind} alert`, [...at, present], { key: true });
        }
      }

      const template = alert.description === undefined ? undefined : templateProblem(alert.description);
      if (template !== undefined) {
        context.error('alert-description-template', `${where}: the description is a Prometheus template, and ${template}`, [...at, 'description']);
      }
      if (!alert.summary.trim().endsWith('.')) context.error('alert-summary', `${where}: the summary should be a sentence ending with a period`, [...at, 'summary']);
      if (alert.summary.includes('{{')) {
        context.error('alert-summary', `${where}: the summary is static; put templated labels and values in the description`, [...at, 'summary']);
      }

      for (const [slot, ids] of [['by', alert.by ?? []]] as const) {
        ids.forEach((id, i) => {
          if (!labels.includes(id)) context.error('alert-label', `${where}: "${id}" is not a label of ${name}${labelIdHint(context, id, labels)}`, [...at, slot, i]);
        });
      }
      checkMatchers(context, alert.match, labels, [...at, 'match'], name);
      checkMatchers(context, alert.good, labels, [...at, 'good'], name);
      checkMatchers(context, alert.bad, labels, [...at, 'bad'], name);

      for (const slot of ['window', 'offset', 'baseline', 'slo_window', 'for'] as const) {
        const value = alert[slot];
        if (value !== undefined && !(parseDuration(value) > 0)) context.error('alert-duration', `${where}: ${slot} must be a positive duration`, [...at, slot]);
      }

      if (alert.of !== undefined) {
        if (!OF_BY_TYPE[metric.type].includes(alert.of)) {
          const why = alert.of === 'value' && metric.type === 'counter' ? ' (a raw counter only grows: alert on its rate or a ratio)' : '';
          context.error('alert-of-type', `${where}: cannot alert on the ${alert.of} of ${name}, a ${metric.type}${why}; use ${OF_BY_TYPE[metric.type].join(' or ')}`, [...at, 'of']);
        }
        if (alert.of === 'ratio') checkRatio(context, metric, alert, at, where);
        else if (alert.ratio !== undefined) {
          context.error('alert-unused-key', `${where}: "ratio" applies with of: ratio`, [...at, 'ratio'], { key: true });
        }
      }

      switch (alert.kind) {
        case 'threshold':
        case 'degradation':
        case 'anomaly':
          if (alert.kind === 'threshold' && (alert.above === undefined) === (alert.below === undefined)) {
            context.error('alert-threshold', `${where}: a threshold alert needs exactly one of "above" and "below"`, at);
          }
          break;
        case 'quantile': {
          if (metric.type !== 'histogram') {
            context.error('alert-of-type', `${where}: quantile alerts need a histogram; ${name} is a ${metric.type}`, [...at, 'kind']);
            break;
          }
          const buckets = metric.buckets ?? [];
          const above = alert.above;
          // Without buckets, buckets-missing has said it; a second error here would only repeat it.
          if (buckets.length > 0 && above !== undefined && (!buckets.includes(above) || above === buckets.at(-1))) {
            const usable = buckets.slice(0, -1);
            const instead =
              usable.length === 0
                ? `and ${name} has a single bucket boundary (${buckets[0]}): declare more around ${above}`
                : `use one of ${usable.join(', ')}`;
            context.error(
              'alert-quantile-bucket',
              `${where}: ${above} is not a bucket boundary below the last one of ${name}, so the p${Math.round((alert.quantile ?? 0) * 100)} estimate could never be seen crossing it; ${instead}`,
              [...at, 'above'],
            );
          }
          break;
        }
        case 'absence': {
          const forSeconds = parseDuration(alert.for ?? '0s');
          if (forSeconds < 2 * scrapeInterval) {
            context.error(
              'alert-absence-for',
              `${where}: "for" of ${alert.for} is shorter than twice the scrape interval (${context.raw.scrape_interval ?? DEFAULT_SCRAPE_INTERVAL}); one missed scrape would fire it`,
              [...at, 'for'],
            );
          }
          break;
        }
        case 'stall':
          if (metric.type !== 'counter') context.error('alert-of-type', `${where}: stall alerts watch a counter; ${name} is a ${metric.type}`, [...at, 'kind']);
          break;
        case 'slo':
          checkSlo(context, metric, alert, at, where, name);
          break;
      }
      if (metric.deprecated) context.warning('alert-deprecated-metric', `${where} watches ${name}, which is deprecated`, [...at, 'name']);
    });
  }
}

function checkRatio(context: RuleContext, metric: RawMetric, alert: RawAlert, at: (string | number)[], where: string): void {
  if (alert.ratio === undefined) {
    context.error('alert-missing-key', `${where}: of: ratio needs "ratio", the name of a ratio declared on this metric`, at);
    return;
  }
  const ratio = (metric.ratios ?? []).find((r) => r.name === alert.ratio);
  if (!ratio) {
    const declared = (metric.ratios ?? []).map((r) => r.name).join(', ') || 'none';
    context.error('alert-ratio-undefined', `${where}: no ratio "${alert.ratio}" on this metric (declared: ${declared})`, [...at, 'ratio']);
    return;
  }
  // A ratio alert keeps a subset of the ratio's labels, which both of its counters have.
  (alert.by ?? []).forEach((id, i) => {
    if (!(ratio.by ?? []).includes(id)) context.error('alert-label', `${where}: "${id}" is not among the by labels of ratio ${ratio.name}`, [...at, 'by', i]);
  });
  if (alert.match !== undefined) context.error('alert-unused-key', `${where}: a ratio alert takes its selection from ratio ${ratio.name}; "match" does not apply`, [...at, 'match'], { key: true });
}

/** The burn-rate factor of the fastest pair: an error ratio over 1 cannot happen. */
const FASTEST_BURN = 14.4;

function checkSlo(context: RuleContext, metric: RawMetric, alert: RawAlert, at: (string | number)[], where: string, name: string): void {
  if (alert.objective !== undefined && FASTEST_BURN * (1 - alert.objective) >= 1) {
    context.warning(
      'alert-slo-burn-unreachable',
      `${where}: with an objective of ${alert.objective}, burning ${FASTEST_BURN}× the budget needs an error ratio of ${Number((FASTEST_BURN * (1 - alert.objective)).toPrecision(3))}, above 1; the fastest page can never fire`,
      [...at, 'objective'],
    );
  }
  const ways = [alert.good, alert.bad, alert.latency_below].filter((w) => w !== undefined).length;
  if (ways !== 1) {
    context.error('alert-slo-events', `${where}: an SLO names its events in exactly one way: good or bad matchers (counters) or latency_below (histograms)`, at);
    return;
  }
  if (alert.latency_below !== undefined) {
    if (metric.type !== 'histogram') context.error('alert-of-type', `${where}: latency_below needs a histogram; ${name} is a ${metric.type}`, [...at, 'latency_below']);
    else if ((metric.buckets ?? []).length > 0 && !(metric.buckets ?? []).includes(alert.latency_below)) {
      context.error('alert-quantile-bucket', `${where}: latency_below ${alert.latency_below} is not a bucket boundary of ${name}, so good events cannot be counted; use one of ${(metric.buckets ?? []).join(', ')}`, [...at, 'latency_below']);
    }
    return;
  }
  if (metric.type !== 'counter') {
    context.error('alert-of-type', `${where}: good and bad SLOs count events of a counter; ${name} is a ${metric.type}`, at);
  }
}
