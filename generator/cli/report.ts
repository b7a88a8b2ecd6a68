/**
 * How the CLI prints what it found: `--format text` (the default: `file:line:col: error: message
 * [rule]` on stderr, for people and problem matchers), `json` (one JSON document per run on stdout,
 * for tools) or `github` (workflow commands on stdout, which GitHub Actions shows as annotations on
 * the lines of the pull request). The same findings in each.
 */
import { formatDiagnostic } from '../catalog/diagnostics.js';
import type { Diagnostic } from '../catalog/diagnostics.js';

export const FORMATS = ['text', 'json', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Aborted when a long-running command (`generate --watch`) should stop: SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
}

/** One problem: a catalogue diagnostic, a stale output, a breaking change or a live difference. */
export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
  /** The catalogue, an output path or a scraped URL. */
  readonly file: string;
  /** 1-based, when the finding has a place in the file. */
  readonly line?: number;
  readonly col?: number;
  /** JSON pointer into the catalogue, for catalogue diagnostics. */
  readonly pointer?: string;
}

export interface Reporter {
  /** A finding, in the chosen format. */
  finding(finding: Finding): void;
  /** A result line ("11 outputs up to date"): stdout as text; in the JSON document otherwise. */
  result(line: string): void;
  /** A summary or hint about the findings ("2 errors in metrics.yaml; nothing written"): stderr as text. */
  summary(line: string): void;
  /** The run is over: JSON prints its document here. */
  end(exitCode: number): void;
}

export function findingOf(diagnostic: Diagnostic): Finding {
  const { severity, rule, message, file, line, col, pointer } = diagnostic;
  return { severity, rule, message, file, line, col, pointer };
}

export function createReporter(format: Format, io: Io): Reporter {
  switch (format) {
    case 'text':
      return {
        finding: (finding) => io.err(textLine(finding)),
        result: (line) => io.out(line),
        summary: (line) => io.err(line),
        end: () => {},
      };
    case 'github':
      return {
        finding: (finding) => io.out(githubCommand(finding)),
        result: (line) => io.out(line),
        summary: (line) => io.err(line),
        end: () => {},
      };
    case 'json': {
      let findings: Finding[] = [];
      let messages: string[] = [];
      return {
        finding: (finding) => findings.push(finding),
        result: (line) => messages.push(line),
        summary: (line) => messages.push(line),
        end: (exitCode) => {
          io.out(JSON.stringify({ exitCode, findings, messages }));
          findings = [];
          messages = [];
        },
      };
    }
  }
}

/** `metrics.yaml:12:5: error: message [rule]`, or `path: error: message [rule]` without a place. */
export function textLine(finding: Finding): string {
  if (finding.line !== undefined) {
    return formatDiagnostic({ ...finding, line: finding.line, col: finding.col ?? 1, pointer: finding.pointer ?? '' });
  }
  return `${finding.file}: ${finding.severity}: ${finding.message} [${finding.rule}]`;
}

/**
 * `::error file=metrics.yaml,line=12,col=5,title=rule-id::message`. GitHub reads a command per line,
 * so line breaks and `%` in the message are percent-encoded, and in properties `:` and `,` as well.
 */
export function githubCommand(finding: Finding): string {
  const properties = [`file=${escapeProperty(finding.file)}`];
  if (finding.line !== undefined) properties.push(`line=${finding.line}`, `col=${finding.col ?? 1}`);
  properties.push(`title=${escapeProperty(finding.rule)}`);
  return `::${finding.severity} ${properties.join(',')}::${escapeData(finding.message)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
