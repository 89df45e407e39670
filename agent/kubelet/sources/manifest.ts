/**
 * Static pod manifests (upstream config/common.go): a file or URL holds one
 * Pod, or a PodList / List of pods, in YAML or JSON. Each pod is made this
 * node's: name `<name>-<node>`, namespace `default` unless set,
 * spec.nodeName set, a toleration of every NoExecute taint, API defaults
 * applied, and a UID that is an MD5 over the node, the source and the
 * content — so the same manifest keeps its UID across kubelet restarts and
 * any edit makes a new pod. Invalid pods are ManifestErrors (logged once by
 * the source, the other pods still run).
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { applyDefaults } from '../../../controlplane/api/defaults.js';
import { validatePod } from '../../../controlplane/api/core/v1/validation.js';
import { ANNOTATION } from './types.js';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = 'InvalidManifest';
}

const POD_GVK = { group: '', version: 'v1', kind: 'Pod' };

function decode(text: string, origin: string): unknown[] {
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw new ManifestError(`${origin}: ${d.errors[0].message}`);
      return d.toJS() as unknown;
    });
  } catch (e) {
    if (e instanceof ManifestError) throw e;
    throw new ManifestError(`${origin}: ${(e as Error).message}`);
  }
  const out: unknown[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    const kind = (d as { kind?: unknown }).kind;
    if (kind === 'PodList' || kind === 'List') out.push(...(((d as { items?: unknown[] }).items ?? []) as unknown[]));
    else out.push(d);
  }
  return out;
}

export interface ManifestContext {
  nodeName: string;
  /** 'file' with the file path, or 'http' with the URL. */
  kind: 'file' | 'http';
  origin: string;
}

/** Pods of one manifest, made this node's; throws ManifestError naming the first problem. */
export function parseManifest(text: string, ctx: ManifestContext): Pod[] {
  const out: Pod[] = [];
  for (const raw of decode(text, ctx.origin)) {
    if (!raw || typeof raw !== 'object') throw new ManifestError(`${ctx.origin}: not an object`);
    const o = raw as Pod;
    if (o.kind !== undefined && o.kind !== 'Pod') throw new ManifestError(`${ctx.origin}: kind ${o.kind} is not a Pod`);
    if (o.apiVersion !== undefined && o.apiVersion !== 'v1') throw new ManifestError(`${ctx.origin}: apiVersion ${o.apiVersion} is not v1`);
    out.push(staticPod(o, ctx));
  }
  return out;
}

export function staticPod(raw: Pod, ctx: ManifestContext): Pod {
  const pod = structuredClone(raw);
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  pod.metadata ??= {};
  const node = ctx.nodeName.toLowerCase();
  if (!pod.metadata.uid) {
    const h = createHash('md5');
    if (ctx.kind === 'file') h.update(`host:${ctx.nodeName}`).update(`file:${ctx.origin}`);
    else h.update(`url:${ctx.origin}`);
    h.update(JSON.stringify(raw));
    pod.metadata.uid = h.digest('hex');
  }
  pod.metadata.name = `${pod.metadata.name ?? ''}-${node}`;
  pod.metadata.namespace ||= 'default';
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [ANNOTATION.hash]: pod.metadata.uid, [ANNOTATION.source]: ctx.kind };
  pod.spec ??= { containers: [] };
  pod.spec.nodeName = ctx.nodeName;
  // Static pods are never evicted by taints (upstream adds this toleration).
  if (!(pod.spec.tolerations ?? []).some((t) => t.operator === 'Exists' && t.effect === 'NoExecute' && !t.key)) {
    pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  }
  applyDefaults(POD_GVK, pod);
  pod.status ??= { phase: 'Pending' };
  const errs = validatePod(pod);
  if (errs.length) throw new ManifestError(`${ctx.origin}: invalid pod "${pod.metadata.name}": ${errs.map((e) => `${e.field}: ${e.detail ?? e.type}`).join('; ')}`);
  return pod;
}
