/**
 * kube-apiserver as a daemon: flags → store → ApiServer → listeners. Serves
 * the insecure port (--insecure-bind-address:--insecure-port, 0 disables) and
 * the secure port (--bind-address:--secure-port, 0 disables) with
 * --tls-cert-file/--tls-private-key-file or a self-signed pair written to
 * --cert-dir. The secure port authenticates, authorizes and admits as the
 * security flags say (authz/security.ts); the insecure port does not.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { execa } from 'execa';
import type { ParsedFlags } from '../machinery/flags/parsed.js';
import type { Logger } from '../machinery/log/logger.js';
import { applyRuntimeConfig } from './runtimeconfig.js';
import { openStore, type StoreConfig } from '../storage/factory.js';
import type { Store } from '../storage/types.js';
import { ApiServer } from './server.js';
import { apiHooks } from './hooks.js';
import { securityFromFlags, type Security } from './authz/security.js';
import { ensureBootstrapPolicy } from './authz/bootstrappolicy.js';

/** The storage backend the flags ask for: --etcd-servers alone means etcd3, so the seeds' start-up scripts keep their meaning. */
export function storageConfigFrom(flags: ParsedFlags): StoreConfig {
  const servers = flags.list('etcd-servers').filter(Boolean);
  let backend = flags.string('storage-backend') as 'sqlite' | 'etcd3';
  if (!flags.isSet('storage-backend') && servers.length > 0) backend = 'etcd3';
  const cfg: StoreConfig = { backend, dataDir: flags.string('data-dir'), etcdServers: servers, etcdPrefix: flags.string('etcd-prefix') };
  if (flags.string('etcd-cafile')) cfg.etcdCAFile = flags.string('etcd-cafile');
  if (flags.string('etcd-certfile')) cfg.etcdCertFile = flags.string('etcd-certfile');
  if (flags.string('etcd-keyfile')) cfg.etcdKeyFile = flags.string('etcd-keyfile');
  return cfg;
}

async function tlsPair(flags: ParsedFlags, log: Logger): Promise<{ cert: Buffer; key: Buffer }> {
  const certFile = flags.string('tls-cert-file');
  const keyFile = flags.string('tls-private-key-file');
  if (certFile && keyFile) return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  const dir = flags.string('cert-dir');
  const cert = join(dir, 'apiserver.crt');
  const key = join(dir, 'apiserver.key');
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true });
    const host = flags.string('external-hostname') || hostname();
    await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', `/CN=${host}@${Math.floor(Date.now() / 1000)}`, '-addext', `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1`, '-keyout', key, '-out', cert]);
    log.info('Generated self-signed serving certificate', { cert, key });
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function runApiServer(flags: ParsedFlags, log: Logger, signal: AbortSignal): Promise<number> {
  let runtime;
  try {
    runtime = applyRuntimeConfig(flags.map('runtime-config'));
  } catch (e) {
    log.error((e as Error).message);
    return 1;
  }
  for (const k of runtime.unknown) log.warn(`--runtime-config: ${k} is not a group/version kubets serves; ignored`);
  if (runtime.disabled.length) log.info('Group versions switched off by --runtime-config', { disabled: runtime.disabled.join(',') });
  const scheme = runtime.scheme;
  // Security flags are checked before anything starts: a bad file or name is a flag error.
  let security: (objects: import('./admission/objects.js').ObjectAccess) => Security;
  try {
    security = securityFromFlags(flags, (why) => log.v(4).info('Unable to authenticate the request', { err: why }));
  } catch (e) {
    log.error((e as Error).message);
    return 2;
  }
  const storeCfg = storageConfigFrom(flags);
  let store: Store;
  try {
    store = await openStore(storeCfg);
  } catch (e) {
    log.error(`cannot open the ${storeCfg.backend} store: ${(e as Error).message}; check --data-dir / --etcd-servers`);
    return 1;
  }
  log.info('Storage opened', { backend: storeCfg.backend, ...(storeCfg.backend === 'etcd3' ? { servers: storeCfg.etcdServers?.join(','), prefix: storeCfg.etcdPrefix } : { dataDir: storeCfg.dataDir }) });
  const insecurePort = flags.number('insecure-port');
  const securePort = flags.number('secure-port');
  const advertise = flags.string('advertise-address') || flags.string('bind-address');
  const endpointAddress = advertise === '0.0.0.0' || advertise === '' ? '127.0.0.1' : advertise;
  const portRange = flags.portRange('service-node-port-range');
  let api: ApiServer;
  try {
    api = new ApiServer({
    serviceRanges: {
      // Upstream's default service range when the flag is empty.
      clusterIPRange: flags.string('service-cluster-ip-range') || '10.0.0.0/24',
      nodePortRange: portRange.size > 0 ? portRange : { base: 30000, size: 2768 },
    },
    endpointAddress,
    endpointPort: securePort || insecurePort,
    maxRequestBytes: flags.number('max-request-bytes'),
    maxRequestsInflight: flags.number('max-requests-inflight'),
    maxMutatingRequestsInflight: flags.number('max-mutating-requests-inflight'),
    corsAllowedOrigins: [...flags.list('cors-allowed-origins')],
    eventTTLms: flags.duration('event-ttl'),
    processMetrics: true,
    profiling: flags.bool('profiling'),
    kubelet: {
      https: flags.bool('kubelet-https'),
      port: flags.number('kubelet-port'),
      timeoutMs: flags.duration('kubelet-timeout'),
      preferredAddressTypes: [...flags.list('kubelet-preferred-address-types')],
      caFile: flags.string('kubelet-certificate-authority') || undefined,
      certFile: flags.string('kubelet-client-certificate') || undefined,
      keyFile: flags.string('kubelet-client-key') || undefined,
    },
    watchCache: {
      enabled: flags.bool('watch-cache'),
      defaultSize: flags.number('default-watch-cache-size'),
      sizes: Object.fromEntries(
        flags
          .list('watch-cache-size')
          .filter(Boolean)
          .map((e) => {
            const [res, size] = e.split('#');
            return [res, Number(size)];
          }),
      ),
    },
    componentProbes: [
      { name: 'scheduler', check: 'http://127.0.0.1:10251/healthz' },
      { name: 'controller-manager', check: 'http://127.0.0.1:10252/healthz' },
      ...(storeCfg.backend === 'etcd3'
        ? (storeCfg.etcdServers ?? []).map((s, i) => ({ name: `etcd-${i}`, check: `${s.replace(/\/+$/, '')}/health` }))
        : [{ name: 'sqlite', check: () => store.check() }]),
    ],
    scheme,
    store,
    hooks: apiHooks,
    security,
    serverAddress: `${endpointAddress}:${securePort || insecurePort}`,
    minRequestTimeoutSeconds: flags.number('min-request-timeout'),
    onError: (req, err) => {
      if (err.code >= 500) log.error('request failed', { method: req.method, url: req.url, code: err.code, reason: err.reason, message: err.message });
      else log.v(2).info('request refused', { method: req.method, url: req.url, code: err.code, reason: err.reason, message: err.message });
    },
    });
  } catch (e) {
    log.error(`bad configuration: ${(e as Error).message}; check --service-cluster-ip-range`);
    await store.close();
    return 1;
  }
  // Admission plugins named on the command line that do nothing in kubets: one line each (as no-op flags).
  for (const p of api.security?.admission.inert ?? []) log.warn(`Admission plugin ${p.name} has no effect in kubets: ${p.why}`);
  // The store may be unreachable at start (etcd restarting): retry with back-off, saying so once.
  for (let delay = 500, said = false; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      await api.bootstrap();
      if (said) log.info('storage reachable again');
      if (api.security?.rbac) {
        const created = await ensureBootstrapPolicy(api.objects);
        if (created.length) log.info('RBAC: created the default cluster roles and bindings', { count: created.length });
      }
      break;
    } catch (e) {
      if (!said) log.warn(`storage not reachable yet, retrying with back-off: ${(e as Error).message}`);
      said = true;
      if (signal.aborted) return 1;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  const servers: Server[] = [];
  try {
    if (insecurePort > 0) {
      const s = createServer(api.handle);
      s.on('upgrade', api.handleUpgrade);
      await listen(s, insecurePort, flags.string('insecure-bind-address'));
      servers.push(s);
      log.info(`Serving insecurely on ${flags.string('insecure-bind-address')}:${insecurePort}`);
    }
    if (securePort > 0) {
      const tls = await tlsPair(flags, log);
      // With --client-ca-file the handshake asks for a client certificate and verifies it against
      // that bundle only; a missing or bad one is not fatal (the request may carry a token instead).
      const clientCA = flags.string('client-ca-file');
      const s = createTlsServer({ cert: tls.cert, key: tls.key, ...(clientCA ? { requestCert: true, rejectUnauthorized: false, ca: readFileSync(clientCA) } : {}) }, api.handleSecure);
      s.on('upgrade', api.handleSecureUpgrade);
      await listen(s, securePort, flags.string('bind-address'));
      servers.push(s);
      log.info(`Serving securely on ${flags.string('bind-address')}:${securePort}`);
    }
  } catch (e) {
    log.error(`cannot serve: ${(e as Error).message}; check --insecure-port/--secure-port and the bind addresses`);
    for (const s of servers) s.close();
    await store.close();
    return 1;
  }
  if (servers.length === 0) log.warn('both --insecure-port and --secure-port are 0: serving nothing');
  const sweeper = api.runEventSweeper(signal);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  log.info('Shutting down');
  await sweeper;
  await api.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await store.close();
  await log.flush();
  return 0;
}
