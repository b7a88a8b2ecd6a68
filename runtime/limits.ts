/**
 * What one client can make the HTTP side hold: requests in progress and response bytes not yet taken
 * by the operating system, per connection and in total (`ResponseLimiter`, used by every
 * metricsHandler, whatever server it is mounted in); and, for the server the runtime owns, how many
 * connections are open (`ConnectionCap`).
 *
 * Node's HTTP server calls the handler for every pipelined request as soon as it is parsed and keeps
 * each response in memory until the client reads the ones before it, so a client that pipelines and
 * never reads makes the server buffer without bound. Cutting such a connection is the only remedy
 * a handler has: it cannot stop Node from parsing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Limits of a {@link ResponseLimiter}; see `MetricsHandlerOptions`. */
export interface ResponseLimits {
  readonly maxRequestsPerConnection: number;
  readonly maxBufferedBytesPerConnection: number;
  readonly maxBufferedBytes: number;
}

/** What one connection holds: requests received and not answered, response bytes not flushed. */
class ConnectionLoad {
  requests = 0;
  bytes = 0;
  /** Set once the socket closed or was cut: its bytes no longer count. */
  gone = false;
  constructor(readonly socket: Socket) {}
}

export class ResponseLimiter {
  /** Keyed by socket, so nothing is kept for a connection after it is gone, in any server. */
  private readonly loads = new WeakMap<Socket, ConnectionLoad>();
  /** Connections holding unflushed bytes: where to look when the total is over its limit. */
  private readonly buffering = new Set<ConnectionLoad>();
  private total = 0;

  constructor(private readonly limits: ResponseLimits) {}

  /** Unflushed response bytes over all connections (for tests and diagnostics). */
  get bufferedBytes(): number {
    return this.total;
  }

  /**
   * Counts a request on its connection. Returns the connection's load, or undefined when the
   * connection is gone or has too many requests in progress, in which case it has been cut and no
   * response must be written.
   */
  admit(req: IncomingMessage, res: ServerResponse): ConnectionLoad | undefined {
    const socket = req.socket;
    if (socket.destroyed) return undefined;
    let load = this.loads.get(socket);
    if (load === undefined) {
      const created = new ConnectionLoad(socket);
      this.loads.set(socket, created);
      socket.once('close', () => this.forget(created));
      load = created;
    }
    if (load.gone) return undefined;
    if (load.requests >= this.limits.maxRequestsPerConnection) {
      this.cut(load);
      return undefined;
    }
    load.requests++;
    const connection = load;
    let answered = false;
    res.once('close', () => {
      if (answered) return;
      answered = true;
      connection.requests--;
    });
    return load;
  }

  /**
   * Reserves `bytes` of response for `res` until it is flushed. Returns false, having cut the
   * connection, when that would put the connection over its limit (a connection with nothing
   * pending may always take one response, however large); when the total goes over its limit, the
   * connections holding the most are cut first.
   */
  reserve(load: ConnectionLoad, res: ServerResponse, bytes: number): boolean {
    if (load.gone) return false;
    if (load.bytes > 0 && load.bytes + bytes > this.limits.maxBufferedBytesPerConnection) {
      this.cut(load);
      return false;
    }
    load.bytes += bytes;
    this.total += bytes;
    this.buffering.add(load);
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      if (load.gone) return;
      load.bytes -= bytes;
      this.total -= bytes;
      if (load.bytes === 0) this.buffering.delete(load);
    };
    // 'finish': handed to the OS; 'close' without 'finish': aborted.
    res.once('finish', release);
    res.once('close', release);
    while (this.total > this.limits.maxBufferedBytes) {
      const heaviest = this.heaviest();
      // The only thing over the limit is this one response on a connection holding nothing else.
      if (heaviest === undefined || (heaviest === load && load.bytes === bytes)) break;
      this.cut(heaviest);
      if (heaviest === load) return false;
    }
    return true;
  }

  private heaviest(): ConnectionLoad | undefined {
    let found: ConnectionLoad | undefined;
    for (const load of this.buffering) if (found === undefined || load.bytes > found.bytes) found = load;
    return found;
  }

  private cut(load: ConnectionLoad): void {
    this.forget(load);
    load.socket.destroy();
  }

  private forget(load: ConnectionLoad): void {
    if (load.gone) return;
    load.gone = true;
    this.total -= load.bytes;
    load.bytes = 0;
    this.buffering.delete(load);
  }
}

/** A connection of a {@link ConnectionGuard}: how many requests it has in progress. */
interface Connection {
  busy: number;
}

const END_OF_HEADERS = Buffer.from('\r\n\r\n');

/**
 * The connections of a server the runtime owns.
 *
 * At most `maxConnections` are open. When a new one arrives at the cap, the connection that has gone
 * longest without starting a request and has none in progress is closed to make room: a client
 * still sending its headers (a slowloris) or an idle keep-alive one. If every connection has a
 * request in progress, the one whose request started first goes (a legitimate scrape takes
 * milliseconds; one stuck that long is a client that does not read). So a flood of slow or idle
 * connections can never lock a scraper out, and this server never runs the process out of file
 * descriptors.
 *
 * Pipelined requests are counted before Node parses them: Node spends tens of microseconds on each
 * parsed request even when the handler ignores it, so a connection that pipelines thousands would
 * hold the event loop for seconds. A chunk that would take a connection past `maxPipelined`
 * requests in progress closes it unparsed. This sits between the socket and Node's parser by
 * re-registering the parser's own 'data' listener (which moves parsing from C++ to the JavaScript
 * path Node uses for TLS); if Node ever stops exposing that listener, the guard steps aside and the
 * handler's own limits still apply.
 */
export class ConnectionGuard {
  /** In order of last activity (connection, or start of a request): the first is the oldest. */
  private readonly open = new Map<Duplex, Connection>();

  constructor(
    private readonly maxConnections: number,
    private readonly maxPipelined: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Whether a response is in progress on `socket` (then nothing else may be written to it). */
  isBusy(socket: Duplex): boolean {
    return (this.open.get(socket)?.busy ?? 0) > 0;
  }

  /** For the server's 'connection' event; must be registered after Node's own listener (it is). */
  readonly onConnection = (socket: Duplex): void => {
    while (this.open.size >= this.maxConnections) {
      const victim = this.evictable();
      if (victim === undefined) break;
      this.open.delete(victim);
      victim.destroy();
    }
    const connection: Connection = { busy: 0 };
    this.open.set(socket, connection);
    socket.once('close', () => this.open.delete(socket));
    this.countBeforeParsing(socket, connection);
  };

  /** For the server's 'request' event. */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const connection = this.open.get(socket);
    if (connection === undefined || socket.destroyed) return;
    // Move it to the end: it is the most recently active now.
    this.open.delete(socket);
    this.open.set(socket, connection);
    connection.busy++;
    res.once('close', () => {
      connection.busy--;
    });
  };

  private countBeforeParsing(socket: Duplex, connection: Connection): void {
    const parserListeners = socket.listeners('data') as ((chunk: Buffer) => void)[];
    if (parserListeners.length === 0) return;
    for (const listener of parserListeners) socket.removeListener('data', listener);
    socket.on('data', (chunk: Buffer) => {
      if (socket.destroyed) return;
      if (connection.busy + countUpTo(chunk, END_OF_HEADERS, this.maxPipelined - connection.busy + 1) > this.maxPipelined) {
        socket.destroy();
        return;
      }
      for (const listener of parserListeners) listener.call(socket, chunk);
    });
  }

  private evictable(): Duplex | undefined {
    let first: Duplex | undefined;
    for (const [socket, connection] of this.open) {
      if (connection.busy === 0) return socket;
      first ??= socket;
    }
    return first;
  }
}

/** Occurrences of `needle` in `chunk`, counting no further than `limit`. */
function countUpTo(chunk: Buffer, needle: Buffer, limit: number): number {
  let count = 0;
  for (let at = chunk.indexOf(needle); at !== -1 && count < limit; at = chunk.indexOf(needle, at + needle.length)) count++;
  return count;
}
