/**
 * What configMap, secret, downwardAPI and projected volumes contain: pure
 * functions from the pod and the looked-up objects to a Payload for the
 * AtomicWriter. Errors carry upstream's messages (`configmap "x" not found`,
 * `configmap references non-existent config key: k`, `references
 * non-existent secret key: k`) so events read like a real kubelet's.
 */
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ResourceList,
  Secret,
  VolumeProjection,
} from '../../../controlplane/api/core/v1/types.js';
import { DEFAULT_VOLUME_MODE } from '../../../controlplane/api/core/v1/defaults.js';
import type { DeepReadonly } from '../../../controlplane/client/index.js';
import type { FileProjection, Payload } from './atomic_writer.js';
import { extractFieldPath, extractResourceValue, findContainer } from './downward.js';

/** A payload could not be built; the message is the part after `MountVolume.SetUp failed for volume "x" : `. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

/** A ConfigMap's keys as bytes: data as UTF-8, binaryData decoded from base64. */
export function configMapData(cm: DeepReadonly<ConfigMap>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** A Secret's keys as bytes (data is base64 on the wire; stringData never reaches readers). */
export function secretData(s: DeepReadonly<Secret>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/**
 * Files for a key→bytes map: every key when items is empty, else the listed
 * keys at their paths. A listed key that is missing is an error unless the
 * source is optional (then it is skipped).
 */
function keyedPayload(
  data: Map<string, Buffer>,
  items: readonly DeepReadonly<KeyToPath>[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
  into: Payload,
): void {
  if (!items || items.length === 0) {
    for (const [k, v] of data) into.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new PayloadError(missingKey(item.key));
    }
    into.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
}

export function configMapPayload(
  name: string,
  cm: DeepReadonly<ConfigMap> | undefined,
  src: { items?: readonly DeepReadonly<KeyToPath>[]; optional?: boolean },
  defaultMode: number | undefined,
  into: Payload = new Map(),
): Payload {
  const optional = src.optional === true;
  if (!cm) {
    if (optional) return into;
    throw new PayloadError(`configmap ${JSON.stringify(name)} not found`);
  }
  keyedPayload(configMapData(cm), src.items, defaultMode ?? DEFAULT_VOLUME_MODE, optional, (k) => `configmap references non-existent config key: ${k}`, into);
  return into;
}

export function secretPayload(
  name: string,
  secret: DeepReadonly<Secret> | undefined,
  src: { items?: readonly DeepReadonly<KeyToPath>[]; optional?: boolean },
  defaultMode: number | undefined,
  into: Payload = new Map(),
): Payload {
  const optional = src.optional === true;
  if (!secret) {
    if (optional) return into;
    throw new PayloadError(`secret ${JSON.stringify(name)} not found`);
  }
  keyedPayload(secretData(secret), src.items, defaultMode ?? DEFAULT_VOLUME_MODE, optional, (k) => `references non-existent secret key: ${k}`, into);
  return into;
}

/** Downward API files; every item's error is collected and reported together, as upstream's CollectData does. */
export function downwardAPIPayload(
  pod: DeepReadonly<Pod>,
  items: readonly DeepReadonly<DownwardAPIVolumeFile>[] | undefined,
  defaultMode: number | undefined,
  nodeAllocatable: DeepReadonly<ResourceList> | undefined,
  into: Payload = new Map(),
): Payload {
  const errs: string[] = [];
  for (const item of items ?? []) {
    const mode = item.mode ?? defaultMode ?? DEFAULT_VOLUME_MODE;
    try {
      let value: string;
      if (item.fieldRef) value = extractFieldPath(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) {
        const c = findContainer(pod, item.resourceFieldRef.containerName);
        value = extractResourceValue(item.resourceFieldRef, c, nodeAllocatable);
      } else throw new Error('neither fieldRef nor resourceFieldRef is set');
      into.set(item.path, { data: Buffer.from(value, 'utf8'), mode });
    } catch (e) {
      errs.push(`Unable to extract field ${item.path}: ${(e as Error).message}`);
    }
  }
  if (errs.length) throw new PayloadError(errs.join(', '));
  return into;
}

/**
 * The placeholder a projected serviceAccountToken source gets. kubets issues
 * no bound service-account tokens yet: they arrive with the security issue
 * (TokenRequest, the service-account signing key). Until then the file exists
 * where the pod expects it, says why it is not a token, and clients that read
 * it get an obvious 401 rather than a missing-file crash.
 */
export const SERVICE_ACCOUNT_TOKEN_PLACEHOLDER =
  'kubets: service account tokens are not issued yet; they arrive with the security issue (TokenRequest).\n';

/** Everything a projected volume needs from outside: its sources already looked up. */
export interface ProjectedInputs {
  configMaps: ReadonlyMap<string, DeepReadonly<ConfigMap> | undefined>;
  secrets: ReadonlyMap<string, DeepReadonly<Secret> | undefined>;
  nodeAllocatable?: DeepReadonly<ResourceList>;
}

/** The union of a projected volume's sources; a later source wins on a path clash, as upstream. */
export function projectedPayload(
  pod: DeepReadonly<Pod>,
  sources: readonly DeepReadonly<VolumeProjection>[] | undefined,
  defaultMode: number | undefined,
  inputs: ProjectedInputs,
): Payload {
  const mode = defaultMode ?? DEFAULT_VOLUME_MODE;
  const out: Payload = new Map();
  const errs: string[] = [];
  for (const s of sources ?? []) {
    try {
      if (s.configMap) {
        const name = s.configMap.name ?? '';
        configMapPayload(name, inputs.configMaps.get(name), s.configMap, mode, out);
      } else if (s.secret) {
        const name = s.secret.name ?? '';
        secretPayload(name, inputs.secrets.get(name), s.secret, mode, out);
      } else if (s.downwardAPI) {
        downwardAPIPayload(pod, s.downwardAPI.items, mode, inputs.nodeAllocatable, out);
      } else if (s.serviceAccountToken) {
        const f: FileProjection = { data: Buffer.from(SERVICE_ACCOUNT_TOKEN_PLACEHOLDER), mode };
        out.set(s.serviceAccountToken.path, f);
      }
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  if (errs.length) throw new PayloadError(errs.join(', '));
  return out;
}
