/** native/rtnetlink: typed, batched rtnetlink over a NETLINK_ROUTE socket (koffi for the socket calls, codec in TypeScript). */
export * from './types.js';
export { RtNetlinkClient, type RtNetlinkOptions } from './client.js';
export { NetlinkBatchError, NetlinkError, SysError, errnoName, errnoNumber, isNetlinkError, type BatchFailure } from './errors.js';
export { NetlinkSocket, CHUNK, type Exchange, type NetlinkSocketOptions } from './socket.js';
export { bytesToIp, bytesToMac, ipFamily, ipToBytes, macToBytes, parsePrefix, type Family, type Prefix } from './addr.js';
