/**
 * IPv4 header work for the udp forwarder, on raw packets from the TUN
 * (IFF_NO_PI: the buffer starts with the IP header). Pure.
 */

/** Destination address (uint32), or undefined when this is not an IPv4 packet. */
export function ipv4Dst(pkt: Uint8Array): number | undefined {
  if (pkt.length < 20 || pkt[0] >> 4 !== 4) return undefined;
  return ((pkt[16] << 24) | (pkt[17] << 16) | (pkt[18] << 8) | pkt[19]) >>> 0;
}

export function headerChecksum(pkt: Uint8Array, ihl: number): number {
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) {
    if (i === 10) continue;
    sum += (pkt[i] << 8) | pkt[i + 1];
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Decrements the TTL in place and fixes the header checksum, as a router
 * does (flanneld is one hop). Returns false when the packet must be dropped
 * (TTL exhausted, or not a sane IPv4 header).
 */
export function decrementTtl(pkt: Uint8Array): boolean {
  if (pkt.length < 20 || pkt[0] >> 4 !== 4) return false;
  const ihl = (pkt[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > pkt.length) return false;
  if (pkt[8] <= 1) return false;
  pkt[8] -= 1;
  const c = headerChecksum(pkt, ihl);
  pkt[10] = c >> 8;
  pkt[11] = c & 0xff;
  return true;
}
