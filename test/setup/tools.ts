/**
 * vitest global setup: the suites run real engines from Debian packages: promtool and Prometheus
 * (`prometheus`), VictoriaMetrics with vmagent and vmalert (`victoria-metrics`) and Alertmanager
 * (`prometheus-alertmanager`). Install the missing packages when we are root, as on CI; otherwise
 * stop with how to get them, rather than let tests skip.
 */
import { spawnSync } from 'node:child_process';

/** Each Debian package the tests need, with the commands they run from it. */
const PACKAGES: Readonly<Record<string, readonly string[]>> = {
  prometheus: ['promtool', 'prometheus'],
  'victoria-metrics': ['victoria-metrics', 'vmagent', 'vmalert'],
  'prometheus-alertmanager': ['prometheus-alertmanager'],
};

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const missingPackages = (): string[] => Object.keys(PACKAGES).filter((name) => !(PACKAGES[name] ?? []).every(onPath));

export default function setup(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    const commands = missing.flatMap((name) => PACKAGES[name] ?? []).join(', ');
    throw new Error(`the tests need ${commands}: run \`sudo apt-get install -y ${missing.join(' ')}\` (Debian/Ubuntu)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
  }
  const still = missingPackages();
  if (still.length > 0) {
    throw new Error(`${still.join(', ')} installed but not every command is on the PATH: ${still.flatMap((name) => PACKAGES[name] ?? []).filter((c) => !onPath(c)).join(', ')}`);
  }
}
