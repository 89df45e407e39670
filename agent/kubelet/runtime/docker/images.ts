/**
 * Image references and registry credentials: which registry an image comes
 * from (Docker's rules: the first path component is a registry when it has
 * a '.' or ':' or is `localhost`, else Docker Hub), and which of the pod's
 * imagePullSecrets entries applies to it (longest matching key wins, as the
 * kubelet's credential keyring does).
 */
import type { Pod, Secret } from '../../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../../controlplane/client/types.js';
import type { RegistryAuth } from '../../types.js';

export const DOCKER_HUB = 'docker.io';

export function registryOf(ref: string): string {
  const first = ref.split('/')[0];
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return DOCKER_HUB;
}

function normalizeKey(k: string): string {
  let s = k.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (s === 'index.docker.io/v1' || s === 'index.docker.io' || s === 'registry-1.docker.io') s = DOCKER_HUB;
  return s;
}

/** The credentials for ref among `serveraddress`-keyed entries, or undefined. */
export function pickAuth(ref: string, auths: readonly RegistryAuth[] | undefined): RegistryAuth | undefined {
  if (!auths?.length) return undefined;
  const reg = registryOf(ref);
  const path = `${reg}/${ref.startsWith(reg + '/') ? ref.slice(reg.length + 1) : ref}`.split(/[:@]/)[0];
  let best: RegistryAuth | undefined;
  let bestLen = -1;
  for (const a of auths) {
    const key = normalizeKey(a.serveraddress ?? '');
    if (!key) continue;
    if ((key === reg || path === key || path.startsWith(key + '/')) && key.length > bestLen) {
      best = a;
      bestLen = key.length;
    }
  }
  return best;
}

/** Decodes `.dockerconfigjson` / `.dockercfg` secret payloads into credentials. */
export function authsFromDockerConfig(json: string, legacy: boolean): RegistryAuth[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  const entries = (legacy ? parsed : (parsed as { auths?: unknown })?.auths) as Record<string, { auth?: string; username?: string; password?: string }> | undefined;
  if (!entries || typeof entries !== 'object') return [];
  const out: RegistryAuth[] = [];
  for (const [server, e] of Object.entries(entries)) {
    if (!e || typeof e !== 'object') continue;
    let { username, password } = e;
    if (e.auth && (!username || !password)) {
      const dec = Buffer.from(e.auth, 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i > 0) {
        username = dec.slice(0, i);
        password = dec.slice(i + 1);
      }
    }
    out.push({ serveraddress: server, username, password, auth: e.auth });
  }
  return out;
}

/** Docker credentials from a pod's imagePullSecrets (dockerconfigjson / dockercfg); unreadable secrets are skipped. */
export async function pullSecretAuths(
  pod: DeepReadonly<Pod>,
  getSecret: (namespace: string, name: string) => Promise<DeepReadonly<Secret> | undefined>,
): Promise<RegistryAuth[]> {
  const out: RegistryAuth[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const s = await getSecret(pod.metadata.namespace ?? 'default', ref.name).catch(() => undefined);
    const json = s?.data?.['.dockerconfigjson'] ?? s?.data?.['.dockercfg'];
    if (!s || !json) continue;
    out.push(...authsFromDockerConfig(Buffer.from(json, 'base64').toString('utf8'), s.type === 'kubernetes.io/dockercfg'));
  }
  return out;
}
