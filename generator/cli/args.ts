/** The command line: commands, flags, and the usage errors (exit 2) they can make. */
import { parseArgs } from 'node:util';
import { FORMATS } from './report.js';
import type { Format } from './report.js';

export const USAGE = `usage: lazybird-metrics <command> [options]

commands:
  init       write a small, commented catalogue to start from (never overwrites a file)
  generate   validate the catalogue and write generated/, dashboards/, alerts/
  check      validate, fail on stale outputs, print the series budget (same as generate --check)
  simulate   serve plausible values for every series of the catalogue (simulate --help for its options)

options:
  --catalog PATH   catalogue file (default: metrics.yaml)
  --out DIR        folder the outputs are written under (default: .)
  --check          write nothing; exit 1 when an output is stale, missing or extra
  --against REF    with check or --check: also fail on breaking changes against an earlier catalogue,
                   a file or a git revision (check compares with HEAD by default; --against none skips)
  --live URL       with check: scrape a running exporter (e.g. http://127.0.0.1:9464/metrics) and
                   report what differs from the catalogue instead of checking the outputs
  --timeout SECS   with --live: how long to wait for the whole answer (default 10)
  --format FORMAT  how findings print: text (default), json (one document per run on stdout) or
                   github (workflow commands: annotations in GitHub Actions)
  --watch          with generate: regenerate on every change of the catalogue until Ctrl-C
  --help           this text

exit codes: 0 ok, 1 invalid catalogue, stale outputs or findings, 2 usage error, 3 internal error`;

export const COMMANDS = ['init', 'generate', 'check'] as const;

export interface Command {
  readonly command: (typeof COMMANDS)[number];
  readonly catalog: string;
  readonly out: string;
  readonly check: boolean;
  /** URL of a running exporter's /metrics, for `check --live`. */
  readonly live: string | undefined;
  /** Seconds `check --live` waits for the whole answer. */
  readonly timeoutSeconds: number | undefined;
  /** Earlier catalogue for the breaking-change check: a file, a git revision or 'none'. */
  readonly against: string | undefined;
  readonly format: Format;
  readonly watch: boolean;
}

export class UsageError extends Error {}

/** The parsed command, or 'help'. Throws UsageError (or parseArgs' own errors, see isParseArgsError). */
export function parseCommand(argv: readonly string[]): Command | 'help' {
  const parsed = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      catalog: { type: 'string', default: 'metrics.yaml' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      live: { type: 'string' },
      against: { type: 'string' },
      timeout: { type: 'string' },
      format: { type: 'string', default: 'text' },
      watch: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const { values } = parsed;
  if (values.help) return 'help';
  const [command, ...rest] = parsed.positionals;
  if (command === undefined) throw new UsageError('missing command');
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const format = values.format;
  if (!isFormat(format)) throw new UsageError(`unknown --format "${format}": use ${FORMATS.join(', ')}`);
  if (values.catalog === '') throw new UsageError('--catalog needs a file');
  if (command === 'init') {
    const extra = (['out', 'check', 'live', 'against', 'watch'] as const).find((flag) => values[flag] !== undefined && values[flag] !== false);
    if (extra !== undefined) throw new UsageError(`--${extra} does not go with init (it takes --catalog)`);
  }
  const live = values.live;
  if (live !== undefined) {
    if (command !== 'check') throw new UsageError('--live goes with the check command');
    if (live === '') throw new UsageError('--live needs the URL of a running exporter');
    if (values.out !== undefined || values.check) throw new UsageError('--live checks a running exporter, not outputs: drop --out and --check');
  }
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    if (live === undefined) throw new UsageError('--timeout goes with check --live');
    timeoutSeconds = Number(values.timeout);
    if (!/^\d+(\.\d+)?$/.test(values.timeout) || !(timeoutSeconds > 0 && timeoutSeconds <= 3600)) throw new UsageError(`--timeout ${values.timeout}: seconds, more than 0 and at most 3600`);
  }
  const against = values.against;
  if (against !== undefined && command !== 'check' && !values.check) throw new UsageError('--against goes with check or --check');
  if (against === '') throw new UsageError('--against needs a file or a git revision');
  if (against?.startsWith('-')) throw new UsageError(`--against ${against}: a file or revision cannot start with "-" (write ./${against} for a file)`);
  if (values.watch && (command !== 'generate' || values.check)) throw new UsageError('--watch goes with generate (without --check)');
  return { command, catalog: values.catalog, out: values.out ?? '.', check: values.check, live, timeoutSeconds, against, format, watch: values.watch };
}

function isCommand(name: string): name is Command['command'] {
  return (COMMANDS as readonly string[]).includes(name);
}

function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

export function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');
}
