/**
 * The HTTP server of the demo and of `simulate`: the runtime's handler plus a few routes of their
 * own, hardened because these servers face whatever a curious user or a scanner sends. No request
 * can throw out of the handler, every response says `X-Content-Type-Options: nosniff`, and no
 * response repeats what the request said.
 */
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpAppOptions {
  readonly port: number;
  readonly host: string;
  readonly handle: RequestHandler;
}

export interface HttpApp {
  readonly server: Server;
  /** The port actually bound (port 0 resolved). */
  readonly port: number;
  readonly url: string;
  /** Closes the server; resolves once every connection is closed. Safe to call twice. */
  stop(): Promise<void>;
}

const PLAIN_TYPE = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Listens on `host:port` with `handle` behind the guards. Rejects with the listen error (e.g.
 * EADDRINUSE).
 */
export async function startHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const server = http.createServer((req, res) => guarded(options.handle, req, res));
  // Requests Node's parser refuses (bad method, huge headers or URL) never reach the handler.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => rejectMalformed(error, socket));
  // Nothing here proxies: a CONNECT gets a plain refusal instead of a silently dropped connection.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nX-Content-Type-Options: nosniff\r\nAllow: GET, HEAD, POST, PUT, DELETE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${urlHost(options.host)}:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Scrapers keep connections alive; give in-flight responses a moment, then cut the rest.
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
      return stopping;
    },
  };
}

function guarded(handle: RequestHandler, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // A reset or aborted client must not surface as an 'error' event nobody listens to.
  req.on('error', () => req.destroy());
  res.on('error', () => res.destroy());
  try {
    handle(req, res);
  } catch {
    if (!res.headersSent) sendText(req, res, 500, 'internal error\n');
    else res.destroy();
  }
}

function rejectMalformed(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

/** The path of a request: no query, no decoding (routes compare the raw text). */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export function sendText(req: IncomingMessage, res: ServerResponse, status: number, body: string, type = PLAIN_TYPE): void {
  // A request body, if any, is not needed: read and discard it so keep-alive connections stay usable.
  req.resume();
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  sendText(req, res, status, `${JSON.stringify(body)}\n`, JSON_TYPE);
}

/** A host as it appears in a URL; wildcard addresses become loopback, which is what a local client can reach. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
