import type { Catalog } from '../../../generator/catalog/model.js';
import { editedCatalog } from './dashboard.js';

/**
 * The project catalogue with every kind of panel hint: hide, title, description, unit, quantiles
 * and split_by (including an empty split), on metrics of each type.
 */
export function hintedCatalog(): Catalog {
  return editedCatalog((raw) => {
    const metric = (key: string) => {
      const found = raw.metrics[key];
      if (!found) throw new Error(`metrics.yaml no longer has ${key}`);
      return found;
    };
    metric('type_errors_total').panel = { hide: true };
    metric('cache_size_bytes').panel = { split_by: [], title: 'Cache footprint', description: 'Bytes held by all cache layers.', unit: 'decbytes' };
    metric('task_cost_usd').panel = { quantiles: [0.9], title: 'Task cost', description: 'What one task costs.' };
    metric('agent_latency_seconds').panel = { split_by: [] };
    metric('api_cost_usd_total').panel = { split_by: ['agent_operation'], unit: 'currencyEUR', title: 'Spend by operation' };
    metric('database_queries_total').panel = { split_by: [] };
  });
}
