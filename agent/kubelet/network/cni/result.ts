/**
 * Pod IPs out of a CNI result: 0.3.x/0.4.0/1.0.0 list `ips` (1.0.0 without
 * `version`) with an optional `interface` index into `interfaces`; 0.1/0.2
 * have `ip4.ip`. The pod's addresses are those on the sandbox's interface
 * (the one with a `sandbox` path), or all of them when none says.
 */
export function ipsFromResult(result: unknown): string[] {
  if (!result || typeof result !== 'object') return [];
  const r = result as { ips?: { address?: string; interface?: number }[]; interfaces?: { sandbox?: string }[]; ip4?: { ip?: string }; ip6?: { ip?: string } };
  if (Array.isArray(r.ips)) {
    const ifs = r.interfaces ?? [];
    const inSandbox = r.ips.filter((ip) => ip.interface === undefined || ifs[ip.interface]?.sandbox);
    return (inSandbox.length ? inSandbox : r.ips).map((ip) => (ip.address ?? '').split('/')[0]).filter(Boolean);
  }
  return [r.ip4?.ip, r.ip6?.ip].filter((x): x is string => Boolean(x)).map((x) => x.split('/')[0]);
}

/** `a.b.c.d/len` → whether ip is inside. IPv4 only (kubets is single-stack IPv4). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, lenS] = cidr.split('/');
  const len = Number(lenS);
  const a = toInt(base);
  const b = toInt(ip);
  if (a === undefined || b === undefined || !Number.isInteger(len)) return false;
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function toInt(ip: string): number | undefined {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}
