/**
 * ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount, v1.8):
 * a pod without serviceAccountName gets "default"; the account must exist
 * (else 403, retried by controllers); its token Secret is mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every container (a pod
 * cannot be made before the token controller has made the Secret: 500
 * ServerTimeout, retryable); its imagePullSecrets are copied to a pod without
 * any. Mirror pods may reference neither accounts nor secrets.
 */
import { randomInt } from 'node:crypto';
import { StatusError } from '../../machinery/errors.js';
import type { Obj } from '../registry/types.js';
import type { ObjectAccess } from './objects.js';
import { admissionForbidden, is, type AdmissionPlugin } from './types.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';

type Rec = Record<string, unknown>;
interface Volume { name: string; secret?: { secretName?: string }; [k: string]: unknown }
interface Container { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; [k: string]: unknown }

/** Is this secret a token of this account (annotations name it, and its uid if set)? */
export function isTokenOf(secret: Obj, sa: Obj): boolean {
  if (secret.type !== SA_TOKEN_TYPE) return false;
  const ann = secret.metadata?.annotations ?? {};
  if (ann['kubernetes.io/service-account.name'] !== sa.metadata?.name) return false;
  const uid = ann['kubernetes.io/service-account.uid'];
  return !uid || uid === sa.metadata?.uid;
}

export function serviceAccountAdmission(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    admit: async (a) => {
      if (a.operation !== 'CREATE' || !is(a, '', 'pods') || a.subresource || !a.object) return;
      const pod = a.object;
      const spec = (pod.spec ??= {}) as Rec;
      const volumes = ((spec.volumes as Volume[] | undefined) ?? []);
      if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) {
        if (spec.serviceAccountName) throw admissionForbidden(a, 'a mirror pod may not reference service accounts');
        if (volumes.some((v) => v.secret)) throw admissionForbidden(a, 'a mirror pod may not reference secrets');
        return;
      }
      if (!spec.serviceAccountName) spec.serviceAccountName = (spec.serviceAccount as string | undefined) || 'default';
      const saName = spec.serviceAccountName as string;
      const sa = await objects.get('', 'serviceaccounts', a.namespace, saName);
      if (!sa) throw admissionForbidden(a, `service account ${a.namespace}/${saName} was not found, retry after the service account is created`);
      const automount = (spec.automountServiceAccountToken as boolean | undefined) ?? (sa.automountServiceAccountToken as boolean | undefined) ?? true;
      if (automount) {
        const tokens = new Set((await objects.list('', 'secrets', a.namespace)).filter((s) => isTokenOf(s, sa) && !s.metadata?.deletionTimestamp).map((s) => s.metadata!.name!));
        const token = ((sa.secrets as { name?: string }[] | undefined) ?? []).map((r) => r.name ?? '').find((n) => tokens.has(n));
        if (!token) {
          throw new StatusError(500, 'ServerTimeout', `No API token found for service account "${saName}", retry after the token is automatically created and added to the service account`, { kind: 'serviceaccounts', name: 'create pod', retryAfterSeconds: 1 });
        }
        mountToken(spec, volumes, token);
      }
      const pull = (sa.imagePullSecrets as { name: string }[] | undefined) ?? [];
      if (!((spec.imagePullSecrets as unknown[] | undefined)?.length) && pull.length) spec.imagePullSecrets = pull.map((p) => ({ name: p.name }));
    },
  };
}

function mountToken(spec: Rec, volumes: Volume[], token: string): void {
  let volumeName = volumes.find((v) => v.secret?.secretName === token)?.name ?? '';
  const hasVolume = volumeName !== '';
  if (!volumeName) {
    volumeName = token;
    const names = new Set(volumes.map((v) => v.name));
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    while (names.has(volumeName)) volumeName = `${token}-${Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('')}`;
  }
  let needed = false;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of (list as Container[] | undefined) ?? []) {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !hasVolume) spec.volumes = [...volumes, { name: volumeName, secret: { secretName: token } }];
}
