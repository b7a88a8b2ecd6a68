/**
 * vitest global setup: the suites run the real promtool and Prometheus (Debian's `prometheus`
 * package). Install it when missing and we are root, as on CI; otherwise stop with how to get it,
 * rather than let tests skip.
 */
import { spawnSync } from 'node:child_process';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export default function setup(): void {
  if (onPath('promtool') && onPath('prometheus')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('the tests need promtool and prometheus: run `sudo apt-get install -y prometheus` (Debian/Ubuntu)');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'prometheus']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status})`);
  }
  if (!onPath('promtool')) throw new Error('prometheus was installed but promtool is not on the PATH');
}
