/**
 * Reading the catalogue file, the one input of the generator: with the limits checked on its stat
 * before any byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { Diagnostic } from './catalog/diagnostics.js';
import { MAX_CATALOG_BYTES } from './catalog/load.js';

const START = { line: 1, col: 1 } as const;

/**
 * The catalogue's text, or why it is refused. It is refused from its stat, before a byte is read,
 * when it is not a regular file (a FIFO would block, a device never ends) or is over the limit;
 * the read is capped anyway, since the file may grow between the stat and the read.
 */
export function readCatalogFile(file: string): { readonly text: string } | { readonly diagnostic: Diagnostic } {
  const refuse = (rule: string, message: string): { diagnostic: Diagnostic } => ({
    diagnostic: { severity: 'error', rule, message, pointer: '', file, line: START.line, col: START.col },
  });
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once and its stat can refuse it.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return refuse('catalog-unreadable', `cannot read the catalogue: ${reason}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return refuse('catalog-unreadable', `cannot read the catalogue: it is ${fileKind(stats)}, not a regular file`);
    if (stats.size > MAX_CATALOG_BYTES) return refuse('yaml-too-large', `catalogue is ${stats.size} bytes, over the limit of ${MAX_CATALOG_BYTES}`);
    const buffer = Buffer.alloc(MAX_CATALOG_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (read === 0) break;
      filled += read;
    }
    if (filled > MAX_CATALOG_BYTES) return refuse('yaml-too-large', `catalogue grew over the limit of ${MAX_CATALOG_BYTES} bytes while being read`);
    return { text: buffer.subarray(0, filled).toString('utf8') };
  } catch (error) {
    return refuse('catalog-unreadable', `cannot read the catalogue: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
