/** A generated module states the runtime API it needs; createMetrics refuses a runtime that cannot serve it. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIME_API as GENERATED_FOR, createMetrics } from '../../generated/metrics.js';
import { OLDEST_SERVED_RUNTIME_API, RUNTIME_API, RuntimeApiMismatchError, requireRuntimeApi } from 'lazybird-metrics/runtime';

const ROOT = join(import.meta.dirname, '../..');
// Inside the repository, so the module's `lazybird-metrics/runtime` import is the self-reference.
const scratch = join(import.meta.dirname, `.out-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The committed module, as if generated for runtime API `api`. */
async function generatedFor(api: number): Promise<typeof import('../../generated/metrics.js')> {
  const source = readFileSync(join(ROOT, 'generated/metrics.ts'), 'utf8');
  const edited = source.replace(/^export const RUNTIME_API = \d+;$/m, `export const RUNTIME_API = ${api};`);
  expect(edited).not.toBe(source);
  const file = join(scratch, `api-${api}`, 'metrics.ts');
  mkdirSync(join(scratch, `api-${api}`), { recursive: true });
  writeFileSync(file, edited);
  return (await import(pathToFileURL(file).href)) as typeof import('../../generated/metrics.js');
}

describe('the runtime API', () => {
  it('the committed module states the oldest API that serves it (metrics.yaml has no info metric), and is served', () => {
    expect(GENERATED_FOR).toBe(OLDEST_SERVED_RUNTIME_API);
    expect(() => createMetrics({ defaultMetrics: false })).not.toThrow();
  });

  it('a module generated for a newer runtime loads, and createMetrics says to install the matching version', async () => {
    const module = await generatedFor(RUNTIME_API + 1);
    expect(() => module.createMetrics()).toThrow(RuntimeApiMismatchError);
    expect(() => module.createMetrics()).toThrow(
      `generated for runtime API ${RUNTIME_API + 1}, but the installed lazybird-metrics runtime serves APIs ${OLDEST_SERVED_RUNTIME_API} to ${RUNTIME_API}: install the lazybird-metrics version that generated it`,
    );
  });

  it('a module generated for a runtime API no longer served: createMetrics says to regenerate', async () => {
    const module = await generatedFor(OLDEST_SERVED_RUNTIME_API - 1);
    expect(() => module.createMetrics()).toThrow(/regenerate it with the installed lazybird-metrics \(npx lazybird-metrics generate\)/);
  });

  it('requireRuntimeApi accepts exactly the served range', () => {
    for (let api = OLDEST_SERVED_RUNTIME_API; api <= RUNTIME_API; api++) expect(() => requireRuntimeApi(api)).not.toThrow();
    for (const api of [OLDEST_SERVED_RUNTIME_API - 1, RUNTIME_API + 1, 1.5, Number.NaN]) expect(() => requireRuntimeApi(api)).toThrow(RuntimeApiMismatchError);
  });
});
