/**
 * VictoriaMetrics 1.79 (Debian's `victoria-metrics`) for the end-to-end tests: single-node
 * VictoriaMetrics as the store, vmagent scraping and remote-writing to it, vmalert evaluating rule
 * files against it. Every listener on loopback, all data under the folder given. vmalert's
 * `/api/v1/rules` and `/api/v1/alerts`, vmagent's `/api/v1/targets` and VictoriaMetrics's
 * `/api/v1/query` answer as Prometheus's do, so ./prometheus-api.ts reads them all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ScrapeJob } from '../../../generator/simulate/prometheus.js';
import { startService } from './service.js';
import type { Service } from './service.js';

/**
 * Single-node VictoriaMetrics.
 *
 * `-search.latencyOffset=1s`: by default a query for "now" is answered as of 30 s ago (the default
 * offset), because the last points of a scrape may not have arrived yet. At a 1 s scrape and
 * evaluation interval that would delay every alert of the test by 30 s and leave the newest samples
 * invisible; a production setup with 15 s or more keeps the default.
 */
export function startVictoriaMetrics(dir: string): Promise<Service> {
  return startService({
    name: 'victoria-metrics',
    binary: 'victoria-metrics',
    dir,
    readyPath: '/health',
    args: (listen) => [
      `-httpListenAddr=${listen}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=1d',
      '-search.latencyOffset=1s',
      '-loggerLevel=WARN',
    ],
  });
}

export interface VmagentOptions {
  readonly jobs: readonly ScrapeJob[];
  /** Prometheus duration, e.g. `1s`. */
  readonly scrapeInterval: string;
  /** Base URL of VictoriaMetrics; samples go to its `/api/v1/write`. */
  readonly victoriaMetrics: string;
}

/** vmagent scraping `jobs` (a Prometheus `scrape_configs`) and remote-writing every sample to VictoriaMetrics. */
export function startVmagent(dir: string, options: VmagentOptions): Promise<Service> {
  const configFile = join(dir, 'scrape.yml');
  // vmagent refuses fields it does not know (rule_files, evaluation_interval), so this is its own file.
  const config = {
    global: { scrape_interval: options.scrapeInterval, scrape_timeout: options.scrapeInterval },
    scrape_configs: options.jobs.map((job) => ({
      job_name: job.job,
      metrics_path: job.metricsPath ?? '/metrics',
      static_configs: [{ targets: [...job.targets] }],
    })),
  };
  return startService({
    name: 'vmagent',
    binary: 'vmagent',
    dir,
    readyPath: '/health',
    args: (listen) => {
      writeFileSync(configFile, stringify(config, { lineWidth: 0 }));
      return [
        `-httpListenAddr=${listen}`,
        `-promscrape.config=${configFile}`,
        `-remoteWrite.url=${options.victoriaMetrics}/api/v1/write`,
        `-remoteWrite.tmpDataPath=${join(dir, 'queue')}`,
        '-remoteWrite.flushInterval=1s',
        '-loggerLevel=WARN',
      ];
    },
  });
}

export interface VmalertOptions {
  readonly ruleFiles: readonly string[];
  /** Base URL of VictoriaMetrics: queried for the rules, and written to for recording rules and alert state. */
  readonly victoriaMetrics: string;
  /** Base URL of Alertmanager. */
  readonly alertmanager: string;
  /** Go duration, e.g. `1s`. */
  readonly evaluationInterval: string;
}

/**
 * vmalert evaluating `ruleFiles` against VictoriaMetrics, writing recording-rule results and alert
 * state back to it, and notifying Alertmanager. `-remoteWrite.flushInterval=1s` makes recorded
 * series queryable within the test's seconds (default 5 s).
 */
export function startVmalert(dir: string, options: VmalertOptions): Promise<Service> {
  return startService({
    name: 'vmalert',
    binary: 'vmalert',
    dir,
    readyPath: '/health',
    args: (listen) => [
      `-httpListenAddr=${listen}`,
      ...options.ruleFiles.map((file) => `-rule=${file}`),
      `-datasource.url=${options.victoriaMetrics}`,
      `-remoteWrite.url=${options.victoriaMetrics}`,
      '-remoteWrite.flushInterval=1s',
      `-remoteRead.url=${options.victoriaMetrics}`,
      `-notifier.url=${options.alertmanager}`,
      `-evaluationInterval=${options.evaluationInterval}`,
      '-loggerLevel=WARN',
    ],
  });
}
