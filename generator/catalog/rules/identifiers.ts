import {
  eventTypeName,
  GENERATED_MODULE_NAMES,
  labelIndexFunctionName,
  labelSpecConstName,
  labelTypeName,
  metricLabelsTypeName,
  metricPropertyName,
} from '../../conventions.js';
import type { RuleContext } from './context.js';

/** Members of the object createMetrics() returns besides the metrics. */
const METRICS_MEMBERS = ['summary', 'reset', 'runtime'];

/**
 * Every identifier generated/metrics.ts derives from a catalogue name is distinct, and none is one
 * the module declares or imports anyway; otherwise the generated code would not compile.
 */
export function identifierRules(context: RuleContext): void {
  const owners = new Map<string, string>(GENERATED_MODULE_NAMES.map((name) => [name, 'the generated module itself']));
  const claim = (identifier: string, owner: string, path: (string | number)[]): void => {
    const previous = owners.get(identifier);
    if (previous !== undefined && previous !== owner) {
      context.error('generated-name-collision', `${owner} would generate the TypeScript name ${identifier}, which ${previous} already uses; rename one`, path, { key: true });
    } else owners.set(identifier, owner);
  };
  const used = new Set(context.metrics().flatMap(([, metric]) => metric.labels ?? []));
  for (const id of Object.keys(context.raw.labels)) {
    if (!used.has(id)) continue; // unused labels generate nothing
    for (const identifier of [labelTypeName(id), labelSpecConstName(id), labelIndexFunctionName(id)]) claim(identifier, `label ${id}`, ['labels', id]);
  }
  for (const [key, metric] of context.metrics()) {
    if ((metric.labels ?? []).length > 0) claim(metricLabelsTypeName(key), `metric ${key}`, ['metrics', key]);
    const property = metricPropertyName(key);
    if (METRICS_MEMBERS.includes(property)) {
      context.error('generated-name-collision', `metric ${key} would be metrics.${property}, which is already a method of the metrics object; rename it`, ['metrics', key], { key: true });
    }
  }
  for (const id of Object.keys(context.raw.events ?? {})) claim(eventTypeName(id), `event ${id}`, ['events', id]);
}
