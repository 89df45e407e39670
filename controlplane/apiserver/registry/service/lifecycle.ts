/**
 * Service allocation, run by the generic store around its writes: a cluster IP
 * from --service-cluster-ip-range (none for ExternalName, "None" for headless
 * services) and node ports from --service-node-port-range for NodePort and
 * LoadBalancer services. Allocations are undone when the write fails and
 * released when the service is deleted or stops needing them.
 */
import { apiErrors } from '../../../machinery/errors.js';
import type { Store } from '../../../storage/types.js';
import type { Obj } from '../types.js';
import type { ResourceLifecycle, UpdateTxn } from '../generic.js';
import { AlreadyAllocatedError, BitmapAllocator, IPv4Range, RangeFullError } from './allocator.js';

interface ServicePort {
  port?: number;
  protocol?: string;
  nodePort?: number;
  name?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

export interface ServiceRanges {
  clusterIPRange: string;
  nodePortRange: { base: number; size: number };
}

const needsNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer';

export class ServiceAllocations implements ResourceLifecycle {
  readonly ips: IPv4Range;
  private readonly ipBits: BitmapAllocator;
  private readonly portBits: BitmapAllocator;

  constructor(
    store: Store,
    private readonly ranges: ServiceRanges,
  ) {
    this.ips = new IPv4Range(ranges.clusterIPRange);
    this.ipBits = new BitmapAllocator(store, '/ranges/serviceips', this.ips.size);
    this.portBits = new BitmapAllocator(store, '/ranges/servicenodeports', ranges.nodePortRange.size);
  }

  private invalid(name: string, field: string, value: unknown, detail: string) {
    return apiErrors.invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field, value, detail }]);
  }

  /** Allocates a specific IP (when given) or the next free one. */
  async allocateIP(name: string, want?: string): Promise<string> {
    let off: number | undefined;
    if (want) {
      off = this.ips.offsetOf(want);
      if (off === undefined) throw this.invalid(name, 'spec.clusterIPs', [want], `failed to allocate IP ${want}: the provided IP (${want}) is not in the valid range. The range of valid IPs is ${this.ranges.clusterIPRange}`);
    }
    try {
      return this.ips.ipAt(await this.ipBits.allocate(off));
    } catch (e) {
      if (e instanceof AlreadyAllocatedError) throw this.invalid(name, 'spec.clusterIPs', [want], `failed to allocate IP ${want}: provided IP is already allocated`);
      if (e instanceof RangeFullError) throw apiErrors.internal(new Error(`failed to allocate a serviceIP: range is full (${this.ranges.clusterIPRange})`));
      throw e;
    }
  }

  private async allocatePort(name: string, index: number, want?: number): Promise<number> {
    const { base, size } = this.ranges.nodePortRange;
    if (want !== undefined && (want < base || want >= base + size)) {
      throw this.invalid(name, `spec.ports[${index}].nodePort`, want, `provided port is not in the valid range. The range of valid ports is ${base}-${base + size - 1}`);
    }
    try {
      return base + (await this.portBits.allocate(want === undefined ? undefined : want - base));
    } catch (e) {
      if (e instanceof AlreadyAllocatedError) throw this.invalid(name, `spec.ports[${index}].nodePort`, want, 'provided port is already allocated');
      if (e instanceof RangeFullError) throw apiErrors.internal(new Error('failed to allocate a nodePort: range is full'));
      throw e;
    }
  }

  private async releaseIP(ip: string | undefined): Promise<void> {
    const off = ip && ip !== 'None' ? this.ips.offsetOf(ip) : undefined;
    if (off !== undefined) await this.ipBits.release(off);
  }
  private async releasePort(p: number | undefined): Promise<void> {
    const { base, size } = this.ranges.nodePortRange;
    if (p !== undefined && p >= base && p < base + size) await this.portBits.release(p - base);
  }

  async beforeCreate(o: Obj, dryRun: boolean): Promise<() => Promise<void>> {
    const spec = (o.spec ??= {}) as ServiceSpec;
    const name = o.metadata?.name ?? '';
    const got: { ip?: string; ports: number[] } = { ports: [] };
    const undo = async () => {
      await this.releaseIP(got.ip);
      for (const p of got.ports) await this.releasePort(p);
    };
    try {
      if (spec.type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else if (spec.clusterIP === 'None') {
        spec.clusterIPs = ['None'];
      } else if (!dryRun) {
        got.ip = await this.allocateIP(name, spec.clusterIP || spec.clusterIPs?.[0] || undefined);
        spec.clusterIP = got.ip;
        spec.clusterIPs = [got.ip];
      }
      if (spec.type !== 'ExternalName') {
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      if (needsNodePorts(spec) && !dryRun) {
        for (const [i, p] of (spec.ports ?? []).entries()) {
          p.nodePort = await this.allocatePort(name, i, p.nodePort);
          got.ports.push(p.nodePort);
        }
      }
    } catch (e) {
      await undo();
      throw e;
    }
    return undo;
  }

  async beforeUpdate(o: Obj, old: Obj, dryRun: boolean): Promise<UpdateTxn> {
    const spec = (o.spec ??= {}) as ServiceSpec;
    const oldSpec = (old.spec ?? {}) as ServiceSpec;
    const name = o.metadata?.name ?? '';
    const fresh: { ip?: string; ports: number[] } = { ports: [] };
    const toRelease: { ip?: string; ports: number[] } = { ports: [] };
    const undo = async () => {
      await this.releaseIP(fresh.ip);
      for (const p of fresh.ports) await this.releasePort(p);
    };
    try {
      const wasExternal = oldSpec.type === 'ExternalName';
      if (spec.type === 'ExternalName') {
        toRelease.ip = oldSpec.clusterIP;
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else if (!spec.clusterIP && oldSpec.clusterIP && !wasExternal) {
        // `kubectl apply` of a manifest without clusterIP keeps the allocated one.
        spec.clusterIP = oldSpec.clusterIP;
        spec.clusterIPs = oldSpec.clusterIPs ?? [oldSpec.clusterIP];
      } else if (spec.clusterIP && oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP && !wasExternal) {
        throw this.invalid(name, 'spec.clusterIPs[0]', spec.clusterIP, 'may not change once set');
      } else if ((wasExternal || !oldSpec.clusterIP) && spec.clusterIP !== 'None' && !dryRun) {
        fresh.ip = await this.allocateIP(name, spec.clusterIP || undefined);
        spec.clusterIP = fresh.ip;
        spec.clusterIPs = [fresh.ip];
      }
      const oldPorts = needsNodePorts(oldSpec) ? (oldSpec.ports ?? []) : [];
      const kept = new Set<number>();
      if (needsNodePorts(spec)) {
        for (const [i, p] of (spec.ports ?? []).entries()) {
          const same = oldPorts.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (p.nodePort === undefined && same?.nodePort !== undefined) p.nodePort = same.nodePort;
          if (p.nodePort !== undefined && oldPorts.some((q) => q.nodePort === p.nodePort)) {
            kept.add(p.nodePort);
            continue;
          }
          if (dryRun) continue;
          p.nodePort = await this.allocatePort(name, i, p.nodePort);
          fresh.ports.push(p.nodePort);
        }
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
      for (const q of oldPorts) if (q.nodePort !== undefined && !kept.has(q.nodePort)) toRelease.ports.push(q.nodePort);
    } catch (e) {
      await undo();
      throw e;
    }
    return {
      undo,
      done: async () => {
        await this.releaseIP(toRelease.ip);
        for (const p of toRelease.ports) await this.releasePort(p);
      },
    };
  }

  async afterDelete(o: Obj): Promise<void> {
    const spec = (o.spec ?? {}) as ServiceSpec;
    await this.releaseIP(spec.clusterIP);
    if (needsNodePorts(spec)) for (const p of spec.ports ?? []) await this.releasePort(p.nodePort);
  }
}
