import { stringify } from 'yaml';
import { generatedHeader, pascalCase } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';

export const PROVISIONING_FILE = 'dashboards/provisioning/dashboards.yaml';

/** Where Grafana is expected to find the `dashboards/` folder (mount it there). */
export function grafanaDashboardsPath(namespace: string): string {
  return `/var/lib/grafana/dashboards/${namespace}`;
}

/** A Grafana file provider loading every dashboard JSON of the folder, read-only. */
export function emitProvisioning(catalog: Catalog): string {
  const provider = {
    apiVersion: 1,
    providers: [
      {
        name: catalog.namespace,
        orgId: 1,
        folder: pascalCase(catalog.namespace),
        folderUid: catalog.namespace,
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: grafanaDashboardsPath(catalog.namespace), foldersFromFilesStructure: false },
      },
    ],
  };
  return `${generatedHeader(catalog.sourceFile, '#')}\n${stringify(provider, { lineWidth: 0 })}`;
}
