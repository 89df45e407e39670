/**
 * The secure port's security as one bundle — authenticator, authorizer,
 * admission chain — built from kube-apiserver's flags. Every file is read and
 * every name checked at start-up (a bad one is a flag error, exit 2); cluster
 * objects are reached later, once the API server's registries exist.
 */
import type { ParsedFlags } from '../../machinery/flags/parsed.js';
import { newAdmissionChain, type AdmissionChain } from '../admission/index.js';
import type { ObjectAccess } from '../admission/objects.js';
import { newAuthenticator, type Authenticator } from '../authn/index.js';
import { publicKeysFromFiles } from '../authn/jwt.js';
import { newAuthorizer, type UnionAuthorizer } from './index.js';

export interface Security {
  authenticator: Authenticator;
  authorizer: UnionAuthorizer;
  admission: AdmissionChain;
  /** --authorization-mode includes RBAC: the default roles are created at start. */
  rbac: boolean;
}

/** An ObjectAccess whose target is bound later (the registries are made after the flags are read). */
function lateObjects(): { objects: ObjectAccess; bind(o: ObjectAccess): void } {
  let target: ObjectAccess | undefined;
  const t = () => {
    if (!target) throw new Error('cluster objects are not reachable before the API server is built');
    return target;
  };
  return {
    objects: {
      get: (...a) => t().get(...a),
      list: (...a) => t().list(...a),
      create: (...a) => t().create(...a),
      update: (...a) => t().update(...a),
    },
    bind: (o) => (target = o),
  };
}

/**
 * Reads the security flags. Throws an Error naming the flag/file/line at fault.
 * `onReject` hears why a request got 401 (for a verbose log; never a credential).
 */
export function securityFromFlags(flags: ParsedFlags, onReject?: (why: string) => void): (objects: ObjectAccess) => Security {
  const late = lateObjects();
  let keyFiles = flags.list('service-account-key-file').filter(Boolean);
  if (!keyFiles.length && flags.string('tls-private-key-file')) keyFiles = [flags.string('tls-private-key-file')];
  const authenticator = newAuthenticator(
    {
      clientCertificates: Boolean(flags.string('client-ca-file')),
      tokenAuthFile: flags.string('token-auth-file') || undefined,
      basicAuthFile: flags.string('basic-auth-file') || undefined,
      bootstrapTokens: flags.bool('enable-bootstrap-token-auth'),
      serviceAccountKeys: keyFiles.length ? publicKeysFromFiles(keyFiles) : undefined,
      serviceAccountLookup: flags.bool('service-account-lookup'),
      anonymous: flags.bool('anonymous-auth'),
    },
    late.objects,
    onReject,
  );
  const modes = flags.list('authorization-mode');
  const authorizer = newAuthorizer(
    {
      modes,
      policyFile: flags.string('authorization-policy-file') || undefined,
      rbacSuperUser: flags.string('authorization-rbac-super-user') || undefined,
      webhookConfigFile: flags.string('authorization-webhook-config-file') || undefined,
      webhook: { authorizedTTLms: flags.duration('authorization-webhook-cache-authorized-ttl'), unauthorizedTTLms: flags.duration('authorization-webhook-cache-unauthorized-ttl') },
    },
    late.objects,
  );
  const plugins = flags.isSet('enable-admission-plugins') ? flags.list('enable-admission-plugins') : flags.list('admission-control');
  let admission: AdmissionChain;
  try {
    admission = newAdmissionChain(plugins, late.objects, {
      defaultNotReadyTolerationSeconds: flags.number('default-not-ready-toleration-seconds'),
      defaultUnreachableTolerationSeconds: flags.number('default-unreachable-toleration-seconds'),
    });
  } catch (e) {
    throw new Error(`--${flags.isSet('enable-admission-plugins') ? 'enable-admission-plugins' : 'admission-control'}: ${(e as Error).message}`);
  }
  const security: Security = { authenticator, authorizer, admission, rbac: modes.includes('RBAC') };
  return (objects) => {
    late.bind(objects);
    return security;
  };
}
