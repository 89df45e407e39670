/**
 * openStore: the one place the apiserver turns flags into a Store.
 *
 * --etcd-servers-overrides (a Store per group/resource) is the caller's loop:
 * call openStore once per override with that override's etcdServers, and route
 * keys by resource; nothing here is shared between Stores.
 */
import { Etcd3Store } from './etcd3/store.js';
import { MemoryStore } from './memory/store.js';
import { SqliteStore } from './sqlite/store.js';
import { StoreError, type Store } from './types.js';

export type StoreBackend = 'sqlite' | 'etcd3' | 'memory';

export interface StoreConfig {
  backend: StoreBackend;
  /** sqlite: directory of state.db. */
  dataDir?: string;
  /** etcd3: client URLs (--etcd-servers). */
  etcdServers?: string[];
  /** etcd3: key prefix (--etcd-prefix), default '/registry'. */
  etcdPrefix?: string;
  etcdCAFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

export async function openStore(cfg: StoreConfig): Promise<Store> {
  switch (cfg.backend) {
    case 'sqlite':
      if (!cfg.dataDir) throw new StoreError('Unavailable', '', 'sqlite backend needs a data dir');
      return new SqliteStore({ dataDir: cfg.dataDir });
    case 'etcd3': {
      if (!cfg.etcdServers || cfg.etcdServers.length === 0) throw new StoreError('Unavailable', '', 'etcd3 backend needs --etcd-servers');
      const store = new Etcd3Store({
        endpoints: cfg.etcdServers,
        prefix: cfg.etcdPrefix ?? '/registry',
        ...(cfg.etcdCAFile ? { caFile: cfg.etcdCAFile } : {}),
        ...(cfg.etcdCertFile ? { certFile: cfg.etcdCertFile } : {}),
        ...(cfg.etcdKeyFile ? { keyFile: cfg.etcdKeyFile } : {}),
      });
      return store;
    }
    case 'memory':
      return new MemoryStore();
  }
}

/** Parses --etcd-servers-overrides: "group/resource#url;url,group/resource#url" → one entry per resource. */
export function parseEtcdServersOverrides(flag: string): { group: string; resource: string; servers: string[] }[] {
  if (flag.trim() === '') return [];
  return flag.split(',').map((entry) => {
    const [gr, urls] = entry.split('#');
    const slash = gr?.indexOf('/') ?? -1;
    if (!gr || !urls || slash < 0) throw new StoreError('Unavailable', '', `bad --etcd-servers-overrides entry ${JSON.stringify(entry)}: want group/resource#servers`);
    return { group: gr.slice(0, slash), resource: gr.slice(slash + 1), servers: urls.split(';').filter((u) => u !== '') };
  });
}
