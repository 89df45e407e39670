// kube-apiserver started again over the state it left (the same sqlite data
// dir): bootstrap finds its namespaces, the kubernetes Service (same cluster
// IP) and priority classes in place instead of failing to re-create them.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scheme } from '../../../controlplane/api/scheme.js';
import { apiHooks } from '../../../controlplane/apiserver/hooks.js';
import { ApiServer } from '../../../controlplane/apiserver/server.js';
import { openStore } from '../../../controlplane/storage/factory.js';

test('a second start over the same data bootstraps cleanly and keeps the kubernetes Service', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-apiserver-restart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ips: string[] = [];
  for (let start = 0; start < 2; start++) {
    const store = await openStore({ backend: 'sqlite', dataDir: dir });
    const api = new ApiServer({ scheme, store, hooks: apiHooks, serverAddress: '127.0.0.1:0' });
    try {
      await t.notThrowsAsync(api.bootstrap(), `start ${start + 1}`);
      const svc = (await store.get('/services/default/kubernetes'));
      t.truthy(svc, 'the kubernetes Service exists');
      ips.push((JSON.parse(Buffer.from(svc!.value).toString()) as { spec: { clusterIP: string } }).spec.clusterIP);
    } finally {
      await api.close();
      await store.close();
    }
  }
  t.is(ips[0], ips[1]);
});
