/**
 * vitest global setup: the suites run real engines from Debian packages: promtool and Prometheus
 * (`prometheus`), VictoriaMetrics with vmagent and vmalert (`victoria-metrics`), Alertmanager
 * (`prometheus-alertmanager`) and the Python client's OpenMetrics parser (`python3-prometheus-client`,
 * a second reader of the expositions). Install the missing packages when we are root, as on CI;
 * otherwise stop with how to get them, rather than let tests skip.
 */
import { spawnSync } from 'node:child_process';

/** Each Debian package the tests need, with what they use from it: commands, or a Python module. */
const PACKAGES: Readonly<Record<string, { readonly commands?: readonly string[]; readonly pythonModule?: string }>> = {
  prometheus: { commands: ['promtool', 'prometheus'] },
  'victoria-metrics': { commands: ['victoria-metrics', 'vmagent', 'vmalert'] },
  'prometheus-alertmanager': { commands: ['prometheus-alertmanager'] },
  'python3-prometheus-client': { pythonModule: 'prometheus_client' },
};

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The tests run Debian's own interpreter (/usr/bin/python3), where the package installs the module. */
function importable(module: string): boolean {
  return spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

/** What is missing of a package, as shown to the user: commands, or `python3 -c 'import module'`. */
function missingOf(name: string): string[] {
  const needs = PACKAGES[name] ?? {};
  const commands = (needs.commands ?? []).filter((command) => !onPath(command));
  return needs.pythonModule === undefined || importable(needs.pythonModule) ? commands : [...commands, `python3 module ${needs.pythonModule}`];
}

const missingPackages = (): string[] => Object.keys(PACKAGES).filter((name) => missingOf(name).length > 0);

export default function setup(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    const needs = missing.flatMap(missingOf).join(', ');
    throw new Error(`the tests need ${needs}: run \`sudo apt-get install -y ${missing.join(' ')}\` (Debian/Ubuntu)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
  }
  const still = missingPackages();
  if (still.length > 0) {
    throw new Error(`${still.join(', ')} installed but still missing: ${still.flatMap(missingOf).join(', ')}`);
  }
}
