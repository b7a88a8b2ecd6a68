/**
 * The demo as a user runs it: a child process of `node --conditions=lazybird-metrics:source --import tsx demo/main.ts` (what `npm run
 * demo` does, without npm's extra process), found by the URL it prints.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface DemoProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** Every demo started and not yet stopped: an afterAll (or the process exit hook) kills the rest. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnDemo(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=lazybird-metrics:source', '--import', 'tsx', join(ROOT, 'demo/main.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      running.delete(child);
      resolve(null);
    });
  });
  return { child, output: () => output, exited };
}

/** Starts the demo and waits (up to `timeoutMs`) for its "demo listening on URL" line. */
export async function startDemo(args: readonly string[], timeoutMs = 30_000): Promise<DemoProcess> {
  const { child, output, exited } = spawnDemo(args);
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /demo listening on (http:\/\/[^\s]+)/.exec(output());
    if (match?.[1]) {
      const url = match[1];
      return {
        url,
        port: Number(new URL(url).port),
        child,
        output,
        async stop(signal = 'SIGTERM', graceMs = 10_000) {
          if (done) return child.exitCode;
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.kill(signal);
          const code = await exited;
          clearTimeout(timer);
          return code;
        },
      };
    }
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the demo did not start (${done ? `exit ${child.exitCode}` : 'timed out'}):\n${output()}`);
    }
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or throws with `what` at the deadline. */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}
