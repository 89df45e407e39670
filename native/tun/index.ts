export { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_TUN, TunDevice, TunError, createPersistentTun, encodeIfreq, tunFlags, type TunOptions } from './tun.js';
