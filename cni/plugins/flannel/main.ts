/** flannel plugin executable (bin/cni/flannel). */
import { pluginMain } from '../../spec/skel.js';
import { flannelPlugin } from './flannel.js';

await pluginMain(flannelPlugin, { name: 'flannel' });
