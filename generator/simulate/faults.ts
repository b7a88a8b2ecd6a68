/**
 * Faults a simulation can inject, by flag or at runtime over HTTP (`/faults`), for the demo's own
 * faults and for those `simulate` derives from any catalogue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf, sendJson } from './http.js';

/** What a fault does, in a sentence, and anything else a caller wants listed with it. */
export interface FaultDefinition {
  readonly description: string;
}

/** The active faults; the workload reads it on every tick. Lists keep the definitions' order. */
export class FaultSet<N extends string = string> {
  private readonly active = new Set<N>();
  readonly names: readonly N[];

  constructor(
    readonly definitions: Readonly<Record<N, FaultDefinition>>,
    initial: Iterable<N> = [],
  ) {
    this.names = Object.keys(definitions) as N[];
    for (const fault of initial) this.active.add(fault);
  }

  isName(name: string): name is N {
    return Object.hasOwn(this.definitions, name);
  }

  has(fault: N): boolean {
    return this.active.has(fault);
  }

  set(fault: N, on: boolean): void {
    if (on) this.active.add(fault);
    else this.active.delete(fault);
  }

  clear(): void {
    this.active.clear();
  }

  list(): N[] {
    return this.names.filter((f) => this.active.has(f));
  }
}

const FAULT_PATH = /^\/faults(?:\/([^/]*))?\/?$/;

/**
 * `/faults` routes: `GET /faults` lists them, `POST /faults/NAME` turns one on, `DELETE
 * /faults/NAME` turns it off, `DELETE /faults` clears all. Returns false for any other path, so the
 * caller can hand the request on. Names are compared as sent, undecoded: every fault name is plain
 * ASCII, so an encoded name is an unknown one, and a malformed encoding cannot throw.
 */
export function handleFaultRequest<N extends string>(faults: FaultSet<N>, req: IncomingMessage, res: ServerResponse, onChange?: (message: string) => void): boolean {
  const match = FAULT_PATH.exec(pathOf(req));
  if (!match) return false;
  const name = match[1] === undefined || match[1] === '' ? undefined : match[1];
  const state = (): object => ({
    active: faults.list(),
    available: Object.fromEntries(faults.names.map((f) => [f, { ...faults.definitions[f], active: faults.has(f) }])),
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
  // The name is not echoed back: a response must not carry what the request made up.
  if (!faults.isName(name)) return reply(req, res, 404, { error: 'unknown fault', available: faults.names });
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE') {
    const on = req.method !== 'DELETE';
    faults.set(name, on);
    onChange?.(`fault ${name} ${on ? 'on' : 'off'}`);
    return reply(req, res, 200, state());
  }
  if (req.method === 'GET' || req.method === 'HEAD') return reply(req, res, 200, { fault: name, ...faults.definitions[name], active: faults.has(name) });
  res.setHeader('Allow', 'GET, HEAD, POST, PUT, DELETE');
  return reply(req, res, 405, { error: 'method not allowed' });
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, body: object): true {
  sendJson(req, res, status, body);
  return true;
}
