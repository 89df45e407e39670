/**
 * Image references and registry credentials: which registry an image comes
 * from (Docker's rules: the first path component is a registry when it has
 * a '.' or ':' or is `localhost`, else Docker Hub), and which of the pod's
 * imagePullSecrets entries applies to it (longest matching key wins, as the
 * kubelet's credential keyring does).
 */
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
