/**
 * The small plugins: AlwaysAdmit, AlwaysDeny, AlwaysPullImages,
 * NamespaceLifecycle (with NamespaceExists and NamespaceAutoProvision, which
 * it replaced), DefaultStorageClass.
 */
import { apiErrors, StatusError } from '../../machinery/errors.js';
import type { ObjectAccess } from './objects.js';
import { admissionForbidden, is, type AdmissionAttributes, type AdmissionPlugin } from './types.js';

type Rec = Record<string, unknown>;

export const alwaysAdmit: AdmissionPlugin = { name: 'AlwaysAdmit', admit: async () => undefined };

export const alwaysDeny: AdmissionPlugin = {
  name: 'AlwaysDeny',
  connect: true,
  admit: async (a) => {
    throw admissionForbidden(a, 'admission control is denying all modifications');
  },
};

/** Every container's imagePullPolicy becomes Always (pods, create and update). */
export const alwaysPullImages: AdmissionPlugin = {
  name: 'AlwaysPullImages',
  admit: async (a) => {
    if (!is(a, '', 'pods') || a.subresource || a.operation === 'DELETE' || !a.object) return;
    const spec = (a.object.spec ?? {}) as Rec;
    for (const list of [spec.initContainers, spec.containers]) for (const c of (list as Rec[] | undefined) ?? []) c.imagePullPolicy = 'Always';
  },
};

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** Review kinds are questions, not content: they are never refused for their namespace. */
const EXEMPT = new Set(['authorization.k8s.io/localsubjectaccessreviews']);

function namespaced(a: AdmissionAttributes): boolean {
  return a.namespace !== '' && !(a.group === '' && a.resource === 'namespaces') && !EXEMPT.has(`${a.group}/${a.resource}`);
}

export function namespaceLifecycle(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    admit: async (a) => {
      if (a.operation === 'DELETE' && is(a, '', 'namespaces') && !a.subresource && IMMORTAL_NAMESPACES.includes(a.name)) {
        throw admissionForbidden(a, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !namespaced(a)) return;
      const ns = await objects.get('', 'namespaces', '', a.namespace);
      if (!ns) throw apiErrors.notFound('', 'namespaces', a.namespace);
      const terminating = (ns.status as { phase?: string } | undefined)?.phase === 'Terminating' || Boolean(ns.metadata?.deletionTimestamp);
      if (terminating) {
        const e = admissionForbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
        e.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }];
        throw e;
      }
    },
  };
}

export function namespaceExists(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'NamespaceExists',
    admit: async (a) => {
      if (!namespaced(a)) return;
      if (!(await objects.get('', 'namespaces', '', a.namespace))) throw apiErrors.notFound('', 'namespaces', a.namespace);
    },
  };
}

export function namespaceAutoProvision(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'NamespaceAutoProvision',
    admit: async (a) => {
      if (a.operation !== 'CREATE' || !namespaced(a) || a.dryRun) return;
      if (await objects.get('', 'namespaces', '', a.namespace)) return;
      try {
        await objects.create('', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: a.namespace } });
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      }
    },
  };
}

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const DEFAULT_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';

/** A claim without a class (storageClassName unset, not "") gets the default StorageClass. */
export function defaultStorageClass(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    admit: async (a) => {
      if (a.operation !== 'CREATE' || !is(a, '', 'persistentvolumeclaims') || a.subresource || !a.object) return;
      const spec = (a.object.spec ??= {}) as Rec;
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      if (a.object.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
      const defaults = (await objects.list('storage.k8s.io', 'storageclasses', '')).filter((c) => {
        const ann = c.metadata?.annotations ?? {};
        return ann[DEFAULT_CLASS] === 'true' || ann[DEFAULT_CLASS_BETA] === 'true';
      });
      if (defaults.length === 0) return;
      if (defaults.length > 1) throw admissionForbidden(a, `${defaults.length} default StorageClasses were found`);
      spec.storageClassName = defaults[0].metadata!.name!;
    },
  };
}
