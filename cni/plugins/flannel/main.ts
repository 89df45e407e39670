/** flannel plugin executable (bin/cni/flannel). */
import { fileURLToPath } from 'node:url';
import { hostLocal } from '../../ipam/host-local/hostlocal.js';
import { runInProcess } from '../../spec/invoke.js';
import { pluginMain } from '../../spec/skel.js';
import { bridgePlugin } from '../bridge/bridge.js';
import { flannelPlugin } from './flannel.js';

// flannel → bridge → host-local: our own installed delegates run in this process (invoke.ts).
runInProcess(fileURLToPath(new URL('../bridge/main.js', import.meta.url)), bridgePlugin, { name: 'bridge' });
runInProcess(fileURLToPath(new URL('../../ipam/host-local/main.js', import.meta.url)), hostLocal, { name: 'host-local' });
await pluginMain(flannelPlugin, { name: 'flannel' });
