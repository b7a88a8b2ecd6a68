import { labelNameOf } from '../defaults.js';
import type { RawRatio } from '../raw.js';
import type { RuleContext } from './context.js';
import { labelIdHint } from './label-hint.js';
import { unwritable } from './text.js';

/** A label value holds no line break or tab either: one line in every output (exposition, rules, TypeScript). */
const BREAKS = /[\t\n\r]/;

export function labelRules(context: RuleContext): void {
  const used = new Set(context.metrics().flatMap(([, metric]) => metric.labels ?? []));
  for (const [id, label] of Object.entries(context.raw.labels)) {
    const at = ['labels', id];
    const seen = new Map<string, number>();
    (label.values ?? []).forEach((value, index) => {
      if (seen.has(value)) {
        context.error('label-value-duplicate', `label ${id}: value ${JSON.stringify(value)} is listed twice`, [...at, 'values', index]);
      }
      seen.set(value, index);
      const bad = unwritable(value, BREAKS);
      if (bad !== undefined) {
        context.error('label-value-format', `label ${id}: value ${JSON.stringify(value)} contains ${bad}, which a label value cannot hold`, [...at, 'values', index]);
      }
    });
    if (label.overflow !== undefined) {
      if (seen.has(label.overflow)) {
        context.error(
          'label-overflow-duplicate',
          `label ${id}: the overflow value ${JSON.stringify(label.overflow)} is also a listed value; it is added to the values by itself`,
          [...at, 'overflow'],
        );
      }
      const bad = unwritable(label.overflow, BREAKS);
      if (bad !== undefined) {
        context.error('label-value-format', `label ${id}: overflow ${JSON.stringify(label.overflow)} contains ${bad}, which a label value cannot hold`, [...at, 'overflow']);
      }
    }
    if (!used.has(id)) context.warning('label-unused', `label ${id} is defined but no metric uses it`, at, { key: true });
  }
}

export function metricStructureRules(context: RuleContext): void {
  let scrapeDuration: string | undefined;
  const groupsUsed = new Set<string>();
  for (const [key, metric] of context.metrics()) {
    const at = ['metrics', key];
    const name = context.fullName(key);
    groupsUsed.add(metric.group);
    if (!Object.hasOwn(context.raw.groups, metric.group)) {
      context.error('group-undefined', `${name}: group "${metric.group}" is not defined under groups`, [...at, 'group']);
    }

    const exposed = new Map<string, string>();
    (metric.labels ?? []).forEach((id, index) => {
      const label = context.label(id);
      if (!label) {
        context.error('label-undefined', `${name}: label "${id}" is not defined under labels${labelIdHint(context, id)}`, [...at, 'labels', index]);
        return;
      }
      const labelName = labelNameOf(id, label);
      const other = exposed.get(labelName);
      if (other !== undefined) {
        context.error('label-name-duplicate', `${name}: labels ${other} and ${id} are both exposed as "${labelName}"`, [...at, 'labels', index]);
      }
      exposed.set(labelName, id);
    });

    if (metric.type === 'histogram') {
      if (!metric.buckets) {
        if (!metric.native) context.error('buckets-missing', `${name}: a histogram needs buckets (classic), native, or both`, at, { key: true });
      } else {
        metric.buckets.forEach((bound, index) => {
          if (!Number.isFinite(bound)) {
            context.error('buckets-finite', `${name}: bucket ${bound} is not finite (+Inf is always added)`, [...at, 'buckets', index]);
          }
          const previous = metric.buckets?.[index - 1];
          if (index > 0 && previous !== undefined && !(bound > previous)) {
            context.error('buckets-order', `${name}: buckets must strictly increase, but ${bound} follows ${previous}`, [...at, 'buckets', index]);
          }
        });
      }
    } else if (metric.buckets) {
      context.error('buckets-unexpected', `${name}: only histograms have buckets (this is a ${metric.type})`, [...at, 'buckets'], { key: true });
    }

    if (metric.role === 'scrape_duration') {
      if (metric.type !== 'histogram' || (metric.labels ?? []).length > 0) {
        context.error('role-scrape-duration', `${name}: the scrape_duration role needs a histogram without labels`, [...at, 'role']);
      }
      if (metric.unit !== 'seconds') {
        context.error('role-scrape-duration', `${name}: the scrape_duration role records seconds`, [...at, 'unit']);
      }
      if (scrapeDuration !== undefined) {
        context.error('role-scrape-duration', `${name}: ${scrapeDuration} already has the scrape_duration role`, [...at, 'role']);
      }
      scrapeDuration = name;
    }

    const replacement = metric.deprecated?.replaced_by;
    if (replacement !== undefined && !context.metric(replacement)) {
      context.error('deprecated-replacement', `${name}: replaced_by "${replacement}" is not a metric of the catalogue`, [...at, 'deprecated', 'replaced_by']);
    }

    const panel = metric.panel;
    (panel?.split_by ?? []).forEach((id, index) => {
      if (!(metric.labels ?? []).includes(id)) {
        context.error('panel-label', `${name}: panel.split_by names "${id}", which is not a label of this metric${labelIdHint(context, id, metric.labels)}`, [...at, 'panel', 'split_by', index]);
      }
    });
    if (panel?.quantiles && metric.type !== 'histogram') {
      context.error('panel-quantiles', `${name}: quantiles apply to histograms only`, [...at, 'panel', 'quantiles'], { key: true });
    }
  }

  for (const id of Object.keys(context.raw.groups)) {
    if (!groupsUsed.has(id)) context.warning('group-empty', `group ${id} has no metrics`, ['groups', id], { key: true });
  }
}

export function ratioRules(context: RuleContext): void {
  const names = new Map<string, string>();
  for (const [key, metric] of context.metrics()) {
    (metric.ratios ?? []).forEach((ratio, index) => {
      const at = ['metrics', key, 'ratios', index];
      const name = context.fullName(key);
      const previous = names.get(ratio.name);
      if (previous !== undefined) {
        context.error('ratio-name-duplicate', `ratio "${ratio.name}" is also declared on ${context.fullName(previous)}`, [...at, 'name']);
      }
      names.set(ratio.name, key);
      if (metric.type !== 'counter') {
        context.error('ratio-metric-type', `${name}: ratios are declared on counters (this is a ${metric.type})`, [...at, 'name']);
      }
      const denominatorKey = ratio.denominator ?? key;
      const denominator = context.metric(denominatorKey);
      if (!denominator) {
        context.error('ratio-denominator-undefined', `ratio ${ratio.name}: denominator "${denominatorKey}" is not a metric of the catalogue`, [...at, 'denominator']);
        return;
      }
      if (denominator.type !== 'counter') {
        context.error('ratio-metric-type', `ratio ${ratio.name}: the denominator ${context.fullName(denominatorKey)} is a ${denominator.type}, not a counter`, [...at, 'denominator']);
      }
      if (ratio.denominator === undefined && ratio.match === undefined) {
        context.error('ratio-match-missing', `ratio ${ratio.name}: without a denominator, match must select the numerator's part of ${name}`, [...at, 'name']);
      }
      checkMatchers(context, ratio.match, metric.labels ?? [], [...at, 'match'], name);
      checkMatchers(context, ratio.denominator_match, denominator.labels ?? [], [...at, 'denominator_match'], context.fullName(denominatorKey));
      (ratio.by ?? []).forEach((id, byIndex) => {
        const sides = denominatorKey === key ? [key] : [key, denominatorKey];
        for (const owner of sides) {
          const labels = context.metric(owner)?.labels ?? [];
          if (!labels.includes(id)) {
            context.error('ratio-label', `ratio ${ratio.name}: "${id}" is not a label of ${context.fullName(owner)}${labelIdHint(context, id, labels)}`, [...at, 'by', byIndex]);
          }
        }
      });
    });
  }
}

/** Matchers name labels of the metric and values those labels allow. */
export function checkMatchers(
  context: RuleContext,
  matchers: NonNullable<RawRatio['match']> | undefined,
  metricLabels: readonly string[],
  at: readonly (string | number)[],
  metricName: string,
): void {
  for (const [id, written] of Object.entries(matchers ?? {})) {
    if (!metricLabels.includes(id)) {
      context.error('matcher-label', `"${id}" is not a label of ${metricName}${labelIdHint(context, id, metricLabels)}`, [...at, id], { key: true });
      continue;
    }
    const label = context.label(id);
    // A label that learns its values may take the matched value at run time.
    if (!label || label.learned) continue;
    const negated = typeof written === 'object' && !Array.isArray(written);
    const selected = negated ? written.not : written;
    const base = negated ? [...at, id, 'not'] : [...at, id];
    const values = typeof selected === 'string' ? [selected] : selected;
    const allowed = label.overflow === undefined ? (label.values ?? []) : [...(label.values ?? []), label.overflow];
    values.forEach((value, index) => {
      if (!allowed.includes(value)) {
        context.error(
          'matcher-value',
          `${JSON.stringify(value)} is not an allowed value of label ${id} (allowed: ${allowed.map((v) => JSON.stringify(v)).join(', ')})`,
          typeof selected === 'string' ? base : [...base, index],
        );
      }
    });
    if (negated && allowed.every((value) => values.includes(value))) {
      context.error('matcher-empty', `${id}: not ${values.map((v) => JSON.stringify(v)).join(', ')} leaves no value of the label, so nothing is selected`, [...at, id]);
    }
  }
}

/** summary figures name an existing histogram (average), counter (total) or ratio. */
export function summaryRules(context: RuleContext): void {
  const ratios = new Set(context.metrics().flatMap(([, metric]) => (metric.ratios ?? []).map((r) => r.name)));
  for (const [id, figure] of Object.entries(context.raw.summary ?? {})) {
    const at = ['summary', id];
    if ('ratio' in figure) {
      if (!ratios.has(figure.ratio)) context.error('summary-reference', `summary ${id}: no metric declares the ratio "${figure.ratio}"`, [...at, 'ratio']);
      continue;
    }
    const [slot, key, type] = 'average' in figure ? (['average', figure.average, 'histogram'] as const) : (['total', figure.total, 'counter'] as const);
    const metric = context.metric(key);
    if (!metric) context.error('summary-reference', `summary ${id}: "${key}" is not a metric of the catalogue`, [...at, slot]);
    else if (metric.type !== type) context.error('summary-reference', `summary ${id}: ${slot} needs a ${type}, and ${context.fullName(key)} is a ${metric.type}`, [...at, slot]);
  }
}
