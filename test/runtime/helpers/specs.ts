/**
 * Hand-built specs for the runtime tests: what the generator would emit for a small catalogue.
 */
import type { MetricSpec } from '../../../runtime/index.js';

export const CALLS = 0;
export const QUEUE = 1;
export const LATENCY = 2;
export const ODD = 3;
export const COST = 4;
export const SCRAPE = 5;

/** Help text with every character the formats have to escape, and some non-ASCII. */
export const ODD_HELP = 'Back\\slash, "quoted"\nsecond line: naïve ✓ 日本';
/** Label values with a quote, a backslash, a newline and non-ASCII. */
export const ODD_VALUES = ['a"b', 'c\\d', 'e\nf', 'ü✓'] as const;

export const SPECS: readonly MetricSpec[] = [
  {
    name: 'test_agent_calls_total',
    type: 'counter',
    help: 'Agent calls.',
    unit: '',
    labels: [
      { name: 'agent', values: ['claude', 'gemini', 'other'], overflow: 'other' },
      { name: 'operation', values: ['plan', 'code'] },
    ],
  },
  {
    name: 'test_queue_depth',
    type: 'gauge',
    help: 'Tasks waiting.',
    unit: '',
    labels: [{ name: 'queue', values: ['fast', 'slow'] }],
  },
  {
    name: 'test_latency_seconds',
    type: 'histogram',
    help: 'Agent latency.',
    unit: 'seconds',
    labels: [{ name: 'agent', values: ['claude', 'gemini'] }],
    buckets: [0.005, 0.5, 1, 2.5, 10],
  },
  {
    name: 'test_odd_ratio',
    type: 'gauge',
    help: ODD_HELP,
    unit: 'ratio',
    labels: [{ name: 'kind', values: ODD_VALUES }],
  },
  { name: 'test_cost_usd_total', type: 'counter', help: 'Money spent.', unit: 'usd', labels: [] },
  {
    name: 'test_scrape_duration_seconds',
    type: 'histogram',
    help: 'Time to render an exposition.',
    unit: 'seconds',
    labels: [],
    buckets: [0.001, 0.01, 0.1, 1],
  },
];

/** Samples each metric must expose: series, times buckets + 3 for a histogram. */
export function expectedSampleCount(spec: MetricSpec): number {
  const series = spec.labels.reduce((n, l) => n * l.values.length, 1);
  return spec.type === 'histogram' ? series * ((spec.buckets?.length ?? 0) + 3) : series;
}
