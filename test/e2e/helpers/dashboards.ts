/**
 * The queries of the generated dashboards as Grafana would send them: every target of every panel
 * (rows' nested panels included), with the dashboard's variables and Grafana's built-in ones
 * substituted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface PanelJson {
  readonly type?: string;
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string }[];
  readonly panels?: readonly PanelJson[];
}

interface DashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly { readonly name: string; readonly type: string; readonly query?: unknown; readonly allValue?: string }[] };
}

export interface DashboardQuery {
  /** `lazybird-quality.json › Task success (A)`, for messages. */
  readonly where: string;
  /** As written in the dashboard. */
  readonly expr: string;
  /** With every variable substituted. */
  readonly promql: string;
}

export interface VariableQuery {
  readonly where: string;
  readonly label: string;
  /** The series selector of `label_values(selector, label)`, variables substituted. */
  readonly selector: string;
}

export interface DashboardQueries {
  readonly files: readonly string[];
  readonly targets: readonly DashboardQuery[];
  readonly variables: readonly VariableQuery[];
  /** Variables met in a query that neither the dashboard nor Grafana defines. */
  readonly unknownVariables: readonly string[];
}

/**
 * Grafana's interval variables, as a range that holds data at the test's 1 s scrape interval.
 * `$__rate_interval` is at least four scrape intervals in Grafana; 30 s is comfortably more.
 */
export const BUILTIN_RANGES: Readonly<Record<string, string>> = {
  __rate_interval: '30s',
  __interval: '30s',
  __range: '1m',
};

/** A dashboard variable with "All" selected matches any value. */
export const ALL = '.+';

export function loadDashboardQueries(dir: string): DashboardQueries {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const targets: DashboardQuery[] = [];
  const variables: VariableQuery[] = [];
  const unknown = new Set<string>();
  for (const file of files) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardJson;
    const defined = new Map((dashboard.templating?.list ?? []).map((v) => [v.name, v.allValue ?? ALL]));
    const substitute = (expr: string): string =>
      expr.replace(/\$\{([A-Za-z_]\w*)(?::[\w]+)?\}|\[\[([A-Za-z_]\w*)(?::[\w]+)?\]\]|\$([A-Za-z_]\w*)/g, (whole, braced?: string, bracketed?: string, plain?: string) => {
        const name = braced ?? bracketed ?? plain ?? '';
        const value = BUILTIN_RANGES[name] ?? defined.get(name);
        if (value === undefined) {
          unknown.add(`${file}: ${whole}`);
          return whole;
        }
        return value;
      });

    const walk = (panels: readonly PanelJson[] | undefined): void => {
      for (const panel of panels ?? []) {
        for (const target of panel.targets ?? []) {
          if (target.expr === undefined || target.expr.trim() === '') continue;
          targets.push({ where: `${file} › ${panel.title ?? panel.type ?? 'panel'} (${target.refId ?? '?'})`, expr: target.expr, promql: substitute(target.expr) });
        }
        walk(panel.panels);
      }
    };
    walk(dashboard.panels);

    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const text = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
      const match = /^\s*label_values\((.+),\s*([A-Za-z_]\w*)\s*\)\s*$/s.exec(text ?? '');
      if (!match?.[1] || !match[2]) throw new Error(`${file}: variable ${variable.name} is not a label_values() query: ${text}`);
      variables.push({ where: `${file} › $${variable.name}`, label: match[2], selector: substitute(match[1]) });
    }
  }
  return { files, targets, variables, unknownVariables: [...unknown] };
}
