/**
 * Child process for the crash-safety case: opens a store from argv[2]
 * (a StoreConfig as JSON), writes keys with 4 in flight and prints
 * "ack <key>" after each write's promise resolved. It never exits by itself;
 * the test kills it with SIGKILL. Failed writes (etcd down) print "err" and
 * the burst goes on.
 */
import { writeSync } from 'node:fs';
import { openStore, type StoreConfig } from '../../../controlplane/storage/factory.js';

const cfg = JSON.parse(process.argv[2]) as StoreConfig;
const store = await openStore(cfg);
let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const key = `/registry/crash/k${String(next++).padStart(7, '0')}`;
    try {
      await store.create(key, new TextEncoder().encode(`value-of-${key}`));
      // writeSync: the ack is on the pipe before the next write starts.
      writeSync(1, `ack ${key}\n`);
    } catch (err) {
      writeSync(1, `err ${key} ${(err as Error).message.split('\n')[0]}\n`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
