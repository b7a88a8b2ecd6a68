/**
 * One catalogue per rule: the minimal valid catalogue broken in exactly one way, checked for the
 * rule id, severity, a piece of the message and the line:col of the node at fault, all worked out
 * from the YAML written here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../../generator/catalog/index.js';
import { MAX_ALIAS_COUNT, MAX_CATALOG_BYTES } from '../../generator/catalog/load.js';
import { BASE, catalogue, label, metric, positionOf } from '../helpers/catalogue.js';
import type { Anchor } from '../helpers/catalogue.js';

const FILE = 'metrics.yaml';

interface Case {
  readonly rule: string;
  /** What the case shows, when a rule has several cases. */
  readonly title?: string;
  readonly text: string;
  readonly message: readonly (string | RegExp)[];
  readonly severity?: 'error' | 'warning';
  readonly at: Anchor;
}

const withMetric = (block: string): string => catalogue({ metrics: BASE.metrics + block });
const withEvents = (events: string): string => catalogue({ events });
const requestsWith = (lines: string): string =>
  catalogue({ metrics: BASE.metrics.replace('    labels: [method]\n', `    labels: [method]\n${lines}`) });
const durationWith = (lines: string): string =>
  catalogue({ metrics: BASE.metrics.replace('    buckets: [0.1, 0.5, 1]\n', `    buckets: [0.1, 0.5, 1]\n${lines}`) });
/** requests_total with one alert: the given keys, then a summary. */
const requestsAlert = (keys: string): string =>
  requestsWith(`    alerts:\n      - name: RequestsAlert\n${keys}        severity: warning\n        summary: Something is off.\n`);
const durationAlert = (keys: string): string =>
  durationWith(`    alerts:\n      - name: LatencyAlert\n${keys}        severity: warning\n        summary: Something is off.\n`);
/** The minimal catalogue with a `rules:` section. */
const withRules = (rules: string): string => catalogue({ tail: `rules:\n${rules}` });
/** A custom alert `Custom` in group main; `expr` is YAML as written after `expr: `. */
const customAlert = (expr: string, extra = ''): string =>
  `  - alert: Custom\n    group: main\n    expr: ${expr}\n    severity: warning\n    summary: Something is off.\n${extra}`;
const billionLaughs = (): string => {
  let out = 'lol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const alias = `*${names[i - 1]}`;
    out += `  ${names[i]}: &${names[i]} [${Array.from({ length: 10 }, () => alias).join(', ')}]\n`;
  }
  return out;
};

/** The label method, exposed as http_method. */
const EXPOSED_AS = BASE.labels.replace('    overflow: other\n', '    overflow: other\n    name: http_method\n');

const CASES: readonly Case[] = [
  // ------------------------------------------------------------------ the file itself
  {
    rule: 'yaml-syntax',
    text: catalogue({ groups: BASE.groups.replace('title: Main', 'title: Main: Section') }),
    message: ['mapping'],
    at: { line: 'title: Main: Section', col: 'Main: Section' },
  },
  {
    rule: 'yaml-duplicate-key',
    text: catalogue({ metrics: BASE.metrics.replace('    unit: count\n', '    unit: count\n    unit: none\n') }),
    message: ['unique'],
    at: { after: 'requests_total:', line: 'unit: none', col: 'unit' },
  },
  {
    rule: 'yaml-alias-limit',
    title: 'nested aliases that expand a billion times',
    text: catalogue({ tail: billionLaughs() }),
    message: ['alias', 'limit'],
    at: { line: '  b: &b', col: '*a' },
  },
  {
    rule: 'yaml-alias-limit',
    title: 'more alias nodes than the limit',
    text: catalogue({
      metrics: BASE.metrics.replace('help: Requests served.', 'help: &h Requests served.'),
      tail: `padding: [${Array.from({ length: MAX_ALIAS_COUNT + 1 }, () => '*h').join(', ')}]\n`,
    }),
    message: [`${MAX_ALIAS_COUNT + 1} aliases`, `limit of ${MAX_ALIAS_COUNT}`],
    at: { line: 'padding:', col: '*h' },
  },
  {
    rule: 'yaml-warning',
    text: catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: !shout Requests served.') }),
    message: ['!shout'],
    severity: 'warning',
    at: { line: 'help: !shout', col: '!shout' },
  },
  // ------------------------------------------------------------------ JSON Schema
  {
    rule: 'schema-unknown-key',
    text: catalogue({ metrics: BASE.metrics.replace('    help: Requests served.\n', '    help: Requests served.\n    halp: Typo.\n') }),
    message: ['unknown key "halp"', 'metrics.requests_total', 'help'],
    at: { line: 'halp: Typo.', col: 'halp' },
  },
  {
    rule: 'schema-unknown-key',
    title: 'at the top level',
    text: catalogue({ head: 'namespace: shop\nnamesapce: shop\n' }),
    message: ['unknown key "namesapce"'],
    at: { line: 'namesapce:' },
  },
  {
    rule: 'schema-missing-key',
    text: catalogue({ metrics: BASE.metrics.replace('    unit: count\n', '') }),
    message: ['metrics.requests_total', '"unit"'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'schema-missing-key',
    title: 'at the top level',
    text: catalogue({ head: '# no namespace\n' }),
    message: ['"namespace"'],
    at: { after: '# no namespace', line: 'labels:' },
  },
  {
    rule: 'help-missing',
    title: 'no help key',
    text: catalogue({ metrics: BASE.metrics.replace('    help: Requests served.\n', '') }),
    message: ['"help"'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'help-missing',
    title: 'empty help',
    text: catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: ""') }),
    message: ['metrics.requests_total.help', 'empty'],
    at: { line: 'help: ""', col: '""' },
  },
  {
    rule: 'help-missing',
    title: 'blank help',
    text: catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: "   "') }),
    message: ['shop_requests_total', 'blank'],
    at: { line: 'help: "   "', col: '"   "' },
  },
  {
    rule: 'schema-type',
    title: 'a string where a list is expected',
    text: catalogue({ metrics: BASE.metrics.replace('labels: [method]', 'labels: method') }),
    message: ['metrics.requests_total.labels', 'list', '"method"'],
    at: { line: 'labels: method', col: 'method' },
  },
  {
    rule: 'schema-type',
    title: 'a string where an integer is expected',
    text: catalogue({ groups: BASE.groups + '    order: first\n' }),
    message: ['groups.main.order', 'integer', '"first"'],
    at: { line: 'order: first', col: 'first' },
  },
  {
    rule: 'schema-type',
    title: 'a number where text is expected',
    text: catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: 42') }),
    message: ['metrics.requests_total.help', 'string', '42'],
    at: { line: 'help: 42', col: '42' },
  },
  {
    rule: 'schema-type',
    title: 'a fraction where an integer is expected',
    text: requestsWith('    series_limit: 1.5\n'),
    message: ['metrics.requests_total.series_limit', 'integer', '1.5'],
    at: { line: 'series_limit: 1.5', col: '1.5' },
  },
  {
    rule: 'schema-value',
    title: 'not one of the allowed values',
    text: catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary') }),
    message: ['metrics.requests_total.type', '"counter", "gauge", "histogram"'],
    at: { line: 'type: summary', col: 'summary' },
  },
  {
    rule: 'schema-value',
    title: 'a pattern that is not a name',
    text: catalogue({ head: 'namespace: shop\nrunbook_url: ftp://runbooks.example.com/{alert}\n' }),
    message: ['runbook_url'],
    at: { line: 'runbook_url:', col: 'ftp:' },
  },
  {
    rule: 'schema-value',
    title: 'below the minimum',
    text: requestsWith('    series_limit: 0\n'),
    message: ['metrics.requests_total.series_limit'],
    at: { line: 'series_limit: 0', col: '0' },
  },
  {
    rule: 'schema-value',
    title: 'empty text other than help',
    text: catalogue({ groups: BASE.groups.replace('title: Main', 'title: ""') }),
    message: ['groups.main.title', 'empty'],
    at: { line: 'title: ""', col: '""' },
  },
  {
    rule: 'schema-value',
    title: 'an infinite number outside buckets',
    text: catalogue({ groups: BASE.groups + '    order: .inf\n' }),
    message: ['groups.main.order', 'finite'],
    at: { line: 'order: .inf', col: '.inf' },
  },
  {
    rule: 'schema-shape',
    text: withEvents(BASE.events.replace('- { inc: requests_total }', '- { inc: requests_total, set: requests_total }')),
    message: ['events.request.records[0]', 'inc | dec | set | observe'],
    at: { line: '- { inc: requests_total, set:', col: '{' },
  },
  {
    rule: 'buckets-finite',
    text: catalogue({ metrics: BASE.metrics.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.1, 0.5, .inf]') }),
    message: ['metrics.request_duration_seconds.buckets[2]', 'finite'],
    at: { line: 'buckets: [0.1, 0.5, .inf]', col: '.inf' },
  },
  {
    rule: 'name-format',
    title: 'camelCase',
    text: withMetric(metric('queueDepth')),
    message: ['"queueDepth"', 'camelCase'],
    at: { line: '  queueDepth:', col: 'queueDepth' },
  },
  {
    rule: 'name-format',
    title: 'doubled underscore',
    text: withMetric(metric('queue__depth')),
    message: ['"queue__depth"', 'snake_case'],
    at: { line: '  queue__depth:', col: 'queue__depth' },
  },
  {
    rule: 'name-format',
    title: 'a group reference that is not snake_case',
    text: catalogue({ metrics: BASE.metrics.replace('group: main\n    help: Requests', 'group: Main\n    help: Requests') }),
    message: ['"Main"', 'metrics.requests_total.group'],
    at: { line: 'group: Main', col: 'Main' },
  },
  {
    rule: 'name-format',
    title: 'a snake_case name over the length limit',
    text: withMetric(metric(`${'queue_'.repeat(20)}depth`)),
    message: [/100/],
    at: { line: `  ${'queue_'.repeat(20)}depth:`, col: 'queue_' },
  },
  {
    rule: 'name-colon',
    text: withMetric(metric('queue:depth')),
    message: ['"queue:depth"', '":"'],
    at: { line: '  queue:depth:', col: 'queue:depth' },
  },
  {
    rule: 'label-reserved-prefix',
    text: catalogue({ labels: BASE.labels + label('__secret', '[a, b]') }),
    message: ['"__secret"', '"__"'],
    at: { line: '  __secret:', col: '__secret' },
  },
  {
    rule: 'label-reserved-prefix',
    title: 'in an exposed label name',
    text: catalogue({ labels: BASE.labels.replace('    description: HTTP', '    name: __method\n    description: HTTP') }),
    message: ['"__method"'],
    at: { line: 'name: __method', col: '__method' },
  },
  // ------------------------------------------------------------------ naming
  {
    rule: 'reserved-name',
    text: withMetric(metric('metrics_dropped_total', { type: 'counter', unit: 'count' })),
    message: ['shop_metrics_dropped_total'],
    at: { line: '  metrics_dropped_total:', col: 'metrics_dropped_total' },
  },
  {
    rule: 'namespace-prefix',
    text: withMetric(metric('shop_orders_total', { type: 'counter', unit: 'count' })),
    message: ['"shop_orders_total"', 'shop_shop_orders_total'],
    at: { line: '  shop_orders_total:', col: 'shop_orders_total' },
  },
  {
    rule: 'name-type-word',
    text: withMetric(metric('queue_gauge')),
    message: ['shop_queue_gauge', '"gauge"'],
    at: { line: '  queue_gauge:', col: 'queue_gauge' },
  },
  {
    rule: 'name-unit-abbreviation',
    text: withMetric(metric('latency_ms')),
    message: ['shop_latency_ms', '"ms"', 'abbreviated unit'],
    at: { line: '  latency_ms:', col: 'latency_ms' },
  },
  {
    rule: 'name-base-unit',
    text: withMetric(metric('uptime_minutes')),
    message: ['shop_uptime_minutes', '"seconds"', '"minutes"'],
    at: { line: '  uptime_minutes:', col: 'uptime_minutes' },
  },
  {
    rule: 'name-base-unit',
    title: 'a scaled unit',
    text: withMetric(metric('cache_megabytes')),
    message: ['shop_cache_megabytes', '"bytes"', '"megabytes"'],
    at: { line: '  cache_megabytes:', col: 'cache_megabytes' },
  },
  {
    rule: 'counter-total-suffix',
    text: withMetric(metric('orders', { type: 'counter', unit: 'count' })),
    message: ['shop_orders', '"_total"'],
    at: { line: '  orders:', col: 'orders' },
  },
  {
    rule: 'total-suffix-reserved',
    text: withMetric(metric('orders_total', { unit: 'count' })),
    message: ['shop_orders_total', 'gauge'],
    at: { line: '  orders_total:', col: 'orders_total' },
  },
  {
    rule: 'reserved-suffix',
    text: withMetric(metric('orders_count', { unit: 'count' })),
    message: ['shop_orders_count', '"_count"'],
    at: { line: '  orders_count:', col: 'orders_count' },
  },
  {
    rule: 'unit-suffix',
    title: 'the unit is missing from the name',
    text: withMetric(metric('queue_size', { unit: 'bytes' })),
    message: ['shop_queue_size', '"_bytes"'],
    at: { after: '  queue_size:', line: 'unit: bytes', col: 'bytes' },
  },
  {
    rule: 'unit-suffix',
    title: 'the name carries another unit',
    text: withMetric(metric('queue_bytes', { unit: 'none' })),
    message: ['shop_queue_bytes', '"_bytes"', 'none'],
    at: { after: '  queue_bytes:', line: 'unit: none', col: 'none' },
  },
  {
    rule: 'reserved-label',
    text: catalogue({ labels: BASE.labels + label('le', '[low, high]'), metrics: BASE.metrics + metric('queue_depth', { labels: '[le]' }) }),
    message: ['"le"', 'histogram'],
    at: { line: '  le:', col: 'le' },
  },
  {
    rule: 'reserved-label',
    title: 'an exposed name set by Prometheus',
    text: catalogue({
      labels: BASE.labels + label('node', '[a, b]', '    name: instance\n'),
      metrics: BASE.metrics + metric('queue_depth', { labels: '[node]' }),
    }),
    message: ['"instance"', 'exported_instance'],
    at: { line: 'name: instance', col: 'instance' },
  },
  // ------------------------------------------------------------------ labels and structure
  {
    rule: 'label-value-duplicate',
    text: catalogue({ labels: BASE.labels.replace('values: [get, post]', 'values: [get, post, get]') }),
    message: ['label method', '"get"'],
    at: { line: 'values: [get, post, get]', col: 'get]' },
  },
  {
    rule: 'label-value-format',
    text: catalogue({ labels: BASE.labels.replace('values: [get, post]', 'values: [get, "po\\u0001st"]') }),
    message: ['label method', 'U+0001', 'cannot hold'],
    at: { line: 'values: [get, "po', col: '"po' },
  },
  {
    rule: 'label-value-format',
    title: 'in the overflow value',
    text: catalogue({ labels: BASE.labels.replace('overflow: other', 'overflow: "oth\\ter"') }),
    message: ['label method', 'overflow', 'U+0009', 'cannot hold'],
    at: { line: 'overflow: "oth', col: '"oth' },
  },
  {
    rule: 'label-overflow-duplicate',
    text: catalogue({ labels: BASE.labels.replace('overflow: other', 'overflow: post') }),
    message: ['label method', '"post"'],
    at: { line: 'overflow: post', col: 'post' },
  },
  {
    rule: 'label-unused',
    text: catalogue({ labels: BASE.labels + label('region', '[eu, us]') }),
    message: ['region'],
    severity: 'warning',
    at: { line: '  region:', col: 'region' },
  },
  {
    rule: 'group-undefined',
    text: withMetric(metric('queue_depth', { group: 'backend' })),
    message: ['shop_queue_depth', '"backend"'],
    at: { line: 'group: backend', col: 'backend' },
  },
  {
    rule: 'group-empty',
    text: catalogue({ groups: BASE.groups + '  spare:\n    title: Spare\n' }),
    message: ['spare'],
    severity: 'warning',
    at: { line: '  spare:', col: 'spare' },
  },
  {
    rule: 'label-undefined',
    text: withMetric(metric('queue_depth', { labels: '[method, zone]' })),
    message: ['shop_queue_depth', '"zone"'],
    at: { line: 'labels: [method, zone]', col: 'zone' },
  },
  {
    rule: 'label-name-duplicate',
    text: catalogue({
      labels: BASE.labels + label('verb', '[get, put]', '    name: method\n'),
      metrics: BASE.metrics + metric('queue_depth', { labels: '[method, verb]' }),
    }),
    message: ['shop_queue_depth', '"method"', 'verb'],
    at: { line: 'labels: [method, verb]', col: 'verb' },
  },
  {
    rule: 'buckets-missing',
    text: withMetric(metric('queue_wait_seconds', { type: 'histogram', unit: 'seconds' })),
    message: ['shop_queue_wait_seconds', 'buckets'],
    at: { line: '  queue_wait_seconds:', col: 'queue_wait_seconds' },
  },
  {
    rule: 'buckets-order',
    text: catalogue({ metrics: BASE.metrics.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.1, 1, 0.5]') }),
    message: ['shop_request_duration_seconds', '0.5 follows 1'],
    at: { line: 'buckets: [0.1, 1, 0.5]', col: '0.5]' },
  },
  {
    rule: 'buckets-order',
    title: 'a repeated bound',
    text: catalogue({ metrics: BASE.metrics.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.1, 0.5, 0.5]') }),
    message: ['shop_request_duration_seconds'],
    at: { line: 'buckets: [0.1, 0.5, 0.5]', col: '0.5]' },
  },
  {
    rule: 'buckets-unexpected',
    text: withMetric(metric('queue_depth', { buckets: '[1, 2]' })),
    message: ['shop_queue_depth', 'gauge'],
    at: { line: 'buckets: [1, 2]', col: 'buckets' },
  },
  {
    rule: 'role-scrape-duration',
    title: 'not a histogram',
    text: withMetric(metric('export_duration_seconds', { unit: 'seconds', role: 'scrape_duration' })),
    message: ['shop_export_duration_seconds', 'histogram without labels'],
    at: { line: 'role: scrape_duration', col: 'scrape_duration' },
  },
  {
    rule: 'role-scrape-duration',
    title: 'not in seconds',
    text: withMetric(metric('export_size_bytes', { type: 'histogram', unit: 'bytes', buckets: '[1024]', role: 'scrape_duration' })),
    message: ['shop_export_size_bytes', 'seconds'],
    at: { after: '  export_size_bytes:', line: 'unit: bytes', col: 'bytes' },
  },
  {
    rule: 'role-scrape-duration',
    title: 'twice',
    text: catalogue({
      metrics:
        BASE.metrics.replace('buckets: [0.1, 0.5, 1]\n', 'buckets: [0.1, 0.5, 1]\n    role: scrape_duration\n') +
        metric('export_duration_seconds', { type: 'histogram', unit: 'seconds', buckets: '[0.1]', role: 'scrape_duration' }),
    }),
    message: ['shop_export_duration_seconds', 'shop_request_duration_seconds'],
    at: { after: '  export_duration_seconds:', line: 'role: scrape_duration', col: 'scrape_duration' },
  },
  {
    rule: 'deprecated-replacement',
    text: requestsWith('    deprecated: { reason: Split by route., replaced_by: route_requests_total }\n'),
    message: ['shop_requests_total', '"route_requests_total"'],
    at: { line: 'deprecated:', col: 'route_requests_total' },
  },
  {
    rule: 'panel-label',
    text: requestsWith('    panel: { split_by: [region] }\n'),
    message: ['shop_requests_total', '"region"'],
    at: { line: 'panel: { split_by: [region] }', col: 'region' },
  },
  {
    rule: 'panel-quantiles',
    text: requestsWith('    panel: { quantiles: [0.5] }\n'),
    message: ['shop_requests_total', 'histograms'],
    at: { line: 'panel: { quantiles: [0.5] }', col: 'quantiles' },
  },
  {
    rule: 'duplicate-name',
    text: withMetric(metric('requests', { unit: 'count' })),
    message: ['shop_requests', 'shop_requests_total'],
    at: { line: '  requests:', col: 'requests' },
  },
  {
    rule: 'duplicate-name',
    title: "a gauge named like the family of the exporter's drop counter",
    text: withMetric(metric('metrics_dropped', { unit: 'count' })),
    message: ['metric shop_metrics_dropped', '"shop_metrics_dropped"', "the exporter's drop counter shop_metrics_dropped_total"],
    at: { line: '  metrics_dropped:', col: 'metrics_dropped' },
  },
  // ------------------------------------------------------------------ ratios
  {
    rule: 'ratio-name-duplicate',
    text: requestsWith('    ratios:\n      - { name: share, match: { method: get } }\n      - { name: share, match: { method: post } }\n'),
    message: ['"share"', 'shop_requests_total'],
    at: { line: 'name: share, match: { method: post }', col: 'share' },
  },
  {
    rule: 'ratio-metric-type',
    title: 'on a gauge',
    text: withMetric(metric('queue_depth', { ratios: '[{ name: queue_share, denominator: requests_total }]' })),
    message: ['shop_queue_depth', 'gauge'],
    at: { line: 'name: queue_share', col: 'queue_share' },
  },
  {
    rule: 'ratio-metric-type',
    title: 'over a gauge',
    text: catalogue({
      metrics:
        BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: per_queued, denominator: queue_depth }]\n') +
        metric('queue_depth'),
    }),
    message: ['per_queued', 'shop_queue_depth', 'gauge'],
    at: { line: 'name: per_queued', col: 'queue_depth' },
  },
  {
    rule: 'ratio-denominator-undefined',
    text: requestsWith('    ratios: [{ name: per_visit, denominator: visits_total }]\n'),
    message: ['per_visit', '"visits_total"'],
    at: { line: 'name: per_visit', col: 'visits_total' },
  },
  {
    rule: 'ratio-match-missing',
    text: requestsWith('    ratios: [{ name: everything }]\n'),
    message: ['everything', 'match'],
    at: { line: 'name: everything', col: 'everything' },
  },
  {
    rule: 'matcher-label',
    text: requestsWith('    ratios: [{ name: eu_share, match: { region: eu } }]\n'),
    message: ['"region"', 'shop_requests_total'],
    at: { line: 'name: eu_share', col: 'region' },
  },
  {
    rule: 'matcher-value',
    text: requestsWith('    ratios: [{ name: put_share, match: { method: put } }]\n'),
    message: ['"put"', 'method', '"get", "post"'],
    at: { line: 'name: put_share', col: 'put }' },
  },
  {
    rule: 'ratio-label',
    text: catalogue({
      metrics:
        BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: per_page, denominator: pages_total, by: [method] }]\n') +
        metric('pages_total', { type: 'counter', unit: 'count' }),
    }),
    message: ['per_page', '"method"', 'shop_pages_total'],
    at: { line: 'name: per_page', col: 'method' },
  },
  // ------------------------------------------------------------------ cardinality
  {
    rule: 'series-limit',
    text: catalogue({ head: 'namespace: shop\nbudget: { series_per_metric: 5 }\n' }),
    message: ['shop_request_duration_seconds', '6 series', 'limit of 5'],
    at: { line: '  request_duration_seconds:', col: 'request_duration_seconds' },
  },
  {
    rule: 'series-budget',
    // requests_total: 3 series (get, post, other); request_duration_seconds: 3 buckets + 3 = 6;
    // the drop counter: 2 metrics x 8 reasons = 16.
    text: catalogue({ head: 'namespace: shop\nbudget:\n  total_series: 8\n' }),
    message: ['25 series', 'budget of 8'],
    at: { line: 'total_series: 8', col: '8' },
  },
  // ------------------------------------------------------------------ events
  {
    rule: 'event-field-label',
    text: withEvents(`\
  request:
    description: One request was served.
    fields:
      verb: { label: http_verb }
      duration_seconds: { type: number }
    records:
      - { inc: requests_total, labels: { method: { field: verb } } }
      - { observe: request_duration_seconds, value: duration_seconds }
`),
    message: ['verb', '"http_verb"'],
    at: { line: 'verb: { label: http_verb }', col: 'http_verb' },
  },
  {
    rule: 'event-metric-undefined',
    text: withEvents(BASE.events + '      - { inc: visits_total }\n'),
    message: ['event request', '"visits_total"'],
    at: { line: '- { inc: visits_total }', col: 'visits_total' },
  },
  {
    rule: 'event-operation-type',
    text: withEvents(BASE.events + '      - { inc: request_duration_seconds }\n'),
    message: ['inc', 'shop_request_duration_seconds', 'histogram'],
    at: { line: '- { inc: request_duration_seconds }', col: 'request_duration_seconds' },
  },
  {
    rule: 'event-value-missing',
    text: withEvents(BASE.events + '      - { observe: request_duration_seconds }\n'),
    message: ['observe', 'shop_request_duration_seconds', 'value'],
    at: { line: '- { observe: request_duration_seconds }', col: '{' },
  },
  {
    rule: 'event-value-unexpected',
    title: 'inc with value',
    text: withEvents(BASE.events + '      - { inc: requests_total, value: duration_seconds }\n'),
    message: ['"by"', '"value"'],
    at: { line: '- { inc: requests_total, value:', col: 'value' },
  },
  {
    rule: 'event-value-unexpected',
    title: 'observe with by',
    text: withEvents(BASE.events + '      - { observe: request_duration_seconds, value: duration_seconds, by: duration_seconds }\n'),
    message: ['"value"', '"by"'],
    at: { line: 'by: duration_seconds }', col: 'by:' },
  },
  {
    rule: 'event-field-undefined',
    text: withEvents(BASE.events + '      - { observe: request_duration_seconds, value: latency }\n'),
    message: ['"latency"'],
    at: { line: 'value: latency }', col: 'latency' },
  },
  {
    rule: 'event-field-type',
    title: 'a label field as a value',
    text: withEvents(BASE.events + '      - { observe: request_duration_seconds, value: method }\n'),
    message: ['"method"', 'number'],
    at: { line: 'value: method }', col: 'method' },
  },
  {
    rule: 'event-field-type',
    title: 'a number field bound to a label',
    text: withEvents(BASE.events + '      - { inc: requests_total, labels: { method: { field: duration_seconds } } }\n'),
    message: ['"duration_seconds"', 'label method'],
    at: { line: '{ field: duration_seconds }', col: 'duration_seconds' },
  },
  {
    rule: 'event-label-unknown',
    text: withEvents(BASE.events + '      - { inc: requests_total, labels: { region: eu } }\n'),
    message: ['"region"', 'shop_requests_total'],
    at: { line: 'labels: { region: eu }', col: 'region' },
  },
  {
    rule: 'event-label-value',
    text: withEvents(BASE.events + '      - { inc: requests_total, labels: { method: put } }\n'),
    message: ['"put"', 'label method'],
    at: { line: 'labels: { method: put }', col: 'put' },
  },
  {
    rule: 'event-label-unbound',
    text: withEvents(BASE.events.replace('      method: { label: method }\n', '')),
    message: ['label method', 'shop_requests_total', '"method"'],
    at: { line: '- { inc: requests_total }', col: '{' },
  },
  {
    rule: 'event-label-mismatch',
    text: catalogue({
      labels: BASE.labels + label('verb', '[get, post]'),
      metrics: BASE.metrics + metric('queue_depth', { labels: '[verb]' }),
      events: BASE.events.replace('method: { label: method }', 'method: { label: verb }'),
    }),
    message: ['"method"', 'label verb', 'label method'],
    at: { line: '- { inc: requests_total }', col: '{' },
  },
  {
    rule: 'event-field-unused',
    text: withEvents(BASE.events.replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      size_bytes: { type: number }\n')),
    message: ['size_bytes'],
    severity: 'warning',
    at: { line: 'size_bytes: { type: number }', col: 'size_bytes' },
  },
  // ------------------------------------------------------------------ summary figures
  {
    rule: 'summary-reference',
    title: 'an unknown metric',
    text: catalogue({ tail: 'summary:\n  mean_latency_seconds: { average: latency_seconds }\n' }),
    message: ['mean_latency_seconds', '"latency_seconds"'],
    at: { line: 'average: latency_seconds', col: 'latency_seconds }' },
  },
  {
    rule: 'summary-reference',
    title: 'a metric of the wrong type',
    text: catalogue({ tail: 'summary:\n  served: { total: request_duration_seconds }\n' }),
    message: ['served', 'counter', 'shop_request_duration_seconds'],
    at: { line: 'total: request_duration_seconds', col: 'request_duration_seconds' },
  },
  {
    rule: 'summary-reference',
    title: 'an unknown ratio',
    text: catalogue({ tail: 'summary:\n  success: { ratio: success_share }\n' }),
    message: ['success', '"success_share"'],
    at: { line: 'ratio: success_share', col: 'success_share' },
  },
  // ------------------------------------------------------------------ alerts
  {
    rule: 'schema-value',
    title: 'an unknown severity',
    text: requestsWith('    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: page, summary: Busy. }\n'),
    message: ['severity', '"critical"'],
    at: { line: 'name: Busy', col: 'page' },
  },
  {
    rule: 'alert-name-duplicate',
    text: requestsWith(
      '    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: info, summary: Busy. }\n      - { name: Busy, kind: threshold, of: rate, above: 9, severity: warning, summary: Very busy. }\n',
    ),
    message: ['Busy', 'shop_requests_total'],
    at: { line: 'above: 9', col: 'Busy' },
  },
  {
    rule: 'alert-missing-key',
    text: requestsAlert('        kind: threshold\n        above: 5\n'),
    message: ['threshold', '"of"'],
    at: { after: 'alerts:', line: '- name: RequestsAlert', col: 'name' },
  },
  {
    rule: 'alert-unused-key',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        z: 3\n'),
    message: ['"z"', 'threshold'],
    at: { line: '        z: 3', col: 'z' },
  },
  {
    rule: 'alert-summary',
    text: requestsWith('    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: info, summary: Busy }\n'),
    message: ['period'],
    at: { line: 'name: Busy', col: 'Busy }' },
  },
  {
    rule: 'alert-label',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        by: [route]\n'),
    message: ['"route"', 'shop_requests_total'],
    at: { line: 'by: [route]', col: 'route' },
  },
  {
    rule: 'alert-duration',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        window: 0m\n'),
    message: ['window', 'positive'],
    at: { line: 'window: 0m', col: '0m' },
  },
  {
    rule: 'duration-format',
    title: 'a unit repeated',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        for: 5m5m\n'),
    message: ['"5m5m"', 'repeats a unit', 'y w d h m s ms', '(here: 10m)'],
    at: { line: 'for: 5m5m', col: '5m5m' },
  },
  {
    rule: 'duration-format',
    title: 'units out of order',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        window: 1s5m\n'),
    message: ['window', '"1s5m"', 'out of order', '(here: 5m1s)'],
    at: { line: 'window: 1s5m', col: '1s5m' },
  },
  {
    rule: 'duration-format',
    title: 'not a duration at all',
    text: catalogue({ head: 'namespace: shop\nscrape_interval: 1.5m\n' }),
    message: ['scrape_interval', '"1.5m" is not a duration'],
    at: { line: 'scrape_interval: 1.5m', col: '1.5m' },
  },
  {
    rule: 'duration-range',
    title: 'the for of an alert, over 292 years',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        for: 300y\n'),
    message: ['alert RequestsAlert: for', '"300y"', 'longest duration', '292y'],
    at: { line: 'for: 300y', col: '300y' },
  },
  {
    rule: 'duration-range',
    title: 'one millisecond over, in the SLO window',
    text: requestsAlert('        kind: slo\n        objective: 0.99\n        bad: { method: post }\n        min_rate: 1\n        slo_window: 9223372036855ms\n'),
    message: ['slo_window', '"9223372036855ms"'],
    at: { line: 'slo_window: 9223372036855ms', col: '9223372036855ms' },
  },
  {
    rule: 'duration-range',
    title: 'the scrape interval',
    text: catalogue({ head: 'namespace: shop\nscrape_interval: 106752d\n' }),
    message: ['scrape_interval', '"106752d"'],
    at: { line: 'scrape_interval: 106752d', col: '106752d' },
  },
  {
    rule: 'output-path',
    title: 'a path that leaves the output root',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  typescript: ../elsewhere/metrics.ts\n' }),
    message: ['outputs.typescript', '"../elsewhere/metrics.ts"', 'inside the output root'],
    at: { line: 'typescript: ../elsewhere/metrics.ts', col: '../elsewhere/metrics.ts' },
  },
  {
    rule: 'output-path',
    title: 'an absolute path',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  dashboards: /var/lib/grafana\n' }),
    message: ['outputs.dashboards', 'relative to the output root'],
    at: { line: 'dashboards: /var/lib/grafana', col: '/var/lib/grafana' },
  },
  {
    rule: 'output-path',
    title: 'a rule file that Prometheus would not read as YAML',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  rules: prometheus/shop.rules\n' }),
    message: ['outputs.rules', 'must end in .yaml or .yml'],
    at: { line: 'rules: prometheus/shop.rules', col: 'prometheus/shop.rules' },
  },
  {
    rule: 'output-path',
    title: 'the rules on the dashboards\' provisioning file',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  dashboards: grafana\n  rules: grafana/provisioning/dashboards.yaml\n' }),
    message: ['outputs.rules', "dashboards' provisioning file"],
    at: { line: 'rules: grafana/provisioning/dashboards.yaml', col: 'grafana/provisioning/dashboards.yaml' },
  },
  {
    rule: 'output-path',
    title: 'inside the writer\'s own folder',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  reference: .lazybird-generate/METRICS.md\n' }),
    message: ['outputs.reference', '.lazybird-generate'],
    at: { line: 'reference: .lazybird-generate/METRICS.md', col: '.lazybird-generate/METRICS.md' },
  },
  {
    rule: 'alert-of-type',
    title: 'a raw counter compared',
    text: requestsAlert('        kind: threshold\n        of: value\n        above: 5\n'),
    message: ['raw counter', 'rate or ratio'],
    at: { line: '        of: value', col: 'value' },
  },
  {
    rule: 'alert-of-type',
    title: 'a rate alert on a gauge',
    text: withMetric('  queued:\n    type: gauge\n    group: main\n    help: Queued.\n    unit: count\n    alerts:\n      - { name: Queue, kind: threshold, of: rate, above: 5, severity: info, summary: Queued. }\n'),
    message: ['rate of shop_queued', 'gauge', 'value or delta'],
    at: { line: 'name: Queue', col: 'rate' },
  },
  {
    rule: 'alert-of-type',
    title: 'a quantile alert on a counter',
    text: requestsAlert('        kind: quantile\n        quantile: 0.9\n        above: 1\n'),
    message: ['quantile alerts need a histogram', 'counter'],
    at: { line: 'kind: quantile', col: 'quantile' },
  },
  {
    rule: 'alert-ratio-undefined',
    text: requestsAlert('        kind: threshold\n        of: ratio\n        ratio: get_share\n        above: 0.5\n'),
    message: ['"get_share"', 'declared: none'],
    at: { line: 'ratio: get_share', col: 'get_share' },
  },
  {
    rule: 'alert-threshold',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        below: 1\n'),
    message: ['exactly one of "above" and "below"'],
    at: { after: 'alerts:', line: '- name: RequestsAlert', col: 'name' },
  },
  {
    rule: 'alert-quantile-bucket',
    title: 'a threshold between boundaries',
    text: durationAlert('        kind: quantile\n        quantile: 0.95\n        above: 0.3\n'),
    message: ['0.3 is not a bucket boundary', 'p95', 'use one of 0.1, 0.5'],
    at: { line: 'above: 0.3', col: '0.3' },
  },
  {
    rule: 'alert-quantile-bucket',
    title: 'the last boundary, which the estimate never exceeds',
    text: durationAlert('        kind: quantile\n        quantile: 0.95\n        above: 1\n'),
    message: ['1 is not a bucket boundary below the last one'],
    at: { line: '        above: 1', col: '1' },
  },
  {
    rule: 'alert-absence-for',
    text: catalogue({ head: 'namespace: shop\nscrape_interval: 30s\n' }).replace(
      '    labels: [method]\n',
      '    labels: [method]\n    alerts:\n      - { name: Gone, kind: absence, for: 45s, severity: critical, summary: Gone. }\n',
    ),
    message: ['45s', 'twice the scrape interval (30s)'],
    at: { line: 'name: Gone', col: '45s' },
  },
  {
    rule: 'alert-slo-events',
    text: requestsAlert('        kind: slo\n        objective: 0.99\n        min_rate: 1\n'),
    message: ['exactly one way'],
    at: { after: 'alerts:', line: '- name: RequestsAlert', col: 'name' },
  },
  {
    rule: 'alert-description-template',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        description: Rate of {{ $labels.job is high.\n'),
    message: ['template', 'not closed'],
    at: { line: 'description: Rate of', col: 'Rate of' },
  },
  {
    rule: 'alert-description-template',
    title: 'an unknown function',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        description: Rate is {{ $value | humanise }}.\n'),
    message: ['unknown function "humanise"'],
    at: { line: 'description: Rate is', col: 'Rate is' },
  },
  {
    rule: 'runbook-url-format',
    text: catalogue({ head: 'namespace: shop\nrunbook_url: https://runbooks.example.com/{alert}?q={{ .x }}\n' }),
    message: ['braces other than {alert}'],
    at: { line: 'runbook_url:', col: 'https' },
  },
  {
    rule: 'text-format',
    text: catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: "Requests\\u0007 served."') }),
    message: ['metrics.requests_total.help', 'U+0007'],
    at: { line: 'help: "Requests', col: '"Requests' },
  },
  {
    rule: 'text-format',
    title: 'a line separator in a group title',
    text: catalogue({ groups: BASE.groups.replace('title: Main', 'title: "Ma\\u2028in"') }),
    message: ['groups.main.title', 'U+2028'],
    at: { line: 'title: "Ma', col: '"Ma' },
  },
  {
    rule: 'generated-name-collision',
    title: 'a label whose type would shadow an import',
    text: catalogue({ labels: BASE.labels.replace('  method:', '  counter:'), metrics: BASE.metrics.replace('labels: [method]', 'labels: [counter]'), events: null }),
    message: ['label counter', 'Counter', 'the generated module itself'],
    at: { line: '  counter:', col: 'counter' },
  },
  {
    rule: 'generated-name-collision',
    title: 'a metric and a label that generate the same type',
    text: catalogue({
      labels: BASE.labels + '  requests_total_labels:\n    description: Odd.\n    values: [x]\n',
      metrics: BASE.metrics.replace('labels: [method]', 'labels: [method, requests_total_labels]'),
      events: null,
    }),
    message: ['metric requests_total', 'RequestsTotalLabels', 'label requests_total_labels'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'generated-name-collision',
    title: 'a metric named like a method of the metrics object',
    text: withMetric('  reset:\n    type: gauge\n    group: main\n    help: Resets.\n    unit: none\n'),
    message: ['metrics.reset', 'method'],
    at: { line: '  reset:', col: 'reset' },
  },
  {
    rule: 'generated-name-collision',
    title: 'a label whose type shadows the TypeScript global Omit (TS2315)',
    text: catalogue({ labels: BASE.labels.replace('  method:', '  omit:'), metrics: BASE.metrics.replace('labels: [method]', 'labels: [omit]'), events: null }),
    message: ['label omit', '"Omit"', 'TypeScript global', 'name:'],
    at: { line: '  omit:', col: 'omit' },
  },
  {
    rule: 'generated-name-collision',
    title: 'a label whose type shadows the TypeScript global Promise',
    text: catalogue({ labels: BASE.labels.replace('  method:', '  promise:'), metrics: BASE.metrics.replace('labels: [method]', 'labels: [promise]'), events: null }),
    message: ['label promise', '"Promise"', 'TypeScript global'],
    at: { line: '  promise:', col: 'promise' },
  },
  {
    rule: 'generated-name-collision',
    title: 'two metric keys with one camelCase property (jobs_1_total, jobs1_total)',
    text: withMetric(metric('jobs_1_total', { type: 'counter', unit: 'count' }) + metric('jobs1_total', { type: 'counter', unit: 'count' })),
    message: ['metric jobs1_total', '"jobs1Total"', 'metric jobs_1_total (metrics.yaml:'],
    at: { line: '  jobs1_total:', col: 'jobs1_total' },
  },
  {
    rule: 'generated-name-collision',
    title: 'two event fields with one camelCase property (x_1, x1)',
    text: withEvents(
      BASE.events
        .replace('      duration_seconds: { type: number }\n', '      duration_seconds: { type: number }\n      x_1: { type: number }\n      x1: { type: number }\n')
        .concat('      - { inc: requests_total, by: x_1, labels: { method: get } }\n      - { inc: requests_total, by: x1, labels: { method: get } }\n'),
    ),
    message: ['field x1 of event request', '"x1"', 'recordRequest', 'field x_1 of event request (metrics.yaml:'],
    at: { line: '      x1:', col: 'x1' },
  },
  {
    rule: 'dashboard-duplicate',
    title: 'a group named overview',
    text: catalogue({ groups: `${BASE.groups}  overview:\n    title: Overview\n`, metrics: BASE.metrics + metric('queue_depth', { group: 'overview' }) }),
    message: ['group overview', 'shop-overview', 'the overview dashboard'],
    at: { line: '  overview:', col: 'overview' },
  },
  {
    rule: 'rule-group-duplicate',
    title: 'a group main split into shop-main-2 meets a group main_2',
    text: catalogue({
      groups: `${BASE.groups}  main_2:\n    title: Main again\n`,
      metrics:
        BASE.metrics.replace(
          '    labels: [method]\n',
          `    labels: [method]\n    alerts:\n${Array.from({ length: 21 }, (_, i) => `      - { name: Busy${i}, kind: threshold, of: rate, above: ${i + 1}, severity: info, summary: Busy. }\n`).join('')}`,
        ) + metric('jobs_total', { type: 'counter', unit: 'count', group: 'main_2', alerts: '[{ name: NoJobs, kind: stall, severity: info, summary: Stalled. }]' }),
    }),
    message: ['group main_2', '"shop-main-2"', 'group main (metrics.yaml:'],
    at: { line: '  main_2:', col: 'main_2' },
  },
  {
    rule: 'record-name-conflict',
    title: 'two anomaly alerts whose signals differ (match) but would be recorded under one name',
    text: requestsWith(
      '    alerts:\n' +
        '      - { name: GetSpike, kind: anomaly, of: rate, z: 3, min_rate: 1, match: { method: get }, severity: info, summary: Spike. }\n' +
        '      - { name: PostSpike, kind: anomaly, of: rate, z: 3, min_rate: 1, match: { method: post }, severity: info, summary: Spike. }\n',
    ),
    message: ['alert PostSpike', '"job:shop_requests:rate5m"', 'alert GetSpike (metrics.yaml:'],
    at: { line: 'name: PostSpike', col: '{ name' },
  },
  {
    rule: 'alert-slo-burn-unreachable',
    text: durationAlert('        kind: slo\n        objective: 0.9\n        latency_below: 0.5\n        min_rate: 1\n'),
    message: ['0.9', '1.44', 'never fire'],
    severity: 'warning',
    at: { line: 'objective: 0.9', col: '0.9' },
  },
  {
    rule: 'alert-deprecated-metric',
    text: requestsWith(
      '    deprecated: { reason: Use another one. }\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: info, summary: Busy. }\n',
    ),
    message: ['Busy', 'deprecated'],
    severity: 'warning',
    at: { line: 'name: Busy', col: 'Busy' },
  },  // ------------------------------------------------------------------ learned label values
  {
    rule: 'label-learned-no-overflow',
    text: catalogue({ labels: BASE.labels.replace('    values: [get, post]\n    overflow: other\n', '    learned: { max: 20 }\n') }),
    message: ['label method', '20 learned', 'overflow'],
    severity: 'warning',
    at: { line: 'learned: { max: 20 }', col: 'learned' },
  },
  {
    rule: 'series-limit',
    title: 'a learned label counts its declared values, its overflow and its max',
    // method: get, post, other + 8 learned = 11 series, over 10.
    text: catalogue({ head: 'namespace: shop\nbudget: { series_per_metric: 10 }\n', labels: BASE.labels.replace('overflow: other', 'overflow: other\n    learned: { max: 8 }') }),
    message: ['shop_requests_total', '11 series', 'limit of 10', 'method (11, 8 learned)'],
    at: { line: '  requests_total:', col: 'requests_total' },
  },
  {
    rule: 'schema-value',
    title: 'a learned label learns at least one value',
    text: catalogue({ labels: BASE.labels.replace('overflow: other', 'overflow: other\n    learned: { max: 0 }') }),
    message: ['max', '1'],
    at: { line: 'learned: { max: 0 }', col: '0' },
  },  {
    rule: 'summary-learned-value',
    text: catalogue({
      labels: BASE.labels.replace('overflow: other', 'overflow: other\n    learned: { max: 5 }'),
      metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: put_share, match: { method: put } }]\n'),
      tail: 'summary:\n  put_share: { ratio: put_share }\n',
    }),
    message: ['summary put_share', 'method="put"', 'only learn at run time'],
    at: { line: 'ratios: [{ name: put_share', col: 'put }' },
  },
  // ------------------------------------------------- alert routing, matcher sets, two-counter SLOs
  {
    rule: 'alert-aggregate',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        aggregate: max\n'),
    message: ['RequestsAlert', 'of: value or delta'],
    at: { line: 'aggregate: max', col: 'aggregate' },
  },
  {
    rule: 'alert-annotation-name',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        annotations: { summary: Other words. }\n'),
    message: ['"summary"', 'its own "summary" key'],
    at: { line: 'annotations: { summary', col: 'summary' },
  },
  {
    rule: 'alert-annotation-template',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        annotations: { playbook: "See {{ $labels.job" }\n'),
    message: ['playbook', 'not closed'],
    at: { line: 'annotations: { playbook', col: '"See' },
  },
  {
    rule: 'alert-label-name',
    title: 'severity set by the catalogue for every alert',
    text: catalogue({ head: 'namespace: shop\nalert_labels: { team: payments, severity: page }\n' }),
    message: ['"severity"', 'own "severity" key'],
    at: { line: 'alert_labels:', col: 'severity' },
  },
  {
    rule: 'alert-label-name',
    title: 'a group label that would overwrite a label of the alerted series',
    text: catalogue({
      groups: '  main:\n    title: Main\n    alert_labels: { method: post }\n',
      metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, severity: info, summary: Busy. }\n'),
    }),
    message: ['"method"', 'overwrite'],
    at: { line: 'alert_labels: { method', col: 'method' },
  },
  {
    rule: 'alert-label-template',
    text: requestsAlert('        kind: threshold\n        of: rate\n        above: 5\n        labels: { team: "{{ $team }}" }\n'),
    message: ['team', 'undefined variable $team'],
    at: { line: 'labels: { team', col: '"{{' },
  },
  {
    rule: 'alert-slo-metric',
    text: requestsAlert('        kind: slo\n        objective: 0.99\n        min_rate: 1\n        bad_metric: request_duration_seconds\n'),
    message: ['shop_request_duration_seconds', 'histogram', 'counter'],
    at: { line: 'bad_metric: request_duration_seconds', col: 'request_duration_seconds' },
  },
  {
    rule: 'matcher-empty',
    text: requestsWith('    ratios: [{ name: no_share, match: { method: { not: [get, post, other] } } }]\n'),
    message: ['method', 'no value'],
    at: { line: 'name: no_share', col: '{ not' },
  },
  {
    rule: 'matcher-value',
    title: 'one value of a list',
    text: requestsWith('    ratios: [{ name: put_share, match: { method: [get, put] } }]\n'),
    message: ['"put"', 'method', '"get", "post", "other"'],
    at: { line: 'name: put_share', col: 'put]' },
  },
  {
    rule: 'matcher-value',
    title: 'a negated value',
    text: requestsWith('    ratios: [{ name: put_share, match: { method: { not: put } } }]\n'),
    message: ['"put"', 'method'],
    at: { line: 'name: put_share', col: 'put }' },
  },
  {
    rule: 'matcher-label',
    title: 'match of a two-counter SLO names a label the events counter lacks',
    text: catalogue({
      metrics:
        BASE.metrics.replace(
          '    labels: [method]\n',
          '    labels: [method]\n    alerts:\n      - { name: Fails, kind: slo, objective: 0.99, min_rate: 1, bad_metric: failures_total, match: { method: get }, severity: info, summary: Fails. }\n',
        ) + '  failures_total:\n    type: counter\n    group: main\n    help: Requests that failed.\n    unit: count\n',
    }),
    message: ['"method"', 'shop_failures_total', 'both counters'],
    at: { line: 'name: Fails', col: 'method: get' },
  },
  // ------------------------------------------------------------------ custom rules (rules:)
  {
    rule: 'custom-record-name',
    text: withRules('  - record: shop_requests_rate\n    group: main\n    expr: sum(rate(shop_requests_total[5m]))\n'),
    message: ['shop_requests_rate', 'level:metric:operations'],
    at: { line: 'record: shop_requests_rate', col: 'shop_requests_rate' },
  },
  {
    rule: 'custom-expr-syntax',
    title: 'at the token the parser stopped at',
    text: withRules(customAlert('rate(shop_requests_total[5m]) > > 1')),
    message: ['alert Custom', 'PromQL syntax', 'unexpected ">"'],
    at: { line: 'expr: rate(', col: '> 1' },
  },
  {
    rule: 'custom-expr-metric',
    title: 'on the second line of a literal block',
    text: withRules(customAlert('|\n      sum(rate(shop_requests_total[5m]))\n      / sum(rate(shop_request_total[5m])) > 2')),
    message: ['shop_request_total is not a series of the catalogue'],
    at: { line: '/ sum(rate(shop_request_total', col: 'shop_request_total' },
  },
  {
    rule: 'custom-expr-metric',
    title: 'a histogram named without its sample suffix, with a hint',
    text: withRules(customAlert('rate(shop_request_duration_seconds[5m]) > 1')),
    message: ['did you mean shop_request_duration_seconds_bucket or shop_request_duration_seconds_sum or shop_request_duration_seconds_count?'],
    at: { line: 'expr: rate(', col: 'shop_request_duration_seconds' },
  },
  {
    rule: 'custom-expr-metric',
    title: 'a folded block, where only the expression itself can be pointed at',
    text: withRules(customAlert('>\n      rate(shop_requests_total[5m])\n      > rate(shop_nothing_total[5m])')),
    message: ['shop_nothing_total'],
    at: { after: 'alert: Custom', line: 'expr: >', col: '>' },
  },
  {
    rule: 'custom-expr-label',
    title: 'a matcher in a single-quoted expression',
    text: withRules(customAlert(`'rate(shop_requests_total{methd="get"}[5m]) > 1'`)),
    message: ['methd is not a label of metric shop_requests_total', 'method, job, instance'],
    at: { line: 'expr: ', col: 'methd' },
  },
  {
    rule: 'custom-expr-label',
    title: 'a grouping label the aggregated vector does not carry',
    text: withRules(customAlert('sum by (job, methd) (rate(shop_requests_total[5m])) > 1')),
    message: ['by (methd)', 'not a label of the vector'],
    at: { line: 'expr: ', col: 'methd' },
  },
  {
    rule: 'custom-expr-label',
    title: 'a label a custom record aggregated away',
    text: withRules(
      '  - record: job:shop_requests:rate5m\n    group: main\n    expr: sum by (job) (rate(shop_requests_total[5m]))\n' +
        customAlert('job:shop_requests:rate5m{method="get"} > 1'),
    ),
    message: ['method is not a label of recording rule job:shop_requests:rate5m', 'its labels are job'],
    at: { line: 'expr: job:shop_requests:rate5m{', col: 'method' },
  },
  {
    rule: 'custom-expr-label-value',
    title: 'a value outside the label\'s list, in a double-quoted expression',
    text: withRules(customAlert(`"rate(shop_requests_total{method='put'}[5m]) > 1"`)),
    message: ['"put" is not a value of method', 'get, post, other'],
    at: { line: 'expr: ', col: "'put'" },
  },
  {
    rule: 'custom-expr-label-value',
    title: 'a pattern that matches no value',
    text: withRules(customAlert('rate(shop_requests_total{method=~"put|patch"}[5m]) > 1')),
    message: ['=~"put|patch" matches no value of method'],
    at: { line: 'expr: ', col: '"put|patch"' },
  },
  {
    rule: 'custom-expr-label-value',
    title: 'a bucket boundary the histogram does not have',
    text: withRules(customAlert('rate(shop_request_duration_seconds_bucket{le="0.3"}[5m]) > 1')),
    message: ['"0.3" is not a value of le', '0.1, 0.5, 1, 1.0, +Inf'],
    at: { line: 'expr: ', col: '"0.3"' },
  },
  {
    rule: 'custom-template',
    text: withRules(customAlert('rate(shop_requests_total[5m]) > 1', '    description: Rate {{ $value }\n')),
    message: ['alert Custom', 'the description is a Prometheus template', 'not closed'],
    at: { line: 'description: Rate', col: 'Rate' },
  },
  {
    rule: 'group-undefined',
    title: 'the group of a custom rule',
    text: withRules(customAlert('rate(shop_requests_total[5m]) > 1').replace('group: main', 'group: mian')),
    message: ['alert Custom', '"mian"'],
    at: { line: 'group: mian', col: 'mian' },
  },
  {
    rule: 'alert-name-duplicate',
    title: 'a custom alert named like a generated one',
    text: catalogue({
      metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    alerts:\n      - { name: Custom, kind: threshold, of: rate, above: 5, severity: info, summary: Busy. }\n'),
      tail: 'rules:\n' + customAlert('rate(shop_requests_total[5m]) > 1'),
    }),
    message: ['custom alert Custom', '"Custom"', 'alert Custom of shop_requests_total (metrics.yaml:'],
    at: { after: 'rules:', line: 'alert: Custom', col: 'alert' },
  },
  {
    rule: 'record-name-conflict',
    title: 'a custom record named like a generated ratio record',
    text: catalogue({
      metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: get_share, match: { method: get } }]\n'),
      tail: 'rules:\n  - record: instance:shop_get_share:ratio_rate5m\n    group: main\n    expr: sum(rate(shop_requests_total[5m]))\n',
    }),
    message: ['custom recording rule instance:shop_get_share:ratio_rate5m', 'ratio get_share (metrics.yaml:'],
    at: { line: '- record: instance:shop_get_share', col: 'record' },
  },
  {
    rule: 'rule-group-duplicate',
    title: 'the custom rules of group main (shop-main-custom) meet a group main_custom',
    text: catalogue({
      groups: `${BASE.groups}  main_custom:\n    title: Main custom\n`,
      metrics: BASE.metrics + metric('jobs_total', { type: 'counter', unit: 'count', group: 'main_custom', alerts: '[{ name: NoJobs, kind: stall, severity: info, summary: Stalled. }]' }),
      tail: 'rules:\n' + customAlert('rate(shop_requests_total[5m]) > 1'),
    }),
    message: ['the custom rules of group main', '"shop-main-custom"', 'group main_custom (metrics.yaml:'],
    at: { after: 'rules:', line: 'alert: Custom', col: 'alert' },
  },
  {
    rule: 'duration-range',
    title: 'the for of a custom alert',
    text: withRules(customAlert('rate(shop_requests_total[5m]) > 1', '    for: 300y\n')),
    message: ['alert Custom: for'],
    at: { line: 'for: 300y', col: '300y' },
  },
  // ------------------------------------------------------------------ histograms with negative buckets (no _sum)
  {
    rule: 'histogram-negative-sum',
    title: 'an average alert',
    text: catalogue({
      metrics: BASE.metrics.replace(
        '    buckets: [0.1, 0.5, 1]\n',
        '    buckets: [-1, 0, 1]\n    alerts:\n      - { name: LatencyAlert, kind: threshold, of: average, above: 1, severity: info, summary: Slow. }\n',
      ),
    }),
    message: ['LatencyAlert', 'shop_request_duration_seconds', 'negative bucket bound', 'no _sum'],
    at: { line: 'name: LatencyAlert', col: 'average' },
  },
  {
    rule: 'histogram-negative-sum',
    title: 'a summary average',
    text: catalogue({
      metrics: BASE.metrics.replace('    buckets: [0.1, 0.5, 1]\n', '    buckets: [-1, 0, 1]\n'),
      tail: 'summary:\n  mean_latency_seconds: { average: request_duration_seconds }\n',
    }),
    message: ['mean_latency_seconds', 'negative bucket bound'],
    at: { line: 'average: request_duration_seconds', col: 'request_duration_seconds }' },
  },  // ------------------------------------------------------------------ messages that say what to write instead (issue 13, fix 6)
  {
    rule: 'alert-quantile-bucket',
    title: 'a histogram with a single boundary: nothing to choose from',
    text: durationAlert('        kind: quantile\n        quantile: 0.95\n        above: 1\n').replace('buckets: [0.1, 0.5, 1]', 'buckets: [1]'),
    message: ['a single bucket boundary (1)', 'declare more around 1'],
    at: { line: '        above: 1', col: '1' },
  },
  {
    rule: 'alert-quantile-bucket',
    title: 'latency_below off the boundaries lists them',
    text: durationAlert('        kind: slo\n        objective: 0.99\n        latency_below: 0.3\n        min_rate: 1\n'),
    message: ['latency_below 0.3 is not a bucket boundary', 'use one of 0.1, 0.5, 1'],
    at: { line: 'latency_below: 0.3', col: '0.3' },
  },
  {
    rule: 'label-undefined',
    title: "a label's exposed name instead of its id",
    text: catalogue({ labels: EXPOSED_AS, metrics: BASE.metrics + metric('queue_depth', { labels: '[http_method]' }) }),
    message: ['"http_method" is not defined', 'did you mean "method"?'],
    at: { line: 'labels: [http_method]', col: 'http_method' },
  },
  {
    rule: 'alert-label',
    title: "a label's exposed name instead of its id",
    text: catalogue({ labels: EXPOSED_AS, metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, by: [http_method], severity: info, summary: Busy. }\n') }),
    message: ['"http_method" is not a label of shop_requests_total', 'did you mean "method"?'],
    at: { line: 'name: Busy', col: 'http_method' },
  },
  {
    rule: 'matcher-label',
    title: "a label's exposed name instead of its id",
    text: catalogue({ labels: EXPOSED_AS, metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: get_share, match: { http_method: get } }]\n') }),
    message: ['"http_method" is not a label of shop_requests_total', 'did you mean "method"?'],
    at: { line: 'name: get_share', col: 'http_method' },
  },  // ------------------------------------------------------------------ info metrics
  {
    rule: 'info-name-suffix',
    text: withMetric(metric('build', { type: 'info', info_labels: '[version]' })),
    message: ['shop_build', '"_info"'],
    at: { line: '  build:', col: 'build' },
  },
  {
    rule: 'info-unit',
    text: withMetric(metric('build_info', { type: 'info', unit: 'count', info_labels: '[version]' })),
    message: ['shop_build_info', 'no unit'],
    at: { after: 'build_info:', line: 'unit: count', col: 'count' },
  },
  {
    rule: 'info-labels-missing',
    text: withMetric(metric('build_info', { type: 'info' })),
    message: ['shop_build_info', 'info_labels'],
    at: { line: '  build_info:', col: 'build_info' },
  },
  {
    rule: 'info-labels-unexpected',
    text: withMetric(metric('queue_depth', { info_labels: '[version]' })),
    message: ['shop_queue_depth', 'only info metrics'],
    at: { line: 'info_labels: [version]', col: 'info_labels' },
  },
  {
    rule: 'info-label-reserved',
    text: withMetric(metric('build_info', { type: 'info', info_labels: '[version, instance]' })),
    message: ['"instance"', 'reserved'],
    at: { line: 'info_labels: [version, instance]', col: 'instance' },
  },
  {
    rule: 'info-fixed-labels',
    text: withMetric(metric('build_info', { type: 'info', info_labels: '[version]', labels: '[method]' })),
    message: ['shop_build_info', 'one series'],
    at: { after: 'build_info:', line: 'labels: [method]', col: 'labels' },
  },
  {
    rule: 'info-no-alerts',
    text: withMetric(
      metric('build_info', { type: 'info', info_labels: '[version]' }) +
        '    alerts:\n      - { name: NoBuild, kind: absence, for: 10m, severity: info, summary: No build. }\n',
    ),
    message: ['shop_build_info', 'no alerts'],
    at: { after: 'build_info:', line: 'alerts:', col: 'alerts' },
  },
  // ------------------------------------------------------------------ aggregation labels, Mimir rules
  {
    rule: 'aggregation-label-reserved',
    title: 'the scrape\'s own label',
    text: catalogue({ head: 'namespace: shop\naggregation_labels: [cluster, instance]\n' }),
    message: ['"instance"', 'scraped target'],
    at: { line: 'aggregation_labels: [cluster, instance]', col: 'instance' },
  },
  {
    rule: 'aggregation-label-reserved',
    title: 'a histogram bound',
    text: catalogue({ head: 'namespace: shop\naggregation_labels: [le]\n' }),
    message: ['"le"', 'bucket'],
    at: { line: 'aggregation_labels: [le]', col: 'le' },
  },
  {
    rule: 'aggregation-label-clash',
    title: "a label of the catalogue's own",
    text: catalogue({ head: 'namespace: shop\naggregation_labels: [region, method]\n' }),
    message: ['"method"', "catalogue's label method"],
    at: { line: 'aggregation_labels: [region, method]', col: 'method' },
  },
  {
    rule: 'aggregation-label-clash',
    title: 'a routing label every alert would carry with a fixed value',
    text: catalogue({ head: 'namespace: shop\naggregation_labels: [team]\nalert_labels: { team: payments }\n' }),
    message: ['"team"', 'alert_labels'],
    at: { line: 'aggregation_labels: [team]', col: 'team' },
  },
  {
    rule: 'output-mimir-namespace',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  mimir_namespace: shop-prod\n' }),
    message: ['outputs.mimir_namespace', 'outputs.mimir_rules'],
    at: { line: 'mimir_namespace: shop-prod', col: 'mimir_namespace' },
  },
  {
    rule: 'output-path',
    title: 'the Mimir rules on the Prometheus rules',
    text: catalogue({ head: 'namespace: shop\noutputs:\n  mimir_rules: alerts/shop.rules.yaml\n' }),
    message: ['outputs.mimir_rules', 'already the path of the rules'],
    at: { line: 'mimir_rules: alerts/shop.rules.yaml', col: 'alerts/shop.rules.yaml' },
  },
  {
    rule: 'custom-aggregation-label',
    title: 'a custom alert that adds up the clusters',
    text: catalogue({ head: 'namespace: shop\naggregation_labels: [cluster]\n', tail: `rules:\n${customAlert('sum by (job) (rate(shop_requests_total[5m])) > 1')}` }),
    message: ['alert Custom', '"cluster"', 'by (...)'],
    severity: 'warning',
    at: { line: 'expr: ', col: 'sum' },
  },
  // ------------------------------------------------------------------ native histograms
  {
    rule: 'buckets-missing',
    title: 'neither classic buckets nor native ones',
    text: withMetric(metric('queue_wait_seconds', { type: 'histogram', unit: 'seconds' })),
    message: ['shop_queue_wait_seconds', 'buckets (classic), native, or both'],
    at: { line: '  queue_wait_seconds:', col: 'queue_wait_seconds' },
  },
  {
    rule: 'native-unexpected',
    text: withMetric(metric('queue_depth', { native: '{ schema: 3 }' })),
    message: ['shop_queue_depth', 'only histograms', 'gauge'],
    at: { line: 'native: { schema: 3 }', col: 'native' },
  },
  {
    rule: 'native-schema-range',
    text: durationWith('    native: { schema: 9 }\n'),
    message: ['shop_request_duration_seconds', 'schema 9', '-4..8'],
    at: { line: 'native: { schema: 9 }', col: '9' },
  },
  {
    rule: 'native-schema-range',
    title: 'below the coarsest schema',
    text: durationWith('    native: { schema: -5 }\n'),
    message: ['schema -5', '-4..8'],
    at: { line: 'native: { schema: -5 }', col: '-5' },
  },
  {
    rule: 'native-schema-factor',
    text: durationWith('    native: { schema: 3, bucket_factor: 1.1 }\n'),
    message: ['shop_request_duration_seconds', 'schema and bucket_factor'],
    at: { line: 'native: { schema: 3, bucket_factor: 1.1 }', col: 'bucket_factor' },
  },
  {
    rule: 'native-bucket-factor',
    text: durationWith('    native: { bucket_factor: 1 }\n'),
    message: ['bucket_factor 1', 'above 1'],
    at: { line: 'native: { bucket_factor: 1 }', col: '1 }' },
  },
  {
    rule: 'native-max-buckets',
    text: durationWith('    native: { max_buckets: 0 }\n'),
    message: ['max_buckets 0', 'at least 1'],
    at: { line: 'native: { max_buckets: 0 }', col: '0 }' },
  },
  {
    rule: 'native-zero-threshold',
    text: durationWith('    native: { zero_threshold: -0.001 }\n'),
    message: ['zero_threshold -0.001', '0 or more'],
    at: { line: 'native: { zero_threshold: -0.001 }', col: '-0.001' },
  },
  {
    rule: 'series-limit',
    title: 'a histogram with both shapes costs its classic series and one native series',
    // method: get, post, other = 3 label sets × (3 buckets + 3 + 1 native) = 21, over 20.
    text: catalogue({
      head: 'namespace: shop\nbudget: { series_per_metric: 20 }\n',
      metrics: BASE.metrics.replace('    buckets: [0.1, 0.5, 1]\n', '    labels: [method]\n    buckets: [0.1, 0.5, 1]\n    native: {}\n'),
    }),
    message: ['shop_request_duration_seconds', '21 series', 'limit of 20', '(3 buckets + 3 + 1 native series)'],
    at: { line: '  request_duration_seconds:', col: 'request_duration_seconds' },
  },
  // ------------------------------------------------------------------ Prometheus 3
  {
    rule: 'range-window-scrape',
    title: 'a rate window under four scrape intervals',
    text: catalogue({ head: 'namespace: shop\nscrape_interval: 1m\n', metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    alerts:\n      - { name: Busy, kind: threshold, of: rate, above: 5, window: 3m, severity: info, summary: Busy. }\n') }),
    severity: 'warning',
    message: ['alert Busy', 'window 3m', '4 scrape intervals (4m at scrape_interval 1m)', 'left-open'],
    at: { line: 'name: Busy', col: '3m' },
  },
  {
    rule: 'range-window-scrape',
    title: "an SLO's shortest burn-rate window, scaled down with slo_window",
    // 5m × 1d / 30d = 10s, under 4 × 15s.
    text: catalogue({
      head: 'namespace: shop\nscrape_interval: 15s\n',
      metrics: BASE.metrics.replace('    buckets: [0.1, 0.5, 1]\n', '    buckets: [0.1, 0.5, 1]\n    alerts:\n      - { name: Fast, kind: slo, objective: 0.99, latency_below: 0.5, min_rate: 1, slo_window: 1d, severity: info, summary: Slow. }\n'),
    }),
    severity: 'warning',
    message: ['alert Fast', 'shortest burn-rate window, 10s', 'slo_window 1d'],
    at: { line: 'name: Fast', col: '1d' },
  },
  {
    rule: 'range-window-scrape',
    title: "the ratio records' 5m window under a long scrape interval",
    text: catalogue({ head: 'namespace: shop\nscrape_interval: 2m\n', metrics: BASE.metrics.replace('    labels: [method]\n', '    labels: [method]\n    ratios: [{ name: get_share, match: { method: get } }]\n') }),
    severity: 'warning',
    message: ['ratios are recorded over 5m', '8m at scrape_interval 2m'],
    at: { line: 'scrape_interval: 2m', col: '2m' },
  },
  {
    rule: 'custom-expr-holt-winters',
    text: withRules(customAlert('holt_winters(shop_requests_total[1h], 0.5, 0.5) > 1')),
    message: ['alert Custom', 'double_exponential_smoothing', 'Prometheus 3'],
    at: { line: 'expr: holt_winters(', col: 'holt_winters' },
  },
];

const caseName = (c: Case): string => `${c.rule}${c.title ? ` (${c.title})` : ''}`;

describe('the minimal valid catalogue', () => {
  it('compiles to a model with no diagnostic', () => {
    const result = compileCatalog(catalogue(), FILE);
    expect(result.diagnostics).toEqual([]);
    expect(result.catalog?.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['shop_requests_total', 'shop_request_duration_seconds']),
    );
  });
});

describe('each rule, broken alone', () => {
  it.each(CASES.map((c) => [caseName(c), c] as const))('%s', (_, c) => {
    const { catalog, diagnostics } = compileCatalog(c.text, FILE);
    const expected = positionOf(c.text, c.at);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} [${d.rule}]`)).toEqual([
      `${expected.line}:${expected.col} ${c.severity ?? 'error'} [${c.rule}]`,
    ]);
    const [d] = diagnostics;
    expect(d?.file).toBe(FILE);
    for (const fragment of c.message) {
      if (typeof fragment === 'string') expect(d?.message).toContain(fragment);
      else expect(d?.message).toMatch(fragment);
    }
    // yaml's own "at line 3, column 1" is replaced by the position in front.
    expect(d?.message).not.toMatch(/at line \d+/);
    if ((c.severity ?? 'error') === 'error') expect(catalog).toBeUndefined();
    else expect(catalog).toBeDefined();
  });

  it('covers every rule id the catalogue code can emit', () => {
    const root = join(import.meta.dirname, '../../generator/catalog');
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    // Every kebab-case string literal in the catalogue code is a rule id.
    const ids = new Set([...sources.matchAll(/'([a-z0-9]+(?:-[a-z0-9]+)+)'/g)].map((m) => m[1]));
    // yaml-too-large needs an 8 MiB text; it has its own tests below.
    const covered = new Set([...CASES.map((c) => c.rule), 'yaml-too-large']);
    expect([...ids].filter((id) => id !== undefined && !covered.has(id)).sort()).toEqual([]);
  });
});

describe('problems of the file itself', () => {
  it('refuses a file over the size limit before parsing it, at 1:1', () => {
    const text = catalogue() + '#' + 'x'.repeat(MAX_CATALOG_BYTES) + '\n';
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ rule: 'yaml-too-large', severity: 'error', line: 1, col: 1 });
    expect(diagnostics[0]?.message).toContain(String(Buffer.byteLength(text)));
  });

  it('measures the size in bytes, not characters', () => {
    const comment = '# ' + 'é'.repeat(Math.ceil(MAX_CATALOG_BYTES / 2) + 1) + '\n';
    const text = catalogue() + comment;
    expect(text.length).toBeLessThan(MAX_CATALOG_BYTES);
    const { diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics.map((d) => d.rule)).toEqual(['yaml-too-large']);
  });

  it('accepts a file just under the size limit', () => {
    const base = catalogue();
    const text = base + '#' + 'x'.repeat(MAX_CATALOG_BYTES - Buffer.byteLength(base) - 2) + '\n';
    expect(Buffer.byteLength(text)).toBe(MAX_CATALOG_BYTES);
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics).toEqual([]);
    expect(catalog).toBeDefined();
  });

  it('accepts aliases up to the limit (the seed shares label values through one)', () => {
    const text = catalogue({
      metrics: BASE.metrics.replace('help: Requests served.', 'help: &h Requests served.'),
      tail: `padding: [${Array.from({ length: 10 }, () => '*h').join(', ')}]\n`,
    });
    // The aliases are fine; the unknown top-level key is what the schema then reports.
    const { diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics.map((d) => d.rule)).toEqual(['schema-unknown-key']);
  });

  it('gives the same positions for CRLF line endings', () => {
    const text = catalogue({ metrics: BASE.metrics + metric('latency_ms') });
    const lf = compileCatalog(text, FILE).diagnostics;
    const crlf = compileCatalog(text.replace(/\n/g, '\r\n'), FILE).diagnostics;
    expect(lf.map((d) => d.rule)).toEqual(['name-unit-abbreviation']);
    expect(crlf).toEqual(lf);
  });
});

describe('several problems at once', () => {
  it('reports every YAML error, sorted by position', () => {
    const text = catalogue({
      groups: BASE.groups.replace('    title: Main\n', '    title: Main\n    title: Again\n'),
      metrics: BASE.metrics.replace('    unit: count\n', '    unit: count\n    unit: none\n'),
    });
    const { diagnostics } = compileCatalog(text, FILE);
    const first = positionOf(text, { line: 'title: Again', col: 'title' });
    const second = positionOf(text, { line: 'unit: none', after: 'requests_total', col: 'unit' });
    expect(diagnostics.map((d) => `${d.line}:${d.col} [${d.rule}]`)).toEqual([
      `${first.line}:${first.col} [yaml-duplicate-key]`,
      `${second.line}:${second.col} [yaml-duplicate-key]`,
    ]);
  });

  it('reports every schema error, sorted by position', () => {
    const text = catalogue({
      labels: BASE.labels.replace('values: [get, post]', 'values: get'),
      metrics: BASE.metrics
        .replace('type: counter', 'type: summary')
        .replace('    help: Time taken', '    halp: Typo.\n    help: Time taken'),
    });
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    const expected = [
      { ...positionOf(text, { line: 'values: get', col: 'get' }), rule: 'schema-type' },
      { ...positionOf(text, { line: 'type: summary', col: 'summary' }), rule: 'schema-value' },
      { ...positionOf(text, { line: 'halp: Typo.', col: 'halp' }), rule: 'schema-unknown-key' },
    ];
    expect(diagnostics.map((d) => ({ line: d.line, col: d.col, rule: d.rule }))).toEqual(expected);
  });

  it('reports every rule error, sorted by position whatever the order the rules ran in', () => {
    // Naming rules run before label and event rules, so the natural order is metric, label, event.
    const text = catalogue({
      labels: BASE.labels.replace('values: [get, post]', 'values: [get, post, get]'),
      metrics: BASE.metrics + metric('latency_ms'),
      events: BASE.events + '      - { inc: visits_total }\n',
    });
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    const expected = [
      { ...positionOf(text, { line: 'values: [get, post, get]', col: 'get]' }), rule: 'label-value-duplicate' },
      { ...positionOf(text, { line: '  latency_ms:', col: 'latency_ms' }), rule: 'name-unit-abbreviation' },
      { ...positionOf(text, { line: '- { inc: visits_total }', col: 'visits_total' }), rule: 'event-metric-undefined' },
    ];
    expect(diagnostics.map((d) => ({ line: d.line, col: d.col, rule: d.rule }))).toEqual(expected);
  });

  it('reports each naming problem of one metric', () => {
    const text = withMetric(metric('latency_ms_gauge', { type: 'counter', unit: 'count' }));
    const { diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics.map((d) => d.rule).sort()).toEqual(['counter-total-suffix', 'name-type-word', 'name-unit-abbreviation']);
  });

  it('keeps warnings beside a model', () => {
    const text = catalogue({ labels: BASE.labels + label('region', '[eu]'), groups: BASE.groups + '  spare:\n    title: Spare\n' });
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeDefined();
    expect(diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual(['warning label-unused', 'warning group-empty']);
  });
});

describe('hostile or odd input', () => {
  it.each([
    ['an empty file', '', 'schema-type'],
    ['only a comment', '# nothing here\n', 'schema-type'],
    ['a scalar document', 'hello\n', 'schema-type'],
    ['two documents', catalogue() + '---\n' + catalogue(), 'yaml-syntax'],
    ['flow sequences nested 5000 deep', catalogue({ tail: `deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n` }), 'yaml-syntax'],
  ])('%s gives an error diagnostic, not an exception', (_, text, rule) => {
    const { catalog, diagnostics } = compileCatalog(text, FILE);
    expect(catalog).toBeUndefined();
    expect(diagnostics.map((d) => d.rule)).toContain(rule);
    expect(diagnostics.every((d) => d.line >= 1 && d.col >= 1)).toBe(true);
  });

  it('a label named __proto__ is reported, not merged into the object prototype', () => {
    const text = catalogue({ labels: BASE.labels + label('__proto__', '[a]') });
    const { diagnostics } = compileCatalog(text, FILE);
    const at = positionOf(text, { line: '  __proto__:', col: '__proto__' });
    expect(diagnostics.map((d) => `${d.line}:${d.col} [${d.rule}]`)).toEqual([`${at.line}:${at.col} [label-reserved-prefix]`]);
  });

  it('names that exist on Object.prototype are not taken for defined labels or groups', () => {
    const text = withMetric(metric('queue_depth', { group: 'constructor', labels: '[toString]' }));
    const { diagnostics } = compileCatalog(text, FILE);
    // toString is not snake_case: the schema reports it first.
    expect(diagnostics.map((d) => d.rule)).toEqual(['name-format']);
    const text2 = withMetric(metric('queue_depth', { group: 'constructor', labels: '[constructor]' }));
    expect(compileCatalog(text2, FILE).diagnostics.map((d) => d.rule).sort()).toEqual(['group-undefined', 'label-undefined']);
  });
});

describe('a ratio over its own metric', () => {
  it('reports a `by` label missing from the metric once, not once per side', () => {
    const text = requestsWith('    ratios: [{ name: get_share, match: { method: get }, by: [region] }]\n');
    const { diagnostics } = compileCatalog(text, FILE);
    expect(diagnostics.map((d) => d.rule)).toEqual(['ratio-label']);
  });
});
