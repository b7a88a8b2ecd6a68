/**
 * The README's "Use it in your own service", done as a team does it, outside this repository: the
 * packed tarball installed into a fresh project, `init`, `generate`, the project's own `tsc` with the
 * strict flags real projects use (both module resolutions), plain `node` serving the compiled module,
 * `promtool check metrics` on its /metrics and `check --live` against it. No tsx in that project.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/catalogue.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { request } from '../runtime/helpers/http.js';

const ROOT = join(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TYPES_NODE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies['@types/node'] as string;

/** The environment of a project that is not this repository: no source condition, no debug. */
function projectEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('npm_package_') || name === 'NODE_OPTIONS' || name === 'LAZYBIRD_DEBUG') delete env[name];
  return env;
}

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: projectEnv(), encoding: 'utf8', timeout: 120_000 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  expect(result.status, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Every flag of issue 11 item 2, with one module resolution. */
function strictTsconfig(resolution: 'nodenext' | 'bundler', outDir: string): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: resolution === 'nodenext' ? 'nodenext' : 'preserve',
      moduleResolution: resolution,
      types: ['node'],
      strict: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      exactOptionalPropertyTypes: true,
      noPropertyAccessFromIndexSignature: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      outDir,
      // The nodenext build is the one node runs, and it also checks the package's declarations
      // (skipLibCheck off); the bundler one only type-checks the project's own files.
      ...(resolution === 'bundler' ? { noEmit: true, skipLibCheck: true } : {}),
    },
    include: ['src', 'generated'],
  });
}

const SERVER = `import { createMetrics, startMetricsServer } from '../generated/metrics.js';

const metrics = createMetrics();
metrics.requestsTotal.inc({ method: 'get' });
metrics.requestsTotal.inc({ method: 'post' }, 2);
metrics.requestDurationSeconds.observe(0.2);
const server = await startMetricsServer(metrics, { port: 0, host: '127.0.0.1' });
const address = server.address();
console.log(typeof address === 'object' && address !== null ? address.port : -1);
process.once('SIGTERM', () => server.close());
`;

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

describe('the packed package in a fresh project', () => {
  const temp = makeTempDir();
  const project = join(temp.path, 'shop-service');
  let pack: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  let server: ChildProcess | undefined;
  let simulator: ChildProcess | undefined;

  beforeAll(() => {
    // npm pack runs prepack, which builds dist/: the one build of this file.
    const packed = run('npm', ['pack', '--json', '--pack-destination', temp.path], ROOT);
    const json = ok(packed, 'npm pack');
    pack = (JSON.parse(json.slice(json.indexOf('['))) as (typeof pack)[])[0]!;
    run('mkdir', ['-p', join(project, 'src')], temp.path);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop-service', version: '1.0.0', private: true, type: 'module' }));
    ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(temp.path, pack.filename), `@types/node@${TYPES_NODE}`], project), 'npm install');
  }, 180_000);

  afterAll(async () => {
    await stop(server);
    await stop(simulator);
    temp.cleanup();
  });

  it('ships the compiled CLI, runtime and schema, and no test, bench, demo or fixture file', () => {
    const files = pack.files.map((f) => f.path);
    console.log(`${pack.filename}: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${files.length} files`);
    expect(files).toContain('dist/generator/cli.js');
    expect(files).toContain('dist/generator/cli/main.js');
    expect(files).toContain('dist/runtime/index.js');
    expect(files).toContain('dist/runtime/index.d.ts');
    expect(files).toContain('dist/generator/catalog/metrics.schema.json');
    // The CLI is bundled with its template precompiled: no template file, no compiled generator
    // modules beside the bundle's files.
    expect(files.filter((f) => f.endsWith('.hbs'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/generator/') && !f.startsWith('dist/generator/cli'))).toEqual(['dist/generator/catalog/metrics.schema.json']);
    // No tests, benchmarks, demo or fixtures anywhere; not this repository's own outputs (top-level
    // generated/, dashboards/, alerts/); no TypeScript sources, only declarations.
    const unwanted = files.filter((f) => /(^|\/)(test|tests|bench|demo|fixtures?)(\/|$)|\.test\.|\.fixture\.|^(generated|dashboards|alerts)\/|^metrics\.yaml$|\.ts$(?<!\.d\.ts)/.test(f));
    expect(unwanted).toEqual([]);
  });

  it('init writes a catalogue whose schema reference resolves, refuses to overwrite it, and generate succeeds', () => {
    const init = run('npx', ['--no', 'lazybird-metrics', 'init'], project);
    expect(ok(init, 'init')).toContain('npx lazybird-metrics generate --catalog metrics.yaml');
    const catalogue = readFileSync(join(project, 'metrics.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(catalogue)?.[1];
    expect(schema).toBe('./node_modules/lazybird-metrics/dist/generator/catalog/metrics.schema.json');
    expect(JSON.parse(readFileSync(join(project, schema!), 'utf8')).$id).toMatch(/metrics\.schema\.json$/);
    expect(catalogue).toMatch(/^namespace: shop_service$/m);

    const again = run('npx', ['--no', 'lazybird-metrics', 'init'], project);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('metrics.yaml: error: the file already exists');
    expect(readFileSync(join(project, 'metrics.yaml'), 'utf8')).toBe(catalogue);

    ok(run('npx', ['--no', 'lazybird-metrics', 'generate'], project), 'generate');
    const module = readFileSync(join(project, 'generated/metrics.ts'), 'utf8');
    expect(module.split('\n')[0]).toContain('run npx lazybird-metrics generate --catalog metrics.yaml');
    expect(module).toContain("from 'lazybird-metrics/runtime'");
    expect(existsSync(join(project, 'alerts/shop_service.rules.yaml'))).toBe(true);
    ok(run('npx', ['--no', 'lazybird-metrics', 'check', '--format', 'github'], project), 'check');
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('the packed CLI writes what the sources write: this repository’s committed outputs are up to date for it', () => {
    // The bundle validates with the schema validator and renders with the template compiled at
    // build time; the committed outputs come from the sources, which compile them at start-up.
    const bin = join(project, 'node_modules/lazybird-metrics/dist/generator/cli.js');
    expect(ok(run(process.execPath, [bin, 'generate', '--check'], ROOT), 'generate --check with the packed CLI')).toMatch(/outputs up to date/);
  });

  it.each(['bundler', 'nodenext'] as const)('the project’s own tsc compiles the generated module under every strict flag (moduleResolution %s)', (resolution) => {
    writeFileSync(join(project, 'src/server.ts'), SERVER);
    writeFileSync(join(project, `tsconfig.${resolution}.json`), strictTsconfig(resolution, 'build'));
    ok(run(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], project), `tsc (${resolution})`);
  });

  it('plain node serves the compiled module; promtool and check --live find nothing wrong', async () => {
    expect(existsSync(join(project, 'build/src/server.js')), 'the nodenext build ran').toBe(true);
    server = spawn(process.execPath, ['build/src/server.js'], { cwd: project, env: projectEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: server!.stdout! }).once('line', (line) => resolve(Number(line)));
      server!.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
    });
    expect(port).toBeGreaterThan(0);
    const scraped = await request(port, 'GET', '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/^shop_service_requests_total\{method="post"\} 2$/m);
    const promtool = promtoolCheckMetrics(scraped.body);
    expect(promtool.output).toBe('');
    expect(promtool.status).toBe(0);
    const live = run('npx', ['--no', 'lazybird-metrics', 'check', '--live', `http://127.0.0.1:${port}/metrics`], project);
    expect(ok(live, 'check --live')).toMatch(/matches metrics\.yaml/);
  });

  it('simulate from the packed CLI serves the project’s catalogue through the package’s runtime; check --live agrees', async () => {
    // The bundle imports the runtime of dist/runtime/ (the package's export), never a copy of it.
    const bundleDir = join(project, 'node_modules/lazybird-metrics/dist/generator/cli');
    const bundle = readdirSync(bundleDir).map((file) => readFileSync(join(bundleDir, file), 'utf8')).join('\n');
    expect(bundle).toContain('from "../../runtime/index.js"');
    expect(bundle).not.toMatch(/class MetricsRuntime\b/);

    const bin = join(project, 'node_modules/lazybird-metrics/dist/generator/cli.js');
    simulator = spawn(process.execPath, [bin, 'simulate', '--port', '0', '--seed', '7'], { cwd: project, env: projectEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    simulator.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: simulator!.stdout! }).once('line', (line) => resolve(Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1])));
      simulator!.once('exit', (code) => reject(new Error(`simulate exited (${code}): ${stderr}`)));
    });
    expect(port).toBeGreaterThan(0);
    const scraped = await request(port, 'GET', '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/^shop_service_requests_total\{method="(get|post)"\} \d+/m);
    const live = run(process.execPath, [bin, 'check', '--live', `http://127.0.0.1:${port}/metrics`], project);
    expect(ok(live, 'check --live against simulate')).toMatch(/matches metrics\.yaml/);
  });
});
