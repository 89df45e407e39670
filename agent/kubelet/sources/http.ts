/**
 * Static pods from --manifest-url, fetched every --http-check-frequency with
 * the optional --manifest-url-header (`Key:Value`). The body is one Pod or a
 * PodList/List, YAML or JSON. A failed fetch or a bad body keeps the last
 * good set (logged once per distinct error): a flaky web server must not
 * kill running static pods.
 */
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { ManifestError, parseManifest } from './manifest.js';

export interface HttpSourceOptions {
  url: string;
  /** `Key:Value`, or ''. */
  header: string;
  nodeName: string;
  periodMs: number;
  update(pods: Pod[]): void;
  log: Logger;
  clock?: Clock;
}

export class HttpSource {
  private lastBody?: string;
  private lastError = '';

  constructor(private readonly o: HttpSourceOptions) {}

  async read(signal?: AbortSignal): Promise<Pod[] | undefined> {
    const headers: Record<string, string> = {};
    if (this.o.header) {
      const i = this.o.header.indexOf(':');
      if (i > 0) headers[this.o.header.slice(0, i).trim()] = this.o.header.slice(i + 1).trim();
    }
    try {
      // A server that never answers must not stall the source: 30 s per fetch.
      const timeout = AbortSignal.timeout(30_000);
      const res = await fetch(this.o.url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (res.status !== 200) throw new Error(`${this.o.url}: ${res.status} ${res.statusText}`);
      const body = await res.text();
      const pods = body.trim() === '' ? [] : parseManifest(body, { nodeName: this.o.nodeName, kind: 'http', origin: this.o.url });
      if (this.lastError) this.o.log.info('manifest URL is readable again', { url: this.o.url });
      this.lastError = '';
      this.lastBody = body;
      return pods;
    } catch (e) {
      if (signal?.aborted) return undefined;
      const msg = e instanceof ManifestError ? e.message : (e as Error).message;
      if (msg !== this.lastError) this.o.log.error('could not read pods from the manifest URL; keeping the last good set', { url: this.o.url, err: msg });
      this.lastError = msg;
      return undefined;
    }
  }

  /** Whether a body was read at least once (the source is "ready"). */
  get loaded(): boolean {
    return this.lastBody !== undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    const clock = this.o.clock ?? realClock;
    while (!signal.aborted) {
      const pods = await this.read(signal);
      if (pods) this.o.update(pods);
      await clock.sleep(this.o.periodMs, signal);
    }
  }
}
