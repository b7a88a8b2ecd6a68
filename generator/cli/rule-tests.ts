/** `check` runs the generated promtool unit tests of the rules, when promtool is installed. */
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { EXIT } from './exit.js';
import type { Reporter } from './report.js';

/** promtool's failure lines worth showing: the failed test names and what differed, at most this many. */
const SHOWN_LINES = 20;

/**
 * `promtool test rules <tests>` in the test file's folder (its rule_files are relative to it). A
 * failing test is a finding (exit 1); no promtool on the PATH is one line and no failure.
 */
export function runRuleTests(root: string, testsFile: string, report: Reporter): number {
  const path = join(root, testsFile);
  const run = spawnSync('promtool', ['test', 'rules', basename(path)], { cwd: dirname(path), encoding: 'utf8', timeout: 600_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    report.result(`promtool is not on the PATH: the generated rule tests (${testsFile}) were not run`);
    return EXIT.ok;
  }
  if (run.status === 0) {
    report.result(`rule tests passed: promtool test rules ${testsFile}`);
    return EXIT.ok;
  }
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^Unit Testing:/.test(line));
  const reason = run.error ? run.error.message : output.slice(0, SHOWN_LINES).join(' | ');
  report.finding({ severity: 'error', rule: 'rule-tests-failed', message: `promtool test rules failed: ${reason}`, file: testsFile });
  return EXIT.invalid;
}
