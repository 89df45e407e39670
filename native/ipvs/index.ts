/** native/ipvs: IPVS virtual services and real servers over generic netlink. */
export * from './types.js';
export * from './constants.js';
export { encodeService, encodeServiceKey, encodeDest, decodeService, decodeDest, decodeStats, describeService } from './codec.js';
export { GenlIpvs, openIpvs, resolveFamily, type GenlFamily } from './client.js';
export { GenlSocket, NetlinkErrnoError, type GenlTransport } from './socket.js';
export { ipBytes, ipFromBytes, formatIpv6 } from './addr.js';
