/**
 * `--with-prometheus` of the demo and of `simulate`: a Prometheus from the PATH on loopback,
 * scraping one target and loading rule files, its storage and the rules written for it in
 * temporary folders that go away with it. Without a prometheus binary it says how to get one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalog } from '../catalog/model.js';
import { findOnPath, prometheusConfig, startPrometheus } from './prometheus.js';
import type { RunningPrometheus } from './prometheus.js';

export interface LocalPrometheusOptions {
  readonly job: string;
  /** `host:port` of the exporter. */
  readonly target: string;
  /** Labels added to every scraped series (the catalogue's aggregation labels). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Rule files to load as they are, or rule texts (file name → content) written to a temporary folder. */
  readonly rules: { readonly files: readonly string[] } | { readonly texts: ReadonlyMap<string, string> };
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Prometheus feature flags the catalogue needs (see {@link prometheusFeatures}). */
  readonly features?: readonly string[];
  /** Said after the scrape and evaluation intervals on the line that announces Prometheus. */
  readonly note?: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * The feature flags a Prometheus 2.x needs to ingest everything a catalogue exposes: native
 * histograms only with `native-histograms` (which makes it scrape the protobuf exposition). Only
 * then, so a classic catalogue meets the same Prometheus as before, scraped as text.
 *
 * `exemplar-storage` for every catalogue: any counter or classic histogram may carry exemplars (the
 * simulator's do), and the flag only keeps them in memory for /api/v1/query_exemplars; it changes
 * neither how Prometheus scrapes nor what it stores as series.
 */
export function prometheusFeatures(catalog: Pick<Catalog, 'metrics'>): string[] {
  const features: string[] = [];
  if (catalog.metrics.some((metric) => metric.native !== undefined)) features.push('native-histograms');
  features.push('exemplar-storage');
  return features;
}

/** The running Prometheus, or undefined (after the install hint) when there is none on the PATH. */
export async function launchLocalPrometheus(options: LocalPrometheusOptions): Promise<RunningPrometheus | undefined> {
  const binary = findOnPath('prometheus');
  if (binary === undefined) {
    options.err('prometheus is not on the PATH, so only the exporter runs. To get it:');
    options.err('  Debian/Ubuntu: sudo apt-get install -y prometheus   (then stop the packaged service if you like: sudo systemctl disable --now prometheus)');
    options.err('  elsewhere: a release from https://prometheus.io/download/, with the prometheus binary on the PATH');
    return undefined;
  }

  let rulesDir: string | undefined;
  let ruleFiles: readonly string[];
  if ('files' in options.rules) ruleFiles = options.rules.files;
  else {
    const dir = mkdtempSync(join(tmpdir(), 'lazybird-rules-'));
    rulesDir = dir;
    ruleFiles = [...options.rules.texts].map(([name, text]) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    });
  }
  const removeRules = (): void => {
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
  };
  const config = prometheusConfig({ jobs: [{ job: options.job, targets: [options.target], ...(options.labels === undefined ? {} : { labels: options.labels }) }], ruleFiles, scrapeInterval: options.scrapeInterval, evaluationInterval: options.evaluationInterval });

  let prometheus: RunningPrometheus;
  try {
    prometheus = await startPrometheus({ config, binary, host: '127.0.0.1', port: options.port, ...(options.features === undefined ? {} : { features: options.features }) });
  } catch (error) {
    removeRules();
    throw error;
  }
  // Should this process die without its SIGINT/SIGTERM path, take Prometheus and its files along.
  process.once('exit', () => {
    if (prometheus.process.exitCode === null && prometheus.process.signalCode === null) prometheus.process.kill('SIGKILL');
    rmSync(prometheus.dir, { recursive: true, force: true });
    removeRules();
  });
  options.out(`prometheus on ${prometheus.url} (pid ${prometheus.process.pid}; scrape every ${options.scrapeInterval}, rules every ${options.evaluationInterval}${options.features?.length ? `, features ${options.features.join(',')}` : ''}${options.note ? `, ${options.note}` : ''})`);
  options.out(`  targets ${prometheus.url}/targets   alerts ${prometheus.url}/alerts   rules ${prometheus.url}/rules`);
  options.out(`  config ${prometheus.configFile}   log ${prometheus.logFile}`);
  return {
    ...prometheus,
    async stop() {
      await prometheus.stop();
      removeRules();
    },
  };
}
