/**
 * The package's bundle validates catalogues with the schema validator compiled at build time (ajv's
 * standalone code, scripts/bundle-modules.ts) instead of the one schema-validator.ts compiles at
 * start-up. Both must give the same diagnostics: the same rules, messages and positions, on
 * hand-written invalid catalogues that reach every kind of schema error, and on a fixed sample of
 * the fuzzer's mutations of a catalogue.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../generator/catalog/load.js';
import { validateAgainstSchema } from '../../generator/catalog/schema.js';
import * as sourceModule from '../../generator/catalog/schema-validator.js';
import { VALIDATOR_SOURCE, standaloneValidatorModule } from '../../scripts/bundle-modules.js';
import { evaluateBundledModule } from '../helpers/bundled-module.js';
import { BASE, catalogue, metric } from '../helpers/catalogue.js';
import { mutate, mutationsArbitrary, namesOf } from '../fuzz/helpers/mutate.js';

const bundled = evaluateBundledModule(standaloneValidatorModule(), VALIDATOR_SOURCE);
const bundledValidator = bundled['validateCatalogSchema'] as ValidateFunction;

const withMetric = (block: string): string => catalogue({ metrics: BASE.metrics + block });
const SEED_TEXT = readFileSync(new URL('../../metrics.yaml', import.meta.url), 'utf8');

const HAND_WRITTEN: readonly string[] = [
  catalogue({ metrics: BASE.metrics.replace('    help: Requests served.\n', '    help: Requests served.\n    halp: Typo.\n') }),
  catalogue({ head: '# no namespace\n' }),
  catalogue({ metrics: BASE.metrics.replace('    help: Requests served.\n', '') }),
  catalogue({ metrics: BASE.metrics.replace('help: Requests served.', 'help: ""') }),
  catalogue({ metrics: BASE.metrics.replace('labels: [method]', 'labels: method') }),
  catalogue({ groups: BASE.groups + '    order: first\n' }),
  catalogue({ groups: BASE.groups + '    order: .inf\n' }),
  catalogue({ groups: BASE.groups.replace('title: Main', 'title: ""') }),
  catalogue({ metrics: BASE.metrics.replace('type: counter', 'type: summary') }),
  catalogue({ metrics: BASE.metrics.replace('buckets: [0.1, 0.5, 1]', 'buckets: [0.1, 0.5, .inf]') }),
  catalogue({ head: 'namespace: shop\nrunbook_url: ftp://runbooks.example.com/{alert}\n' }),
  catalogue({ events: BASE.events.replace('- { inc: requests_total }', '- { inc: requests_total, set: requests_total }') }),
  catalogue({ events: BASE.events.replace('- { inc: requests_total }', '- { inc: 42 }') }),
  withMetric(metric('queueDepth')),
  withMetric(metric('queue__depth')),
  withMetric(metric('queue:depth')),
  withMetric(metric('__queue_depth')),
  withMetric(metric(`${'queue_'.repeat(20)}depth`)),
  SEED_TEXT.replace(/for: \S+/, 'for: 5 minutes'),
  '',
  'hello\n',
  '- a list\n',
];

/**
 * The fuzzer's mutations of a catalogue with alerts, ratios and an SLO (smaller than the seed, so
 * the test stays quick): a fixed seed and count, so always the same ones.
 */
function fuzzedCatalogues(count: number): string[] {
  const seed = parseDocument(readFileSync(new URL('../catalogues/http-service/metrics.yaml', import.meta.url), 'utf8'));
  const runs = fc.sample(mutationsArbitrary(namesOf(seed)), { seed: 20_260_101, numRuns: count });
  return runs.map((mutations) => mutate(seed, mutations).text);
}

describe('the validator compiled at build time (the bundle’s)', () => {
  it('exports what schema-validator.ts exports, with the same options', () => {
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(sourceModule).sort());
    expect(bundled['AJV_OPTIONS']).toEqual(sourceModule.AJV_OPTIONS);
    expect(bundledValidator).not.toBe(sourceModule.validateCatalogSchema);
  });

  it('gives the same diagnostics as the validator compiled at start-up', () => {
    const texts = [...HAND_WRITTEN, ...fuzzedCatalogues(40)];
    const rules = new Set<string>();
    let invalid = 0;
    for (const text of texts) {
      const loaded = loadCatalog(text, 'metrics.yaml');
      const atStartUp = validateAgainstSchema(loaded);
      const atBuild = validateAgainstSchema(loaded, bundledValidator);
      expect(atBuild, text).toEqual(atStartUp);
      // The raw errors too: the diagnostics read their schema paths and (verbose) schemas.
      expect(bundledValidator.errors ?? null).toEqual(sourceModule.validateCatalogSchema.errors ?? null);
      if (atStartUp.length > 0) invalid++;
      for (const diagnostic of atStartUp) rules.add(diagnostic.rule);
    }
    // The comparison is worth something only if the catalogues broke the schema in every way the
    // diagnostics tell apart.
    expect(invalid).toBeGreaterThan(HAND_WRITTEN.length);
    expect([...rules].sort()).toEqual(
      expect.arrayContaining(['duration-format', 'help-missing', 'label-reserved-prefix', 'name-colon', 'name-format', 'schema-missing-key', 'schema-shape', 'schema-type', 'schema-unknown-key', 'schema-value', 'buckets-finite']),
    );
  });
});
