/**
 * `npm run build` (and `prepack`): the package's dist/.
 * - dist/runtime/: the runtime compiled by tsc, with declarations: the package's exports. Generated
 *   modules import it as `lazybird-metrics/runtime`, so it stays a module of its own that a service
 *   and its generated code share; the CLI imports these same files and never bundles a copy.
 * - dist/generator/catalog/metrics.schema.json: the JSON Schema (an export, and init's reference).
 * - dist/generator/cli.js, the bin (generator/cli.ts, transpiled), and dist/generator/cli/: the rest
 *   of the CLI and its dependencies bundled by esbuild, with the schema validator and the template
 *   compiled now instead of at every start (scripts/bundle-modules.ts). A few files to load instead
 *   of several hundred modules: main.js, and one chunk per command's dynamic import (init, generate,
 *   live, watch, simulate) plus the code they share, so a command still loads only what it needs.
 *   They sit in dist/generator/cli/ as generator/cli/*.ts sit in generator/cli/, so the paths their
 *   code takes from import.meta.url (init's schema reference) are the same as from the sources.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions, Plugin } from 'esbuild';
import { TEMPLATE_SOURCE, VALIDATOR_SOURCE, precompiledTemplateModule, standaloneValidatorModule } from './bundle-modules.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const RUNTIME = join(ROOT, 'runtime');

rmSync(DIST, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const schema = 'generator/catalog/metrics.schema.json';
mkdirSync(dirname(join(DIST, schema)), { recursive: true });
copyFileSync(join(ROOT, schema), join(DIST, schema));

/** Imports of runtime/ point at dist/runtime/ from dist/generator/cli/ (where every bundled file lands). */
const runtimeExternal: Plugin = {
  name: 'runtime-external',
  setup(bundle) {
    bundle.onResolve({ filter: /\/runtime\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(RUNTIME + sep)) return undefined;
      return { path: `../../runtime/${relative(RUNTIME, target).split(sep).join('/')}`, external: true };
    });
  },
};

/** The modules compiled at build time, and handlebars' runtime for its whole package (no compiler). */
const prebuilt: Plugin = {
  name: 'prebuilt',
  setup(bundle) {
    const replacements = new Map([
      [fileURLToPath(VALIDATOR_SOURCE), standaloneValidatorModule()],
      [fileURLToPath(TEMPLATE_SOURCE), precompiledTemplateModule()],
    ]);
    bundle.onLoad({ filter: /\.ts$/ }, (args) => {
      const contents = replacements.get(args.path);
      if (contents === undefined) return undefined;
      replacements.delete(args.path);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
    bundle.onResolve({ filter: /^handlebars$/ }, (args) =>
      bundle.resolve('handlebars/runtime', { kind: args.kind, resolveDir: args.resolveDir }),
    );
    bundle.onEnd((result) => {
      if (result.errors.length === 0 && replacements.size > 0) {
        throw new Error(`not in the bundle, so not replaced: ${[...replacements.keys()].join(', ')}`);
      }
    });
  },
};

/** A warning (an import that would be undefined, say) fails the build. */
async function bundleWithoutWarnings(options: BuildOptions): Promise<void> {
  const result = await build({ ...options, logLevel: 'warning' });
  if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.length} warning(s), see above`);
}

await bundleWithoutWarnings({
  entryPoints: [join(ROOT, 'generator/cli.ts')],
  outfile: join(DIST, 'generator/cli.js'),
  platform: 'node',
  format: 'esm',
  target: 'node20',
});

await bundleWithoutWarnings({
  entryPoints: [join(ROOT, 'generator/cli/main.ts')],
  outdir: join(DIST, 'generator/cli'),
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS packages `require` Node's built-in modules; an ESM file has no `require`.
  banner: { js: "import { createRequire as __lazybirdCreateRequire } from 'node:module';\nconst require = __lazybirdCreateRequire(import.meta.url);" },
  plugins: [runtimeExternal, prebuilt],
});
