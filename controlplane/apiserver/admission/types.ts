import { StatusError } from '../../machinery/errors.js';
import type { UserInfo } from '../authn/user.js';
import type { Obj } from '../registry/types.js';

/** CONNECT: pods/exec and pods/attach (upstream admission.Connect); only plugins with `connect` see it. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** One write as admission sees it (upstream admission.Attributes). Plugins may mutate `object`. */
export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The new object (CREATE, UPDATE). */
  object?: Obj;
  /** The current object (UPDATE, DELETE). */
  oldObject?: Obj;
  user: UserInfo;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** True when the plugin also admits CONNECT (exec/attach); the others never see it. */
  readonly connect?: boolean;
  /** Mutates and/or refuses (throws a StatusError). */
  admit(a: AdmissionAttributes): Promise<void>;
  /** After the write was tried (ok: it was stored). For bookkeeping such as quota usage. */
  after?(a: AdmissionAttributes, ok: boolean): Promise<void>;
}

export function is(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.group === group && a.resource === resource;
}

/** Upstream admission.NewForbidden: `pods "x" is forbidden: <why>` (the generateName when there is no name yet). */
export function admissionForbidden(a: AdmissionAttributes, why: string): StatusError {
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || 'Unknown';
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  return new StatusError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${why}`, { name, group: a.group || undefined, kind: a.resource });
}
