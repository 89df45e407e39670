/**
 * NodeRestriction (upstream plugin/pkg/admission/noderestriction, v1.8): a
 * kubelet (system:node:<name>) may modify only its own Node, may create only
 * mirror pods bound to itself that reference no secrets, configmaps, claims
 * or service accounts, may update the status of and delete only pods bound to
 * itself.
 */
import type { Obj } from '../registry/types.js';
import { nodeIdentity } from '../authz/node.js';
import { podReferences } from '../authz/node.js';
import type { ObjectAccess } from './objects.js';
import { MIRROR_ANNOTATION } from './serviceaccount.js';
import { admissionForbidden, is, type AdmissionPlugin } from './types.js';

const nodeNameOf = (o: Obj | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

export function nodeRestriction(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    admit: async (a) => {
      const node = nodeIdentity(a.user);
      if (!node) return;
      if (is(a, '', 'nodes')) {
        const requested = a.operation === 'CREATE' ? (a.object?.metadata?.name ?? '') : a.name;
        if (requested !== node) throw admissionForbidden(a, `node "${node}" cannot modify node "${requested}"`);
        return;
      }
      if (!is(a, '', 'pods')) return;
      switch (a.subresource) {
        case '':
          if (a.operation === 'CREATE') {
            const pod = a.object!;
            if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] === undefined) throw admissionForbidden(a, `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
            if (nodeNameOf(pod) !== node) throw admissionForbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
            const spec = (pod.spec ?? {}) as { serviceAccountName?: string };
            if (spec.serviceAccountName) throw admissionForbidden(a, `node "${node}" can not create pods that reference a service account`);
            const refs = podReferences(pod);
            if (refs.secrets.size) throw admissionForbidden(a, `node "${node}" can not create pods that reference secrets`);
            if (refs.configmaps.size) throw admissionForbidden(a, `node "${node}" can not create pods that reference configmaps`);
            if (refs.pvcs.size) throw admissionForbidden(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
            return;
          }
          if (a.operation === 'DELETE') {
            const pod = a.oldObject ?? (await objects.get('', 'pods', a.namespace, a.name));
            if (pod && nodeNameOf(pod) !== node) throw admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
            return;
          }
          throw admissionForbidden(a, `unexpected operation ${a.operation}`);
        case 'status':
          if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation ${a.operation}`);
          if (nodeNameOf(a.oldObject) !== node) throw admissionForbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
          return;
        case 'eviction':
          return;
        default:
          throw admissionForbidden(a, `unexpected pod subresource "${a.subresource}"`);
      }
    },
  };
}
