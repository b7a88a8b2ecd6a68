/**
 * Faults the demo can inject, by flag (`--fault NAME`) or at runtime over HTTP, and the alert of
 * alerts/ that each one is meant to set off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const FAULTS = {
  degradation: {
    description: 'quality scores drop by 20% (the alert fires on a drop of more than 5%)',
    alert: 'QualityScoreDegraded',
  },
  spike: {
    description: 'task durations jump by 40 s, many standard deviations above their usual spread',
    alert: 'TaskDurationAnomaly',
  },
  errors: {
    description: 'an error burst: 30% of the calls to one external service fail (the alert fires above 5%)',
    alert: 'ExternalApiErrorRatioHigh',
  },
  silence: {
    description: 'tasks stop completing: no task metric is recorded, while the exporter still serves',
    alert: 'TasksStalled',
  },
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** The set of active faults; the workload reads it on every tick. */
export class FaultSet {
  private readonly active = new Set<FaultName>();

  constructor(initial: Iterable<FaultName> = []) {
    for (const fault of initial) this.active.add(fault);
  }

  has(fault: FaultName): boolean {
    return this.active.has(fault);
  }

  set(fault: FaultName, on: boolean): void {
    if (on) this.active.add(fault);
    else this.active.delete(fault);
  }

  clear(): void {
    this.active.clear();
  }

  /** Active faults in FAULT_NAMES order. */
  list(): FaultName[] {
    return FAULT_NAMES.filter((f) => this.active.has(f));
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `/faults` routes: `GET /faults` lists them, `POST /faults/NAME` turns one on, `DELETE
 * /faults/NAME` turns it off, `DELETE /faults` clears all. Returns false for any other path, so the
 * caller can hand the request on.
 */
export function handleFaultRequest(faults: FaultSet, req: IncomingMessage, res: ServerResponse, onChange?: (message: string) => void): boolean {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const match = /^\/faults(?:\/([^/]*))?\/?$/.exec(path);
  if (!match) return false;
  const name = match[1] === undefined || match[1] === '' ? undefined : decodeURIComponent(match[1]);
  const state = (): object => ({
    active: faults.list(),
    available: Object.fromEntries(FAULT_NAMES.map((f) => [f, { ...FAULTS[f], active: faults.has(f) }])),
  });

  if (name === undefined) {
    if (req.method === 'GET' || req.method === 'HEAD') return reply(req, res, 200, state());
    if (req.method === 'DELETE') {
      faults.clear();
      onChange?.('all faults cleared');
      return reply(req, res, 200, state());
    }
    res.setHeader('Allow', 'GET, HEAD, DELETE');
    return reply(req, res, 405, { error: 'method not allowed' });
  }
  if (!isFaultName(name)) return reply(req, res, 404, { error: `unknown fault "${name}"`, available: FAULT_NAMES });
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE') {
    const on = req.method !== 'DELETE';
    faults.set(name, on);
    onChange?.(`fault ${name} ${on ? 'on' : 'off'}`);
    return reply(req, res, 200, state());
  }
  if (req.method === 'GET' || req.method === 'HEAD') return reply(req, res, 200, { fault: name, ...FAULTS[name], active: faults.has(name) });
  res.setHeader('Allow', 'GET, HEAD, POST, PUT, DELETE');
  return reply(req, res, 405, { error: 'method not allowed' });
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, body: object): true {
  // A POST body, if any, is not needed: read and discard it so keep-alive connections stay usable.
  req.resume();
  const text = `${JSON.stringify(body)}\n`;
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') res.end();
  else res.end(text);
  return true;
}
