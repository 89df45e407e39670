/** host-local IPAM plugin executable (bin/cni/host-local). */
import { pluginMain } from '../../spec/skel.js';
import { hostLocal } from './hostlocal.js';

await pluginMain(hostLocal, { name: 'host-local' });
