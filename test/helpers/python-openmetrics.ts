import { spawnSync } from 'node:child_process';

/** Parses stdin with prometheus_client's OpenMetrics parser; prints the samples as JSON, or the error. */
const SCRIPT = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
try:
    families = list(text_string_to_metric_families(sys.stdin.read()))
except Exception as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
print(json.dumps({"samples": [[s.name, s.labels, s.value] for f in families for s in f.samples]}))
`;

/** One sample as the Python parser read it: name, labels, value. */
export type PythonSample = [name: string, labels: Record<string, string>, value: number];

/**
 * Parses an OpenMetrics exposition with Debian's python3-prometheus-client, a parser independent of
 * ours. Returns its samples, or the error it raised (a whole scrape it would reject).
 */
export function parseWithPython(text: string): { samples: PythonSample[]; error?: undefined } | { samples?: undefined; error: string } {
  const result = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as { samples: PythonSample[] } | { error: string };
}
