/**
 * Assembles a whole exposition: our families from their typed arrays, then the metrics held by
 * prom-client (default process metrics, users' own), which arrive as prom-client JSON.
 *
 * prom-client's metrics are rendered here rather than by `Registry#metrics()` for two reasons: that
 * method renames counters in place when asked for OpenMetrics (a later text scrape would then lose
 * `_total`), and it writes `le="1"` where OpenMetrics wants the canonical `1.0`. One renderer for
 * both sources also keeps the two halves of a response consistent.
 */
import type { ExemplarStore } from './exemplars.js';
import type { Family, TextExpositionFormat } from './family.js';
import {
  escapeHelpOpenMetrics,
  escapeHelpText,
  escapeLabelValue,
  formatOpenMetricsFloat,
  formatValue,
} from './format.js';
import type { PromMetricJSON } from './json.js';
import { counterSampleName, familyName, histogramExposesSum } from './names.js';

const FOREIGN_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);

/**
 * Renders a complete exposition in a text format. `data[i]` holds the values of `families[i]`, and
 * `exemplars[i]` its exemplars (OpenMetrics only).
 */
export function renderExposition(
  families: readonly Family[],
  data: readonly Float64Array[],
  foreign: readonly PromMetricJSON[],
  format: TextExpositionFormat,
  exemplars: readonly (ExemplarStore | undefined)[] = [],
): string {
  const out: string[] = [];
  families.forEach((family, i) => family.render(data[i]!, format, out, exemplars[i]));
  for (const metric of foreignMetricsToServe(families, foreign)) renderForeign(metric, format, out);
  if (format === 'openmetrics') out.push('# EOF\n');
  return out.join('');
}

/**
 * The foreign metrics an exposition serves after `families`, in order. Those whose names clash with
 * one of ours (or with an earlier foreign one) are left out: two families of one name would make the
 * whole scrape invalid, and ours are the ones the catalogue vouches for.
 */
export function foreignMetricsToServe(families: readonly Family[], foreign: readonly PromMetricJSON[]): PromMetricJSON[] {
  const taken = new Set<string>();
  for (const family of families) taken.add(family.name).add(family.family);
  const served: PromMetricJSON[] = [];
  for (const metric of foreign) {
    const counterFamily = familyName(metric.name, metric.type);
    if (taken.has(metric.name) || taken.has(counterFamily)) continue;
    taken.add(metric.name).add(counterFamily);
    served.push(metric);
  }
  return served;
}

function renderForeign(metric: PromMetricJSON, format: TextExpositionFormat, out: string[]): void {
  const om = format === 'openmetrics';
  const type = FOREIGN_TYPES.has(metric.type) ? metric.type : om ? 'unknown' : 'untyped';
  const isCounter = type === 'counter';
  const family = om && isCounter ? familyName(metric.name, 'counter') : metric.name;
  const help = om ? escapeHelpOpenMetrics(String(metric.help)) : escapeHelpText(String(metric.help));
  out.push(`# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`);
  // Which label holds a float, written in the canonical form in both formats (see Family: `le`).
  const floatLabel = type === 'histogram' ? 'le' : type === 'summary' ? 'quantile' : undefined;
  // A prom-client histogram with a negative bound gets the same treatment as ours: buckets only.
  const bucketsOnly = type === 'histogram' && !histogramExposesSum(negativeBoundProbe(metric));
  for (const sample of metric.values ?? []) {
    if (bucketsOnly && sample.metricName !== undefined && sample.metricName !== `${metric.name}_bucket`) continue;
    // prom-client names counter samples after the metric; OpenMetrics insists on the _total suffix.
    const sampleName = om && isCounter ? counterSampleName(family) : (sample.metricName ?? metric.name);
    const pairs: string[] = [];
    for (const [name, raw] of Object.entries(sample.labels ?? {})) {
      if (raw === undefined) continue;
      let value: string;
      if (name === floatLabel && typeof raw === 'number') {
        value = formatOpenMetricsFloat(raw);
      } else {
        value = escapeLabelValue(String(raw));
      }
      pairs.push(`${name}="${value}"`);
    }
    const labels = pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
    out.push(`${sampleName}${labels} ${formatValue(Number(sample.value))}\n`);
  }
}

/** The numeric `le` bounds of a foreign histogram's samples, enough to tell whether one is negative. */
function negativeBoundProbe(metric: PromMetricJSON): number[] {
  const bounds: number[] = [];
  for (const sample of metric.values ?? []) {
    const le = sample.labels?.['le'];
    const bound = typeof le === 'number' ? le : typeof le === 'string' ? Number(le) : NaN;
    if (bound < 0) bounds.push(bound);
  }
  return bounds;
}
