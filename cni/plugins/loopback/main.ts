/** loopback plugin executable (bin/cni/loopback). */
import { pluginMain } from '../../spec/skel.js';
import { loopbackPlugin } from './loopback.js';

await pluginMain(loopbackPlugin, { name: 'loopback' });
