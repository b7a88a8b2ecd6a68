import { metricFullName } from '../../conventions.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedCatalog } from '../load.js';
import type { RawCatalog, RawLabel, RawMetric } from '../raw.js';

/** What every rule sees: the schema-valid catalogue and a way to report at a node. */
export class RuleContext {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly raw: RawCatalog,
    private readonly loaded: LoadedCatalog,
  ) {}

  /** With `offset`: at that character of the string at `path` (a PromQL expression). */
  error(rule: string, message: string, path: readonly (string | number)[], options: { key?: boolean; offset?: number } = {}): void {
    this.diagnostics.push(this.loaded.diagnostic(rule, message, path, options));
  }

  warning(rule: string, message: string, path: readonly (string | number)[], options: { key?: boolean } = {}): void {
    this.diagnostics.push(this.loaded.diagnostic(rule, message, path, { ...options, severity: 'warning' }));
  }

  metrics(): [string, RawMetric][] {
    return Object.entries(this.raw.metrics);
  }

  label(id: string): RawLabel | undefined {
    return Object.hasOwn(this.raw.labels, id) ? this.raw.labels[id] : undefined;
  }

  metric(key: string): RawMetric | undefined {
    return Object.hasOwn(this.raw.metrics, key) ? this.raw.metrics[key] : undefined;
  }

  fullName(key: string): string {
    return metricFullName(this.raw.namespace, key);
  }
}

export type Rule = (context: RuleContext) => void;
