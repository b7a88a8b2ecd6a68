/**
 * A module that scripts/bundle-modules.ts writes for the package's bundle, evaluated in the test
 * process: converted to CommonJS (esbuild, as the bundle is built) with its imports and requires
 * resolved from where its source module is.
 */
import { createRequire } from 'node:module';
import { transformSync } from 'esbuild';

export function evaluateBundledModule(code: string, sourceModule: URL): Record<string, unknown> {
  const { code: commonJs } = transformSync(code, { format: 'cjs', platform: 'node' });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', commonJs)(module, module.exports, createRequire(sourceModule));
  return module.exports;
}
