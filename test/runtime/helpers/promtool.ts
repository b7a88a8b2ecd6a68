import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Path of promtool when installed; tests that need it are skipped otherwise. */
export const PROMTOOL = existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : undefined;

/** Runs `promtool check metrics` on a text exposition: exit status and everything it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
