import { stringify } from 'yaml';
import { generatedHeader, grafanaDashboardsPath } from '../../conventions.js';
import type { Catalog } from '../../catalog/model.js';

export { PROVISIONING_FILE } from '../../conventions.js';

export { grafanaDashboardsPath } from '../../conventions.js';

/** A Grafana file provider loading every dashboard JSON of the folder, read-only. */
export function emitProvisioning(catalog: Catalog): string {
  const provider = {
    apiVersion: 1,
    providers: [
      {
        name: catalog.namespace,
        orgId: 1,
        folder: catalog.dashboardFolder,
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
