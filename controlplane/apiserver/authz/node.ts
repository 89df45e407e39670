/**
 * The Node authorizer (upstream plugin/pkg/auth/authorizer/node), simplified:
 * a kubelet is a user system:node:<name> in group system:nodes. Secrets,
 * configmaps, persistentvolumeclaims and persistentvolumes it may read only
 * when a pod bound to its node uses them (found by looking at the pods, where
 * upstream keeps a graph); everything else is checked against the
 * system:node rules. Which Node and which pods it may write is
 * NodeRestriction's job (admission).
 */
import type { ObjectAccess } from '../admission/objects.js';
import type { Obj } from '../registry/types.js';
import { nodeRules } from './bootstrappolicy.js';
import { rulesAllow } from './rules.js';
import type { Attributes, Authorizer, Verdict } from './types.js';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

/** The node a user is, or undefined when it is not a node identity. */
export function nodeIdentity(user: { name: string; groups: string[] }): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_PREFIX)) return undefined;
  const n = user.name.slice(NODE_PREFIX.length);
  return n || undefined;
}

type Rec = Record<string, unknown>;
interface Refs {
  secrets: Set<string>;
  configmaps: Set<string>;
  pvcs: Set<string>;
}

/** The secrets, configmaps and claims a pod refers to (volumes, env, envFrom, image pull secrets). */
export function podReferences(pod: Obj): Refs {
  const refs: Refs = { secrets: new Set(), configmaps: new Set(), pvcs: new Set() };
  const spec = (pod.spec ?? {}) as Rec;
  for (const s of (spec.imagePullSecrets as { name?: string }[] | undefined) ?? []) if (s.name) refs.secrets.add(s.name);
  for (const v of (spec.volumes as Rec[] | undefined) ?? []) {
    const secret = v.secret as { secretName?: string } | undefined;
    if (secret?.secretName) refs.secrets.add(secret.secretName);
    const cm = v.configMap as { name?: string } | undefined;
    if (cm?.name) refs.configmaps.add(cm.name);
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName) refs.pvcs.add(pvc.claimName);
    for (const src of ((v.projected as { sources?: Rec[] } | undefined)?.sources ?? [])) {
      const ps = src.secret as { name?: string } | undefined;
      if (ps?.name) refs.secrets.add(ps.name);
      const pc = src.configMap as { name?: string } | undefined;
      if (pc?.name) refs.configmaps.add(pc.name);
    }
    for (const k of ['cephfs', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos', 'azureFile', 'csi']) {
      const ref = (v[k] as { secretRef?: { name?: string }; nodePublishSecretRef?: { name?: string } } | undefined);
      const n = ref?.secretRef?.name ?? ref?.nodePublishSecretRef?.name;
      if (n) refs.secrets.add(n);
    }
  }
  const containers = [...((spec.initContainers as Rec[] | undefined) ?? []), ...((spec.containers as Rec[] | undefined) ?? [])];
  for (const c of containers) {
    for (const e of (c.env as { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[] | undefined) ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) refs.secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) refs.configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const ef of (c.envFrom as { secretRef?: { name?: string }; configMapRef?: { name?: string } }[] | undefined) ?? []) {
      if (ef.secretRef?.name) refs.secrets.add(ef.secretRef.name);
      if (ef.configMapRef?.name) refs.configmaps.add(ef.configMapRef.name);
    }
  }
  return refs;
}

const GRAPH_TYPES: Record<string, keyof Refs | 'pv'> = { secrets: 'secrets', configmaps: 'configmaps', persistentvolumeclaims: 'pvcs', persistentvolumes: 'pv' };

export class NodeAuthorizer implements Authorizer {
  readonly name = 'Node';
  constructor(private readonly objects: ObjectAccess) {}

  private async podsOn(node: string, ns: string): Promise<Obj[]> {
    return (await this.objects.list('', 'pods', ns)).filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === node);
  }

  async authorize(a: Attributes): Promise<Verdict> {
    const node = nodeIdentity(a.user);
    if (!node) return { decision: 'NoOpinion', reason: '' };
    const kind = a.isResourceRequest && a.apiGroup === '' && !a.subresource ? GRAPH_TYPES[a.resource] : undefined;
    if (!kind) {
      if (rulesAllow(a, nodeRules)) return { decision: 'Allow', reason: '' };
      return { decision: 'NoOpinion', reason: '' };
    }
    if (a.verb !== 'get') return { decision: 'NoOpinion', reason: `can only get individual resources of this type` };
    if (!a.name) return { decision: 'NoOpinion', reason: `No Object name found` };
    if (kind === 'pv') {
      for (const pod of await this.podsOn(node, '')) {
        for (const claim of podReferences(pod).pvcs) {
          const pvc = await this.objects.get('', 'persistentvolumeclaims', pod.metadata?.namespace ?? '', claim);
          if ((pvc?.spec as { volumeName?: string } | undefined)?.volumeName === a.name) return { decision: 'Allow', reason: '' };
        }
      }
    } else {
      for (const pod of await this.podsOn(node, a.namespace)) {
        if (podReferences(pod)[kind].has(a.name)) return { decision: 'Allow', reason: '' };
      }
    }
    return { decision: 'NoOpinion', reason: `no relationship found between node '${node}' and this object` };
  }
}
