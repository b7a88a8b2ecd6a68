import { runbookUrl } from '../../conventions.js';
import type { Catalog, CustomAlertModel, CustomRuleModel } from '../../catalog/model.js';

/** A custom rule as Prometheus reads it; serialized as-is, keys in this order. */
type CustomRule =
  | { readonly record: string; readonly expr: string; readonly labels?: Readonly<Record<string, string>> }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly annotations: Readonly<Record<string, string>>;
    };

/** The custom rules' groups, which follow the generated ones in the rule file. */
export function customRuleGroups(catalog: Catalog): { readonly name: string; readonly rules: readonly CustomRule[] }[] {
  return catalog.customRuleGroups.map((group) => ({ name: group.name, rules: group.rules.map((rule) => customRule(catalog, rule)) }));
}

function customRule(catalog: Catalog, rule: CustomRuleModel): CustomRule {
  const labels = Object.fromEntries(rule.labels.map((l) => [l.name, l.value]));
  if (rule.kind === 'record') return rule.labels.length === 0 ? { record: rule.name, expr: rule.expr } : { record: rule.name, expr: rule.expr, labels };
  const annotations = {
    summary: rule.summary,
    description: rule.description ?? defaultDescription(rule),
    ...(catalog.runbookUrl === undefined ? {} : { runbook_url: runbookUrl(catalog.runbookUrl, rule.name) }),
    ...Object.fromEntries(rule.annotations.map((a) => [a.name, a.value])),
  };
  return { alert: rule.name, expr: rule.expr, for: rule.for, labels: { severity: rule.severity, ...labels }, annotations };
}

/** The labels the expression keeps (those known), then its value. */
function defaultDescription(rule: CustomAlertModel): string {
  const added = new Set(rule.labels.map((l) => l.name));
  const shown = (rule.outputLabels ?? []).filter((l) => !added.has(l.name) && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.name)).map((l) => `${l.name}={{ $labels.${l.name} }}`);
  return `${shown.length > 0 ? `${shown.join(' ')}: ` : ''}the expression of ${rule.name} is {{ $value | printf "%.3g" }}.`;
}
