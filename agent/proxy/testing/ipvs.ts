/**
 * In-memory fakes for the IPVS mode's seams: FakeIpvs (the kernel's virtual
 * service table, with its error codes and the HASHED flag it adds to every
 * service it returns) and FakeAddressBinder (the kube-ipvs0 link).
 * Both record the calls made, in order.
 */
import { IpvsError, isMarkKey, SvcFlags, type Ipvs, type RealServer, type RealServerKey, type ServiceKey, type VirtualService } from '../../../native/ipvs/types.js';
import type { AddressBinder } from '../ipvs/proxier.js';

function keyOf(k: ServiceKey): string {
  return isMarkKey(k) ? `${k.family}/fwmark/${k.fwmark}` : `${k.protocol}/${k.address}/${k.port}`;
}

export class FakeIpvs implements Ipvs {
  readonly calls: string[] = [];
  private readonly services = new Map<string, { svc: VirtualService; dests: Map<string, RealServer> }>();

  private get(k: ServiceKey) {
    const s = this.services.get(keyOf(k));
    if (!s) throw new IpvsError('ESRCH', `no such service ${keyOf(k)}`);
    return s;
  }

  async addService(s: VirtualService): Promise<void> {
    this.calls.push(`addService ${keyOf(s)}`);
    if (this.services.has(keyOf(s))) throw new IpvsError('EEXIST', `service exists ${keyOf(s)}`);
    this.services.set(keyOf(s), { svc: s, dests: new Map() });
  }
  async updateService(s: VirtualService): Promise<void> {
    this.calls.push(`updateService ${keyOf(s)}`);
    this.get(s).svc = s;
  }
  async deleteService(k: ServiceKey): Promise<void> {
    this.calls.push(`deleteService ${keyOf(k)}`);
    this.get(k);
    this.services.delete(keyOf(k));
  }
  async getService(k: ServiceKey): Promise<VirtualService | undefined> {
    const s = this.services.get(keyOf(k));
    return s ? { ...s.svc, flags: s.svc.flags | SvcFlags.hashed } : undefined;
  }
  async listServices(): Promise<VirtualService[]> {
    return [...this.services.values()].map((s) => ({ ...s.svc, flags: s.svc.flags | SvcFlags.hashed }));
  }
  async addDestination(k: ServiceKey, d: RealServer): Promise<void> {
    this.calls.push(`addDestination ${keyOf(k)} ${d.address}:${d.port}`);
    const s = this.get(k);
    const dk = `${d.address}:${d.port}`;
    if (s.dests.has(dk)) throw new IpvsError('EEXIST', `destination exists ${dk}`);
    s.dests.set(dk, d);
  }
  async updateDestination(k: ServiceKey, d: RealServer): Promise<void> {
    this.calls.push(`updateDestination ${keyOf(k)} ${d.address}:${d.port}`);
    const s = this.get(k);
    const dk = `${d.address}:${d.port}`;
    if (!s.dests.has(dk)) throw new IpvsError('ENOENT', `no such destination ${dk}`);
    s.dests.set(dk, d);
  }
  async deleteDestination(k: ServiceKey, d: RealServerKey): Promise<void> {
    this.calls.push(`deleteDestination ${keyOf(k)} ${d.address}:${d.port}`);
    const s = this.get(k);
    if (!s.dests.delete(`${d.address}:${d.port}`)) throw new IpvsError('ENOENT', `no such destination ${d.address}:${d.port}`);
  }
  async listDestinations(k: ServiceKey): Promise<RealServer[]> {
    return [...this.get(k).dests.values()].map((d) => ({ ...d, activeConns: 0, inactiveConns: 0, persistConns: 0 }));
  }
  async flush(): Promise<void> {
    this.calls.push('flush');
    this.services.clear();
  }
  close(): void {}

  /** `tcp/10.0.0.1/80 rr -> 10.1.0.1:8080,10.1.0.2:8080` per service, sorted (tests compare these). */
  dump(): string[] {
    return [...this.services.entries()]
      .map(([k, s]) => `${k} ${s.svc.scheduler}${s.svc.flags & SvcFlags.persistent ? ` persistent ${s.svc.timeout}` : ''} -> ${[...s.dests.keys()].sort().join(',')}`)
      .sort();
  }
}

export class FakeAddressBinder implements AddressBinder {
  readonly calls: string[] = [];
  link = false;
  readonly bound = new Set<string>();

  async ensureLink(): Promise<void> {
    if (!this.link) this.calls.push('ensureLink');
    this.link = true;
  }
  async addresses(): Promise<string[]> {
    return [...this.bound].sort();
  }
  async add(ip: string): Promise<void> {
    this.calls.push(`add ${ip}`);
    this.bound.add(ip);
  }
  async remove(ip: string): Promise<void> {
    this.calls.push(`remove ${ip}`);
    this.bound.delete(ip);
  }
  async deleteLink(): Promise<void> {
    this.calls.push('deleteLink');
    this.link = false;
    this.bound.clear();
  }
}
