import { operationOf } from '../defaults.js';
import type { Operation } from '../defaults.js';
import type { RuleContext } from './context.js';
import { labelIdHint } from './label-hint.js';

const ALLOWED: Readonly<Record<Operation, readonly string[]>> = {
  inc: ['counter', 'gauge'],
  dec: ['gauge'],
  set: ['gauge'],
  observe: ['histogram'],
};

/** Events bind every label of every metric they record, from a typed field or a fixed value. */
export function eventRules(context: RuleContext): void {
  for (const [eventId, event] of Object.entries(context.raw.events ?? {})) {
    const at = ['events', eventId];
    const usedFields = new Set<string>();
    for (const [fieldId, field] of Object.entries(event.fields)) {
      if ('label' in field && !context.label(field.label)) {
        context.error('event-field-label', `event ${eventId}: field ${fieldId} names label "${field.label}", which is not defined under labels${labelIdHint(context, field.label)}`, [...at, 'fields', fieldId, 'label']);
      }
    }
    event.records.forEach((record, index) => {
      const recordAt = [...at, 'records', index];
      const { operation, metric: key } = operationOf(record);
      const metric = context.metric(key);
      if (!metric) {
        context.error('event-metric-undefined', `event ${eventId}: "${key}" is not a metric of the catalogue`, [...recordAt, operation]);
        return;
      }
      const name = context.fullName(key);
      if (!ALLOWED[operation].includes(metric.type)) {
        context.error('event-operation-type', `event ${eventId}: cannot ${operation} ${name}, a ${metric.type}`, [...recordAt, operation]);
      }

      const needsValue = operation === 'observe' || operation === 'set';
      if (needsValue && record.value === undefined) {
        context.error('event-value-missing', `event ${eventId}: ${operation} ${name} needs a value field`, recordAt);
      }
      if (!needsValue && record.value !== undefined) {
        context.error('event-value-unexpected', `event ${eventId}: ${operation} takes "by", not "value"`, [...recordAt, 'value'], { key: true });
      }
      if (needsValue && record.by !== undefined) {
        context.error('event-value-unexpected', `event ${eventId}: ${operation} takes "value", not "by"`, [...recordAt, 'by'], { key: true });
      }
      for (const slot of ['value', 'by'] as const) {
        const fieldId = record[slot];
        if (fieldId === undefined) continue;
        usedFields.add(fieldId);
        const field = Object.hasOwn(event.fields, fieldId) ? event.fields[fieldId] : undefined;
        if (!field) {
          context.error('event-field-undefined', `event ${eventId}: field "${fieldId}" is not declared in fields`, [...recordAt, slot]);
        } else if (!('type' in field)) {
          context.error('event-field-type', `event ${eventId}: field "${fieldId}" is a label, but ${slot} needs a number`, [...recordAt, slot]);
        }
      }

      const metricLabels = metric.labels ?? [];
      for (const mapped of Object.keys(record.labels ?? {})) {
        if (!metricLabels.includes(mapped)) {
          context.error('event-label-unknown', `event ${eventId}: "${mapped}" is not a label of ${name}`, [...recordAt, 'labels', mapped], { key: true });
        }
      }
      for (const labelId of metricLabels) {
        const binding = record.labels?.[labelId];
        const label = context.label(labelId);
        if (typeof binding === 'string') {
          // A label that learns its values takes a fixed value it does not declare at run time.
          if (label && !label.learned && !(label.values ?? []).includes(binding) && label.overflow !== binding) {
            context.error('event-label-value', `event ${eventId}: ${JSON.stringify(binding)} is not an allowed value of label ${labelId}`, [...recordAt, 'labels', labelId]);
          }
          continue;
        }
        if (!label) continue; // reported by label-undefined
        const fieldId = binding?.field ?? labelId;
        const field = Object.hasOwn(event.fields, fieldId) ? event.fields[fieldId] : undefined;
        const bindingAt = binding ? [...recordAt, 'labels', labelId, 'field'] : recordAt;
        if (!field) {
          context.error('event-label-unbound', `event ${eventId}: label ${labelId} of ${name} needs a field "${fieldId}" or a value under labels`, bindingAt);
          continue;
        }
        usedFields.add(fieldId);
        if (!('label' in field)) {
          context.error('event-field-type', `event ${eventId}: field "${fieldId}" is a number, but label ${labelId} needs a label field`, bindingAt);
          continue;
        }
        const source = context.label(field.label);
        if (source && label && (!sameValues(source.values ?? [], source.overflow, label.values ?? [], label.overflow) || source.learned?.max !== label.learned?.max)) {
          context.error(
            'event-label-mismatch',
            `event ${eventId}: field "${fieldId}" takes values of label ${field.label}, which differ from those of label ${labelId} of ${name}`,
            bindingAt,
          );
        }
      }
    });
    for (const fieldId of Object.keys(event.fields)) {
      if (!usedFields.has(fieldId)) context.warning('event-field-unused', `event ${eventId}: field ${fieldId} is not recorded`, [...at, 'fields', fieldId], { key: true });
    }
  }
}

function sameValues(a: readonly string[], aOverflow: string | undefined, b: readonly string[], bOverflow: string | undefined): boolean {
  return aOverflow === bOverflow && a.length === b.length && a.every((value, index) => value === b[index]);
}
