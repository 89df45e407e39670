/** portmap plugin executable (bin/cni/portmap). */
import { pluginMain } from '../../spec/skel.js';
import { portmapPlugin } from './portmap.js';

await pluginMain(portmapPlugin, { name: 'portmap' });
