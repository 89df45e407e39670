/**
 * Static pods from --pod-manifest-path (or --config): a file, or every
 * non-hidden file of a directory, re-read every --file-check-frequency and
 * right after a change the directory watch notices. Each pass hands the
 * complete set to `update` (it may be unchanged; the pod manager diffs).
 * A bad file is logged once (again only when its error changes) and skipped;
 * the other files' pods still run. A missing path is an empty set.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { ManifestError, parseManifest } from './manifest.js';

export interface FileSourceOptions {
  path: string;
  nodeName: string;
  periodMs: number;
  update(pods: Pod[]): void;
  log: Logger;
  clock?: Clock;
}

export class FileSource {
  // Guarded by nothing: the last error per file, so each is logged once.
  private readonly errors = new Map<string, string>();
  private missingLogged = false;

  constructor(private readonly o: FileSourceOptions) {}

  /** One pass over the path. */
  async read(): Promise<Pod[]> {
    let files: string[];
    try {
      const st = await stat(this.o.path);
      files = st.isDirectory() ? (await readdir(this.o.path)).filter((f) => !f.startsWith('.')).sort().map((f) => join(this.o.path, f)) : [this.o.path];
      this.missingLogged = false;
    } catch (e) {
      if (!this.missingLogged) this.o.log.warn('unable to read the pod manifest path', { path: this.o.path, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      this.missingLogged = true;
      return [];
    }
    const pods: Pod[] = [];
    const seenFiles = new Set<string>();
    for (const f of files) {
      seenFiles.add(f);
      try {
        const st = await stat(f);
        if (!st.isFile()) continue;
        pods.push(...parseManifest(await readFile(f, 'utf8'), { nodeName: this.o.nodeName, kind: 'file', origin: f }));
        if (this.errors.delete(f)) this.o.log.info('pod manifest is valid again', { file: f });
      } catch (e) {
        const msg = e instanceof ManifestError ? e.message : `${f}: ${(e as Error).message}`;
        if (this.errors.get(f) !== msg) this.o.log.error('could not process a pod manifest; skipping it', { file: f, err: msg });
        this.errors.set(f, msg);
      }
    }
    for (const f of [...this.errors.keys()]) if (!seenFiles.has(f)) this.errors.delete(f);
    return pods;
  }

  async run(signal: AbortSignal): Promise<void> {
    const clock = this.o.clock ?? realClock;
    let wake: (() => void) | undefined;
    let watcher: FSWatcher | undefined;
    const startWatch = () => {
      if (watcher) return;
      try {
        watcher = watch(this.o.path, () => wake?.());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // Not there yet: the periodic pass notices it, and the watch is retried then.
      }
    };
    try {
      while (!signal.aborted) {
        startWatch();
        this.o.update(await this.read());
        await new Promise<void>((resolve) => {
          const cancel = clock.setTimer(resolve, this.o.periodMs);
          const onAbort = () => {
            cancel();
            resolve();
          };
          signal.addEventListener('abort', onAbort, { once: true });
          // Editors write in several steps: wait a moment for the file to settle.
          wake = () => {
            cancel();
            signal.removeEventListener('abort', onAbort);
            setTimeout(resolve, 100);
          };
        });
        wake = undefined;
      }
    } finally {
      watcher?.close();
    }
  }
}
