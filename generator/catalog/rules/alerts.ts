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
  threshold: { required: ['of'], allowed: ['of', 'ratio', 'above', 'below', 'window', 'by', 'match', 'min_rate', 'aggregate'] },
  quantile: { required: ['quantile', 'above'], allowed: ['quantile', 'above', 'window', 'by', 'match', 'min_rate'] },
  degradation: { required: ['of', 'drop_percent'], allowed: ['of', 'ratio', 'drop_percent', 'window', 'offset', 'by', 'match', 'min_rate', 'aggregate'] },
  anomaly: { required: ['of', 'z', 'min_rate'], allowed: ['of', 'ratio', 'z', 'window', 'baseline', 'by', 'match', 'min_rate'] },
  absence: { required: ['for'], allowed: ['window', 'match'] },
  stall: { required: [], allowed: ['window', 'baseline', 'by', 'match'] },
  slo: { required: ['objective', 'min_rate'], allowed: ['objective', 'good', 'bad', 'good_metric', 'bad_metric', 'latency_below', 'slo_window', 'by', 'match', 'min_rate'] },
};
const COMMON = new Set<string>(['name', 'kind', 'severity', 'summary', 'description', 'for', 'labels', 'annotations']);

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
      // With good_metric or bad_metric, good and bad select series of that counter (checked with it).
      if (alert.good_metric === undefined) checkMatchers(context, alert.good, labels, [...at, 'good'], name);
      if (alert.bad_metric === undefined) checkMatchers(context, alert.bad, labels, [...at, 'bad'], name);
      if (alert.aggregate !== undefined && alert.of !== 'value' && alert.of !== 'delta') {
        context.error('alert-aggregate', `${where}: "aggregate" combines a gauge's series (of: value or delta); the ${alert.of ?? alert.kind} is summed by its definition`, [...at, 'aggregate'], { key: true });
      }

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
  const ways = [alert.good ?? alert.good_metric, alert.bad ?? alert.bad_metric, alert.latency_below].filter((w) => w !== undefined).length;
  if (ways !== 1) {
    context.error(
      'alert-slo-events',
      `${where}: an SLO names its events in exactly one way: good or bad events (matchers, or good_metric / bad_metric, on counters) or latency_below (histograms)`,
      at,
    );
    return;
  }
  for (const slot of ['good_metric', 'bad_metric'] as const) {
    const key = alert[slot];
    if (key !== undefined) checkEventsMetric(context, metric, alert, key, slot, at, where, name);
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

/**
 * An SLO over two counters: the events counter exists and is a counter, and has every label the
 * SLO keeps (`by`) or scopes by (`match`), so both selectors are about the same series.
 */
function checkEventsMetric(
  context: RuleContext,
  metric: RawMetric,
  alert: RawAlert,
  key: string,
  slot: 'good_metric' | 'bad_metric',
  at: (string | number)[],
  where: string,
  name: string,
): void {
  const events = context.metric(key);
  if (!events) {
    context.error('alert-slo-metric', `${where}: ${slot} "${key}" is not a metric of the catalogue`, [...at, slot]);
    return;
  }
  const eventsName = context.fullName(key);
  if (events.type !== 'counter') {
    context.error('alert-slo-metric', `${where}: ${slot} ${eventsName} is a ${events.type}; SLO events are counted by a counter`, [...at, slot]);
    return;
  }
  if (metric.type !== 'counter') return; // reported by the caller
  const eventLabels = events.labels ?? [];
  (alert.by ?? []).forEach((id, i) => {
    if (!eventLabels.includes(id)) context.error('alert-label', `${where}: "${id}" is not a label of ${eventsName}, so the SLO cannot keep it on both counters`, [...at, 'by', i]);
  });
  for (const id of Object.keys(alert.match ?? {})) {
    if (!eventLabels.includes(id)) {
      context.error('matcher-label', `${where}: "${id}" is not a label of ${eventsName}; match scopes both counters of the SLO`, [...at, 'match', id], { key: true });
    }
  }
  const side = slot === 'good_metric' ? 'good' : 'bad';
  checkMatchers(context, alert[side], eventLabels, [...at, side], eventsName);
  if (key === Object.entries(context.raw.metrics).find(([, m]) => m === metric)?.[0]) {
    context.error('alert-slo-metric', `${where}: ${slot} is the alert's own metric; select its events with "${side}" matchers instead`, [...at, slot]);
  }
}
