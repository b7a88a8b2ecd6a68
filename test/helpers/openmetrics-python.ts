/**
 * A second, independent reader of the OpenMetrics exposition: the reference Python client's parser
 * (Debian's python3-prometheus-client, installed by test/setup/tools.ts as promtool is). It raises
 * on the first thing the format does not allow (a negative histogram sum, a missing `# EOF`, a bad
 * escape...), naming the line.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** Reads every family from stdin; prints only what the parser raised, and then exits 1. */
const SCRIPT = `
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        pass
except Exception as error:
    print(f"{type(error).__name__}: {error}")
    sys.exit(1)
`;

/** Parses an OpenMetrics exposition with prometheus_client: exit status and what the parser raised. */
export function pythonOpenMetricsCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Parses stdin with prometheus_client's OpenMetrics parser; prints the samples as JSON, or the error. */
const SAMPLES_SCRIPT = `
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
  const result = spawnSync(PYTHON, ['-c', SAMPLES_SCRIPT], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as { samples: PythonSample[] } | { error: string };
}

/** Parses stdin with prometheus_client's OpenMetrics parser; prints every exemplar it read as JSON. */
const EXEMPLARS_SCRIPT = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
try:
    families = list(text_string_to_metric_families(sys.stdin.read()))
except Exception as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
print(json.dumps({"exemplars": [
    [s.name, s.labels, s.value, s.exemplar.labels, s.exemplar.value, float(s.exemplar.timestamp)]
    for f in families for s in f.samples if s.exemplar is not None]}))
`;

/** One sample that carries an exemplar, as the Python parser read it. */
export type PythonExemplar = [
  name: string,
  labels: Record<string, string>,
  value: number,
  exemplarLabels: Record<string, string>,
  exemplarValue: number,
  timestampSeconds: number,
];

/** The exemplars of an OpenMetrics exposition as Debian's python3-prometheus-client reads them, or its error. */
export function exemplarsWithPython(text: string): { exemplars: PythonExemplar[]; error?: undefined } | { exemplars?: undefined; error: string } {
  const result = spawnSync(PYTHON, ['-c', EXEMPLARS_SCRIPT], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as { exemplars: PythonExemplar[] } | { error: string };
}
