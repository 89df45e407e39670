/**
 * Lease keys and values in the store (DATAPLANE §4.2):
 * `<prefix>/subnets/10.1.15.0-24` → `{"PublicIP":"192.168.1.5","BackendType":"vxlan","BackendData":{…}}`.
 */
import { formatIp4, parseIp4, type Ip4Net } from './ip4.js';
import type { Lease, LeaseAttrs } from './types.js';

const KEY = /(\d+\.\d+\.\d+\.\d+)-(\d+)(?:&[^/]*)?$/;

export function subnetKey(sn: Ip4Net): string {
  return `${formatIp4(sn.ip)}-${sn.prefixLen}`;
}

/** The subnet a key names (the last path segment), or undefined. Dual-stack suffixes (`&v6-len`) are ignored. */
export function parseSubnetKey(key: string): Ip4Net | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const ip = parseIp4(m[1]);
  const len = Number(m[2]);
  if (ip === undefined || len > 32 || !Number.isInteger(len)) return undefined;
  return { ip, prefixLen: len };
}

/** Go's encoding/json of LeaseAttrs: omitempty on BackendType and BackendData. */
export function encodeLeaseAttrs(a: LeaseAttrs): string {
  const o: Record<string, unknown> = { PublicIP: a.publicIP };
  if (a.backendType) o.BackendType = a.backendType;
  if (a.backendData !== undefined && a.backendData !== null) o.BackendData = a.backendData;
  return JSON.stringify(o);
}

export function decodeLeaseAttrs(text: string): LeaseAttrs {
  const o = JSON.parse(text) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw new Error('lease value is not a JSON object');
  const publicIP = o.PublicIP;
  if (typeof publicIP !== 'string' || parseIp4(publicIP) === undefined) throw new Error(`lease PublicIP ${JSON.stringify(publicIP)} is not an IPv4 address`);
  return {
    publicIP,
    ...(typeof o.BackendType === 'string' && o.BackendType !== '' ? { backendType: o.BackendType } : {}),
    ...(o.BackendData !== undefined && o.BackendData !== null ? { backendData: o.BackendData } : {}),
  };
}

/** A lease from a key and its value; throws when either is malformed. */
export function leaseFromKV(key: string, value: string, expiration: number | undefined, asof?: number): Lease {
  const subnet = parseSubnetKey(key);
  if (!subnet) throw new Error(`${key}: not a subnet key`);
  return { subnet, attrs: decodeLeaseAttrs(value), expiration, ...(asof !== undefined ? { asof } : {}) };
}
