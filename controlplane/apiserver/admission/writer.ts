/**
 * The API server's writes, with admission: create, update (and patch,
 * through guaranteedUpdate) and delete of one resource on behalf of one user.
 * Admission runs before the registry's strategy (defaulting, validation), as
 * upstream 1.8's handlers do, on a copy of the request's object; updates are
 * admitted inside the compare-and-swap loop against the current object.
 */
import { apiErrors } from '../../machinery/errors.js';
import type { UserInfo } from '../authn/user.js';
import type { DeleteOpts, GenericStore, WriteOpts } from '../registry/generic.js';
import type { Obj } from '../registry/types.js';
import type { AdmissionChain } from './index.js';
import type { AdmissionAttributes, Operation } from './types.js';

export class AdmittedWriter {
  constructor(
    private readonly chain: AdmissionChain,
    private readonly reg: GenericStore,
    private readonly user: UserInfo,
    /** The subresource of the request ('' for the resource itself). */
    private readonly subresource = '',
  ) {}

  private attrs(op: Operation, ns: string, name: string, dryRun: boolean | undefined, object?: Obj, oldObject?: Obj): AdmissionAttributes {
    const d = this.reg.def;
    return { operation: op, group: d.group, version: d.version, kind: d.kind, resource: d.resource, subresource: this.subresource, namespace: d.namespaced ? ns : '', name, object, oldObject, user: this.user, dryRun: Boolean(dryRun) };
  }

  private async finish<T>(a: AdmissionAttributes, write: Promise<T>): Promise<T> {
    try {
      const out = await write;
      await this.chain.after(a, true);
      return out;
    } catch (e) {
      await this.chain.after(a, false);
      throw e;
    }
  }

  async create(ns: string, body: Obj, opts: WriteOpts = {}): Promise<Obj> {
    if (this.chain.empty) return this.reg.create(ns, body, opts);
    const obj: Obj = structuredClone(body ?? {});
    if (obj && typeof obj === 'object' && this.reg.def.namespaced && ns) obj.metadata = { ...(obj.metadata ?? {}), namespace: obj.metadata?.namespace ?? ns };
    const a = this.attrs('CREATE', ns, '', opts.dryRun, obj);
    await this.chain.admit(a);
    return this.finish(a, this.reg.create(ns, a.object!, opts));
  }

  async guaranteedUpdate(ns: string, name: string, tryUpdate: (cur: Obj) => Obj | Promise<Obj>, opts: WriteOpts = {}): Promise<Obj> {
    if (this.chain.empty) return this.reg.guaranteedUpdate(ns, name, tryUpdate, opts);
    let last: AdmissionAttributes | undefined;
    const admitted = async (cur: Obj): Promise<Obj> => {
      const next = await tryUpdate(structuredClone(cur));
      last = this.attrs('UPDATE', ns, name, opts.dryRun, next, cur);
      await this.chain.admit(last);
      return last.object!;
    };
    try {
      const out = await this.reg.guaranteedUpdate(ns, name, admitted, opts);
      if (last) await this.chain.after(last, true);
      return out;
    } catch (e) {
      if (last) await this.chain.after(last, false);
      throw e;
    }
  }

  async update(ns: string, name: string, next: Obj, opts: WriteOpts = {}): Promise<Obj> {
    if (this.chain.empty) return this.reg.update(ns, name, next, opts);
    if (next?.metadata?.name !== undefined && next.metadata.name !== name) {
      throw apiErrors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    return this.guaranteedUpdate(ns, name, () => next, opts);
  }

  async delete(ns: string, name: string, opts: DeleteOpts = {}): Promise<Obj> {
    if (this.chain.empty) return this.reg.delete(ns, name, opts);
    const cur = await this.reg.get(ns, name);
    const a = this.attrs('DELETE', ns, name, opts.dryRun, undefined, cur);
    await this.chain.admit(a);
    return this.finish(a, this.reg.delete(ns, name, opts));
  }
}
