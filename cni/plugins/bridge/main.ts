/** bridge plugin executable (bin/cni/bridge). */
import { pluginMain } from '../../spec/skel.js';
import { bridgePlugin } from './bridge.js';

await pluginMain(bridgePlugin, { name: 'bridge' });
