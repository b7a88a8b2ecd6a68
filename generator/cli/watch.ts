/**
 * `generate --watch`: generate now, then again on every change of the catalogue, until the signal
 * aborts (SIGINT/SIGTERM). The folder is watched, not the file: editors that save by writing a new
 * file and renaming it over the old one replace the file a file watcher would hold. Changes are
 * debounced, since one save is often several events.
 */
import { watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { EXIT } from './exit.js';
import type { Io } from './report.js';

export const WATCH_DEBOUNCE_MS = 100;

/** Runs `generate` once, then on each change; resolves EXIT.ok when `io.signal` aborts. */
export function watchCatalog(catalogPath: string, generate: () => number, io: Io): Promise<number> {
  const file = basename(catalogPath);
  const folder = dirname(resolve(catalogPath));
  const announce = (): void => io.err(`watching ${catalogPath} for changes (Ctrl-C to stop)`);
  generate();
  announce();
  return new Promise((done, fail) => {
    let timer: NodeJS.Timeout | undefined;
    let watcher: ReturnType<typeof watch>;
    const stop = (): void => {
      clearTimeout(timer);
      watcher.close();
      done(EXIT.ok);
    };
    try {
      watcher = watch(folder, { persistent: true }, (_event, changed) => {
        // Some platforms do not name the file; then any change in the folder may be ours.
        if (changed !== null && changed !== file) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          generate();
          announce();
        }, WATCH_DEBOUNCE_MS);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      io.err(`${catalogPath}: error: cannot watch the catalogue: its folder ${folder} does not exist [catalog-unreadable]`);
      done(EXIT.invalid);
      return;
    }
    watcher.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
}
