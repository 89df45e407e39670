/**
 * A container's environment (kubelet makeEnvironmentVariables):
 *   1. the Service variables (servicelinks.ts),
 *   2. envFrom in order: every key of the ConfigMap/Secret, with the prefix;
 *      keys that are not valid variable names are skipped and reported,
 *   3. env in order: `value` with $(VAR) expanded over what is defined so
 *      far (then the service variables), or valueFrom (configMapKeyRef,
 *      secretKeyRef, fieldRef, resourceFieldRef).
 * Later definitions override earlier ones. Missing objects or keys are
 * EnvErrors (the container waits with CreateContainerConfigError) unless
 * marked optional. Reads go through EnvSources, so this is testable without
 * an API server.
 */
import type { ConfigMap, Container, Pod, ResourceList, Secret } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { expand, mappingOf } from './expand.js';
import { FieldRefError, podFieldValue, resourceFieldValue, type PodRuntimeFields } from './fieldref.js';

export type EnvErrorCode = 'ConfigMapNotFound' | 'ConfigMapKeyNotFound' | 'SecretNotFound' | 'SecretKeyNotFound' | 'InvalidFieldRef';

/** Why a container's environment cannot be built; the container waits with reason CreateContainerConfigError. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(
    readonly code: EnvErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where ConfigMaps and Secrets come from (undefined = not found). */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<DeepReadonly<ConfigMap> | undefined>;
  secret(namespace: string, name: string): Promise<DeepReadonly<Secret> | undefined>;
}

export interface EnvInput {
  pod: DeepReadonly<Pod>;
  container: DeepReadonly<Container>;
  serviceEnv: ReadonlyMap<string, string>;
  runtime: PodRuntimeFields;
  nodeAllocatable: Readonly<ResourceList>;
  sources: EnvSources;
}

export interface EnvResult {
  env: { name: string; value: string }[];
  /** envFrom keys skipped because they are not valid names (reported as an event). */
  invalidKeys: string[];
}

const C_IDENTIFIER = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function decodeSecret(s: DeepReadonly<Secret>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}

export async function makeEnvironment(input: EnvInput): Promise<EnvResult> {
  const { pod, container, sources } = input;
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>(input.serviceEnv);
  const invalidKeys: string[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await sources.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvError('ConfigMapNotFound', `configmap "${name}" not found`);
      }
      data = { ...(cm.data ?? {}) };
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await sources.secret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new EnvError('SecretNotFound', `secret "${name}" not found`);
      }
      data = decodeSecret(s);
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      const name = prefix + k;
      if (!C_IDENTIFIER.test(name)) {
        invalidKeys.push(name);
        continue;
      }
      env.set(name, v);
    }
  }

  for (const e of container.env ?? []) {
    let value: string | undefined;
    const vf = e.valueFrom;
    if (vf?.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await sources.configMap(ns, ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        throw new EnvError('ConfigMapNotFound', `configmap "${ref.name ?? ''}" not found`);
      }
      value = cm.data?.[ref.key];
      if (value === undefined && cm.binaryData?.[ref.key] !== undefined) value = Buffer.from(cm.binaryData[ref.key], 'base64').toString('utf8');
      if (value === undefined) {
        if (ref.optional) continue;
        throw new EnvError('ConfigMapKeyNotFound', `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}`);
      }
    } else if (vf?.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await sources.secret(ns, ref.name ?? '');
      if (!s) {
        if (ref.optional) continue;
        throw new EnvError('SecretNotFound', `secret "${ref.name ?? ''}" not found`);
      }
      value = decodeSecret(s)[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new EnvError('SecretKeyNotFound', `couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}`);
      }
    } else if (vf?.fieldRef) {
      value = fieldValue(() => podFieldValue(pod, vf.fieldRef!.fieldPath, input.runtime));
    } else if (vf?.resourceFieldRef) {
      const sel = vf.resourceFieldRef;
      const target = sel.containerName ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === sel.containerName) : container;
      if (!target) throw new EnvError('InvalidFieldRef', `container ${sel.containerName} not found in pod ${ns}/${pod.metadata.name}`);
      value = fieldValue(() => resourceFieldValue(target, sel, input.nodeAllocatable));
    } else {
      // $(VAR) refers to what is defined so far: service env, envFrom, earlier env.
      value = expand(e.value ?? '', mappingOf(env));
    }
    env.set(e.name, value);
  }
  return { env: [...env].map(([name, value]) => ({ name, value })), invalidKeys };
}

function fieldValue(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof FieldRefError) throw new EnvError('InvalidFieldRef', e.message);
    throw e;
  }
}

/** command and args with $(VAR) expanded over the final environment. */
export function expandCommand(c: DeepReadonly<Container>, env: readonly { name: string; value: string }[]): { command?: string[]; args?: string[] } {
  const m = mappingOf(new Map(env.map((e) => [e.name, e.value])));
  return {
    command: c.command?.map((s) => expand(s, m)),
    args: c.args?.map((s) => expand(s, m)),
  };
}
