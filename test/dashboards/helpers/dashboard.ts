/** The parts of Grafana's dashboard JSON model the tests read. */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { compileCatalog } from '../../../generator/catalog/index.js';
import { formatDiagnostic } from '../../../generator/catalog/diagnostics.js';
import type { Catalog } from '../../../generator/catalog/model.js';
import type { RawCatalog } from '../../../generator/catalog/raw.js';
import { emitDashboards } from '../../../generator/emit/dashboards/index.js';

export interface DataSourceJson {
  readonly type?: string;
  readonly uid?: string;
}

export interface VariableJson {
  readonly type: string;
  readonly name: string;
  readonly label?: string;
  readonly query?: unknown;
  readonly datasource?: DataSourceJson;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
}

export interface TargetJson {
  readonly expr?: string;
  readonly refId?: string;
  readonly legendFormat?: string;
  readonly format?: string;
  readonly datasource?: DataSourceJson;
}

export interface PanelJson {
  readonly type: string;
  readonly id?: number;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: DataSourceJson;
  readonly targets?: readonly TargetJson[];
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly collapsed?: boolean;
  readonly panels?: readonly PanelJson[];
  readonly options?: {
    readonly yAxis?: { readonly unit?: string };
    readonly legend?: { readonly showLegend?: boolean; readonly show?: boolean };
    readonly calculate?: boolean;
  };
  readonly fieldConfig?: {
    readonly defaults?: { readonly unit?: string; readonly min?: number; readonly max?: number };
    readonly overrides?: readonly { readonly matcher: { readonly id: string; readonly options?: unknown }; readonly properties: readonly { readonly id: string; readonly value?: unknown }[] }[];
  };
}

export interface LinkJson {
  readonly type: string;
  readonly tags?: readonly string[];
  readonly includeVars?: boolean;
  readonly keepTime?: boolean;
}

export interface DashboardJson {
  readonly description?: string;
  readonly title: string;
  readonly uid: string;
  readonly editable?: boolean;
  readonly tags?: readonly string[];
  readonly links?: readonly LinkJson[];
  readonly templating: { readonly list: readonly VariableJson[] };
  readonly panels: readonly PanelJson[];
}

/** Panels that are not rows, including those nested in collapsed rows. */
export function panelsOf(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? [...(panel.panels ?? [])] : [panel]));
}

/** Panels that query the data source (everything but rows and text). */
export function queryPanelsOf(dashboard: DashboardJson): PanelJson[] {
  return panelsOf(dashboard).filter((panel) => panel.type !== 'text');
}

export function variableNames(dashboard: DashboardJson): Set<string> {
  return new Set(dashboard.templating.list.map((v) => v.name));
}

export const CATALOG_FILE = new URL('../../../metrics.yaml', import.meta.url);

/** Compile a catalogue text the way the CLI does; throw its diagnostics if it is invalid. */
export function compile(text: string): Catalog {
  const { catalog, diagnostics } = compileCatalog(text, 'metrics.yaml');
  if (!catalog) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return catalog;
}

export function projectCatalog(): Catalog {
  return compile(readFileSync(CATALOG_FILE, 'utf8'));
}

/** The project catalogue with some edits (panel hints, group order, ...). */
export function editedCatalog(edit: (raw: RawCatalog) => void): Catalog {
  const raw = parse(readFileSync(CATALOG_FILE, 'utf8')) as RawCatalog;
  edit(raw);
  return compile(stringify(raw));
}

export interface Emitted {
  readonly files: Map<string, string>;
  /** Dashboard JSON by file path, in emitted order. */
  readonly dashboards: Map<string, DashboardJson>;
}

export function emit(catalog: Catalog): Emitted {
  const files = emitDashboards(catalog);
  const dashboards = new Map([...files].filter(([path]) => path.endsWith('.json')).map(([path, text]) => [path, JSON.parse(text) as DashboardJson]));
  return { files, dashboards };
}
