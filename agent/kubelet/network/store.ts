/**
 * What the network plugin did per sandbox, on disk under
 * `<root-dir>/network/<sandbox-id>.json`: the IPs for status after a kubelet
 * restart, and the CNI ADD result that CHECK and DEL need (libcni keeps the
 * same in /var/lib/cni/results). Reads are served from memory after load().
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxId } from '../types.js';

export interface SandboxNetwork {
  ips: string[];
  podUID: string;
  podName: string;
  podNamespace: string;
  /** The network (conflist) name and the raw ADD result, for CHECK/DEL. */
  network?: string;
  result?: unknown;
  /** The conflist used at ADD, so DEL runs the same plugins even if the directory changed. */
  config?: unknown;
  ports?: unknown[];
}

export class NetworkStore {
  // Guarded by nothing (single-threaded); mirrors the directory.
  private readonly entries = new Map<SandboxId, SandboxNetwork>();

  constructor(private readonly dir: string) {}

  load(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        this.entries.set(f.slice(0, -5), JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as SandboxNetwork);
      } catch {
        // A torn write from a crash: the sandbox will be re-created, which re-records it.
      }
    }
  }

  get(id: SandboxId): SandboxNetwork | undefined {
    return this.entries.get(id);
  }

  ids(): SandboxId[] {
    return [...this.entries.keys()];
  }

  set(id: SandboxId, v: SandboxNetwork): void {
    this.entries.set(id, v);
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${id}.tmp`);
    writeFileSync(tmp, JSON.stringify(v));
    renameSync(tmp, join(this.dir, `${id}.json`));
  }

  delete(id: SandboxId): void {
    this.entries.delete(id);
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }
}
