/** bridge plugin executable (bin/cni/bridge). */
import { fileURLToPath } from 'node:url';
import { hostLocal } from '../../ipam/host-local/hostlocal.js';
import { runInProcess } from '../../spec/invoke.js';
import { pluginMain } from '../../spec/skel.js';
import { bridgePlugin } from './bridge.js';

// IPAM through our own installed host-local runs here rather than in a second Node (invoke.ts).
runInProcess(fileURLToPath(new URL('../../ipam/host-local/main.js', import.meta.url)), hostLocal, { name: 'host-local' });
await pluginMain(bridgePlugin, { name: 'bridge' });
