import { spawnSync } from 'node:child_process';

/**
 * Parses an OpenMetrics exposition with an independent parser: Python's prometheus_client (Debian's
 * python3-prometheus-client), which rejects a whole scrape on any violation of the standard.
 * Returns the exit status, what it printed, and on success `family type sample...` per line.
 */
const SCRIPT = `
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, ' '.join(sorted({s.name for s in family.samples})))
`;

export function pythonOpenMetricsParse(text: string): { status: number | null; output: string } {
  const result = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: text, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
