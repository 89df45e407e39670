/**
 * An in-process kube-apiserver on an ephemeral loopback port, over a real
 * store (a sqlite file in a temp dir, or a real etcd from the etcd harness).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { scheme } from '../../controlplane/api/scheme.js';
import { openStore } from '../../controlplane/storage/factory.js';
import type { Store } from '../../controlplane/storage/types.js';
import { ApiServer, type ApiServerOptions } from '../../controlplane/apiserver/server.js';
import { apiHooks } from '../../controlplane/apiserver/hooks.js';

export interface TestApiServer {
  url: string;
  api: ApiServer;
  store: Store;
  stop(): Promise<void>;
}

export async function startApiServer(opts: { backend?: 'sqlite' | 'etcd3'; etcdServers?: string[]; etcdPrefix?: string; watchCache?: boolean; api?: Partial<ApiServerOptions> } = {}): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-apiserver-'));
  const store = await openStore({
    backend: opts.backend ?? 'sqlite',
    dataDir: dir,
    etcdServers: opts.etcdServers,
    etcdPrefix: opts.etcdPrefix ?? `/registry-${Math.random().toString(36).slice(2, 8)}`,
  });
  let server: Server | undefined;
  const api = new ApiServer({ scheme, store, hooks: apiHooks, serverAddress: '127.0.0.1:0', watchCache: { enabled: opts.watchCache ?? true }, ...opts.api });
  await api.bootstrap();
  server = createServer(api.handle);
  server.on('upgrade', api.handleUpgrade);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    api,
    store,
    stop: async () => {
      await api.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
