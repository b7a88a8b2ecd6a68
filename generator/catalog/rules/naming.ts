import { droppedMetricKey, UNIT_SUFFIX } from '../../conventions.js';
import { labelNameOf } from '../defaults.js';
import type { RuleContext } from './context.js';

const UNIT_ABBREVIATIONS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);
const TYPE_WORDS = new Set(['counter', 'gauge', 'histogram', 'summary']);
const RESERVED_SUFFIXES = ['_count', '_sum', '_bucket', '_created', '_gcount', '_gsum'];
const RESERVED_LABELS = new Set(['le', 'quantile', 'job', 'instance']);
const BASE_UNITS = ['seconds', 'bytes', 'meters', 'metres', 'grams', 'volts', 'amperes', 'joules', 'celsius', 'kelvin'];
const SCALE_PREFIXES = ['nano', 'micro', 'milli', 'centi', 'deci', 'kilo', 'mega', 'giga', 'tera', 'peta', 'kibi', 'mebi', 'gibi', 'tebi'];
/** Name parts that are units a base unit replaces. */
const NON_BASE_UNITS: Readonly<Record<string, string>> = {
  minutes: 'seconds',
  minute: 'seconds',
  hours: 'seconds',
  hour: 'seconds',
  days: 'seconds',
  day: 'seconds',
  weeks: 'seconds',
  years: 'seconds',
  bits: 'bytes',
  percent: 'ratio',
  percentage: 'ratio',
  pct: 'ratio',
  fahrenheit: 'celsius',
  feet: 'meters',
  inches: 'meters',
  miles: 'meters',
  pounds: 'grams',
  ounces: 'grams',
  watts: 'joules',
  calories: 'joules',
};

/** What `promtool check metrics` (client_golang's promlint) would flag, caught in the catalogue. */
export function namingRules(context: RuleContext): void {
  const namespace = context.raw.namespace;
  for (const [key, metric] of context.metrics()) {
    const at = ['metrics', key];
    const name = context.fullName(key);
    const parts = key.split('_');

    if (key === droppedMetricKey()) {
      context.error('reserved-name', `${name} is the exporter's own counter of dropped recording calls; choose another name`, at, { key: true });
    }
    if (key === namespace || key.startsWith(`${namespace}_`)) {
      context.error(
        'namespace-prefix',
        `metric key "${key}" already starts with the namespace; keys are names without it (this one would be exposed as ${name})`,
        at,
        { key: true },
      );
    }
    for (const part of parts) {
      if (TYPE_WORDS.has(part)) {
        context.error('name-type-word', `${name}: a metric name should not include its type ("${part}")`, at, { key: true });
      }
      if (UNIT_ABBREVIATIONS.has(part)) {
        context.error('name-unit-abbreviation', `${name}: "${part}" is an abbreviated unit; spell out the base unit (seconds, bytes)`, at, { key: true });
      }
      const base = baseUnitFor(part);
      if (base !== undefined) {
        context.error('name-base-unit', `${name}: use the base unit "${base}" instead of "${part}"`, at, { key: true });
      }
    }

    const endsTotal = key.endsWith('_total');
    if (metric.type === 'counter' && !endsTotal) {
      context.error('counter-total-suffix', `${name}: a counter's name must end with "_total"`, at, { key: true });
    }
    if (metric.type !== 'counter' && endsTotal) {
      context.error('total-suffix-reserved', `${name}: only counters end with "_total" (this is a ${metric.type})`, at, { key: true });
    }
    const stem = endsTotal ? key.slice(0, -'_total'.length) : key;
    for (const suffix of RESERVED_SUFFIXES) {
      if (stem.endsWith(suffix)) {
        context.error(
          'reserved-suffix',
          `${name}: the suffix "${suffix}" is reserved for series that histograms and summaries produce`,
          at,
          { key: true },
        );
      }
    }

    const wanted = UNIT_SUFFIX[metric.unit];
    if (wanted !== undefined && !stem.endsWith(`_${wanted}`)) {
      context.error('unit-suffix', `${name}: unit ${metric.unit} requires the name to end with "_${wanted}"${endsTotal ? ' before "_total"' : ''}`, [...at, 'unit']);
    }
    for (const [unit, suffix] of Object.entries(UNIT_SUFFIX)) {
      if (suffix !== undefined && unit !== metric.unit && stem.endsWith(`_${suffix}`)) {
        context.error('unit-suffix', `${name}: the name ends with "_${suffix}" but the unit is ${metric.unit}, not ${unit}`, [...at, 'unit']);
      }
    }

    if (metric.help.trim() === '') context.error('help-missing', `${name}: help is blank`, [...at, 'help']);
  }

  for (const [id, label] of Object.entries(context.raw.labels)) {
    const exposed = labelNameOf(id, label);
    if (RESERVED_LABELS.has(exposed)) {
      const why =
        exposed === 'le' || exposed === 'quantile'
          ? 'is reserved for histogram and summary buckets'
          : 'is set by Prometheus from the scrape target, which would rename this one to exported_' + exposed;
      context.error('reserved-label', `label name "${exposed}" ${why}`, ['labels', id, ...(label.name ? ['name'] : [])], {
        key: label.name === undefined,
      });
    }
  }
}

function baseUnitFor(part: string): string | undefined {
  if (Object.hasOwn(NON_BASE_UNITS, part)) return NON_BASE_UNITS[part];
  for (const prefix of SCALE_PREFIXES) {
    if (!part.startsWith(prefix)) continue;
    const rest = part.slice(prefix.length);
    const base = BASE_UNITS.find((unit) => rest === unit || rest === unit.replace(/s$/, ''));
    if (base !== undefined) return base;
  }
  return undefined;
}
