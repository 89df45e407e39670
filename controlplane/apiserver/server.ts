/**
 * kube-apiserver's HTTP surface: discovery, OpenAPI, health, and the resource
 * verbs for every resource of the scheme through one generic registry.
 * `handle(req, res)` is a plain node:http handler so tests and the daemon
 * serve it the same way (insecure port, secure port, or an ephemeral one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import YAML from 'yaml';
import { apiErrors, StatusError } from '../machinery/errors.js';
import { parseSelector } from '../machinery/labels.js';
import type { Scheme, ResourceInfo } from '../api/scheme.js';
import type { Store } from '../storage/types.js';
import { parseRequestInfo, type ResourceRequest } from './http/requestinfo.js';
import { responseShape, aggregatedDiscoveryVersion, decodeBody, patchTypeOf } from './http/negotiate.js';
import { buildDiscovery, groupDoc, type DiscoveryDocs } from './discovery.js';
import { buildOpenAPI, OPENAPI_V2_CONTENT_TYPE, type OpenAPIDocs } from './openapi.js';
import { GenericStore, type Selection, type DeleteOpts } from './registry/generic.js';
import { noHooks, type HookLookup, type Obj } from './registry/types.js';
import { toTable, type IncludeObject } from './tables.js';
import { ApiMetrics } from './metrics.js';
import { servePprof } from '../machinery/debug/pprof.js';
import { WatchCache } from './cache/watchcache.js';
import { componentStatus, componentStatuses, type ComponentProbe } from './componentstatus.js';
import { isReview, answerReview } from './reviews.js';
import { defaultKubeletClientConfig, kubeletPath, kubeletTarget, proxyRequest, proxyUpgrade, type KubeletClientConfig } from './kubeletproxy.js';
import type { Duplex } from 'node:stream';
import { applyPatch } from './patch/apply.js';
import { encodeK8sProtobuf, isProtobufKind, K8S_PROTOBUF_MEDIA_TYPE, ProtobufError } from './protobuf/index.js';
import { applyOperation, managerName, validateFieldManager } from './fieldmanager/index.js';
import { unknownFields, unknownFieldMessage, strictDecodingError } from './openapi/schemas.js';
import { toScale, updateScale, bindPod, evictPod, approveCSR, finalizeNamespace, setCSRRequester, type DisruptionBudgets } from './registry/subresources.js';
import { ServiceAllocations, type ServiceRanges } from './registry/service/lifecycle.js';
// Security seam: authn → authz before the handler, admission where user writes reach the registry.
import type { RequestInfo } from './http/requestinfo.js';
import { registryObjects, type ObjectAccess } from './admission/objects.js';
import { admitAll } from './admission/index.js';
import { AdmittedWriter } from './admission/writer.js';
import { attributesFor, forbidden } from './authz/index.js';
import type { Security } from './authz/security.js';
import { UNSECURED, type UserInfo } from './authn/user.js';
// metrics.k8s.io seam: `kubectl top`, served natively from the kubelets' summaries (metricsapi/).
import { MetricsApi, isMetricsPath, withMetricsDiscovery } from './metricsapi/index.js';

export interface ApiServerOptions {
  scheme: Scheme;
  store: Store;
  hooks?: HookLookup;
  /** host:port advertised in /api serverAddressByClientCIDRs. */
  serverAddress: string;
  /** --max-request-bytes: larger bodies get 413. */
  maxRequestBytes?: number;
  /** --min-request-timeout: watches without timeoutSeconds end after a random 1–2× this. */
  minRequestTimeoutSeconds?: number;
  version?: { major: string; minor: string; gitVersion: string };
  /** --service-cluster-ip-range and --service-node-port-range. */
  serviceRanges?: ServiceRanges;
  /** Addresses of the API servers, listed in the `kubernetes` Endpoints (--advertise-address). */
  endpointAddress?: string;
  /** Port of the `kubernetes` Service's endpoints (--secure-port, or the insecure port when 0). */
  endpointPort?: number;
  /** --max-requests-inflight / --max-mutating-requests-inflight (0: no limit). Watches are not counted, as upstream. */
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** --cors-allowed-origins: regular expressions matched against the Origin header. */
  corsAllowedOrigins?: string[];
  /** --event-ttl in ms: events older than this are deleted (0: kept). */
  eventTTLms?: number;
  /**
   * --watch-cache: serve resourceVersion=0 lists and watches from memory, one
   * store watch per resource. Sizes: --watch-cache-size (resource → events kept),
   * --default-watch-cache-size for the rest.
   */
  watchCache?: { enabled: boolean; sizes?: Record<string, number>; defaultSize?: number };
  /** How to reach kubelets for logs/exec/attach/port-forward/proxy (--kubelet-* flags). */
  kubelet?: KubeletClientConfig;
  /** What componentstatuses probe; default: scheduler and controller manager on their local ports, and the store. */
  componentProbes?: ComponentProbe[];
  /** --profiling: /debug/pprof/ (V8 CPU profiles and heap snapshots). */
  profiling?: boolean;
  /** Process-wide metrics (GC, memory) in /metrics; off in tests. */
  processMetrics?: boolean;
  /**
   * Authentication, authorization and admission for the secure port
   * (handleSecure); built once the registries exist. Absent: requests are the
   * unsecured user, everything is allowed and admitted (the insecure port always is).
   */
  security?: (objects: ObjectAccess) => Security;
  /** Called once per failed request with what went wrong (the daemon logs it). */
  onError?: (req: { method: string; url: string }, err: StatusError) => void;
}

export interface RequestLog {
  method: string;
  url: string;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ApiServer {
  // Immutable after construction.
  private readonly discovery: DiscoveryDocs;
  private readonly openapi: OpenAPIDocs;
  private readonly registries = new Map<ResourceInfo, GenericStore>();
  private readonly maxRequestBytes: number;
  private readonly version: { major: string; minor: string; gitVersion: string };
  /** Aborted on close(): ends every open watch. */
  private readonly shutdown = new AbortController();
  readonly services: ServiceAllocations;
  readonly metrics: ApiMetrics;
  /** Requests being served now, by kind; guarded by the single JS thread. */
  private inflight = { readOnly: 0, mutating: 0 };
  private readonly cors: RegExp[];
  /** Namespace clean-ups in flight; awaited by close(). */
  private readonly background = new Set<Promise<void>>();
  /** The security bundle (authz/security.ts); immutable after construction. */
  readonly security?: Security;
  /** Cluster objects as authn/authz/admission read them. */
  readonly objects: ObjectAccess;
  /** Requests that arrived on the secure port, and who each request is once authenticated. */
  private readonly secureRequests = new WeakSet<IncomingMessage>();
  private readonly users = new WeakMap<IncomingMessage, UserInfo>();
  /** metrics.k8s.io/v1beta1 (metricsapi/); not part of the scheme, so not in OpenAPI. */
  private readonly metricsApi: MetricsApi;

  constructor(private readonly opts: ApiServerOptions) {
    // Every open watch listens for shutdown: thousands of listeners are expected.
    setMaxListeners(0, this.shutdown.signal);
    this.metrics = new ApiMetrics(opts.processMetrics ?? false);
    this.cors = (opts.corsAllowedOrigins ?? []).filter(Boolean).map((r) => new RegExp(r));
    this.services = new ServiceAllocations(opts.store, opts.serviceRanges ?? { clusterIPRange: '10.0.0.0/24', nodePortRange: { base: 30000, size: 2768 } });
    this.discovery = withMetricsDiscovery(buildDiscovery(opts.scheme, opts.serverAddress)); // metrics.k8s.io seam
    this.openapi = buildOpenAPI(opts.scheme);
    this.maxRequestBytes = opts.maxRequestBytes ?? 3 * 1024 * 1024;
    this.version = opts.version ?? { major: '1', minor: '33', gitVersion: 'v1.33.0-kubets' };
    this.objects = registryObjects(opts.scheme, (info) => this.registry(info));
    this.security = opts.security?.(this.objects);
    // metrics.k8s.io seam: Node and Pod objects from the registries, summaries through the kubelet client.
    const orNotFound = (e: unknown): undefined => {
      if (e instanceof StatusError && e.reason === 'NotFound') return undefined;
      throw e;
    };
    this.metricsApi = new MetricsApi({
      kubelet: opts.kubelet ?? defaultKubeletClientConfig,
      objects: {
        listNodes: async () => (await this.core('nodes').list('', {})).items,
        listPods: async (ns) => (await this.core('pods').list(ns, {})).items,
        getNode: (name) => this.core('nodes').get('', name).catch(orNotFound),
        getPod: (ns, name) => this.core('pods').get(ns, name).catch(orNotFound),
      },
    });
  }

  /** The registry serving one resource (created on first use). */
  registry(info: ResourceInfo): GenericStore {
    let r = this.registries.get(info);
    if (!r) {
      const hooks = this.opts.hooks?.hooksFor(info.group, info.version, info.kind) ?? noHooks;
      // The store adds --etcd-prefix (/registry), so keys match upstream: /registry/pods/default/x.
      const prefix = info.group ? `/${info.group}/${info.resource}` : `/${info.resource}`;
      const lifecycle = info.group === '' && info.resource === 'services' ? this.services : {};
      r = new GenericStore(info, this.opts.store, hooks, prefix, (ns) => this.namespaceMustExist(ns), lifecycle, this.watchCacheFor(info, prefix));
      this.registries.set(info, r);
    }
    return r;
  }

  /** Starts the resource's watch cache on first use (nothing is cached for resources nobody reads). */
  private watchCacheFor(info: ResourceInfo, prefix: string): WatchCache | undefined {
    const wc = this.opts.watchCache;
    if (!wc?.enabled || info.resource === 'componentstatuses') return undefined;
    const sizeKey = info.group ? `${info.resource}.${info.group}` : info.resource;
    const capacity = wc.sizes?.[sizeKey] ?? wc.sizes?.[info.resource] ?? wc.defaultSize ?? 100;
    if (capacity <= 0) return undefined;
    const cache = new WatchCache(this.opts.store, `${prefix}/`, { capacity: Math.max(capacity, 100) });
    const p = cache.run(this.shutdown.signal).catch((e: unknown) => {
      this.opts.onError?.({ method: 'WATCH', url: `watch cache ${prefix}` }, apiErrors.internal(e as Error));
    });
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
    return cache;
  }

  private core(resource: string): GenericStore {
    const info = this.opts.scheme.forResource('', resource);
    if (!info) throw new Error(`scheme has no core resource ${resource}`);
    return this.registry(info);
  }

  private async namespaceMustExist(ns: string): Promise<void> {
    const nsReg = this.core('namespaces');
    if (!(await this.opts.store.get(nsReg.key('', ns)))) throw apiErrors.notFound('', 'namespaces', ns);
  }

  /** Creates the namespaces every cluster has (default, kube-system, kube-public, kube-node-lease). */
  async bootstrap(): Promise<void> {
    const nsReg = this.core('namespaces');
    for (const name of DEFAULT_NAMESPACES) {
      try {
        await nsReg.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    await this.ensureKubernetesService();
    await this.ensureSystemPriorityClasses();
  }

  /** The two priority classes every cluster has (upstream's scheduling bootstrap). */
  private async ensureSystemPriorityClasses(): Promise<void> {
    const info = this.opts.scheme.forResource('scheduling.k8s.io', 'priorityclasses');
    if (!info) return; // switched off by --runtime-config
    const reg = this.registry(info);
    const classes = [
      { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
      { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
    ];
    for (const c of classes) {
      try {
        await reg.create('', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: c.name }, value: c.value, description: c.description, globalDefault: false });
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      }
    }
  }

  /**
   * The `kubernetes` Service in default gets the first address of the service
   * range; its Endpoints name the API server (upstream's master endpoint reconciler).
   */
  private async ensureKubernetesService(): Promise<void> {
    const svcReg = this.core('services');
    const port = this.opts.endpointPort ?? 443;
    // Look first: creating it again would try to allocate its address, which the existing one holds.
    const existing = await svcReg.get('default', 'kubernetes').catch((e: unknown) => {
      if (e instanceof StatusError && e.reason === 'NotFound') return undefined;
      throw e;
    });
    if (!existing) {
      try {
        await svcReg.create('default', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
          spec: { type: 'ClusterIP', clusterIP: this.services.ips.ipAt(0), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
        });
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    const epReg = this.core('endpoints');
    const want = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: this.opts.endpointAddress ?? '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    };
    try {
      await epReg.create('default', want);
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
      await epReg.guaranteedUpdate('default', 'kubernetes', (cur) => ({ ...cur, subsets: want.subsets }));
    }
  }

  /** Ends every open watch; resolves when background work has stopped. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.all([...this.background]);
  }

  // ---- security seam -------------------------------------------------------

  /** The secure port's handlers: the request is authenticated and authorized before it is served. */
  readonly handleSecure = (req: IncomingMessage, res: ServerResponse): void => {
    this.secureRequests.add(req);
    this.handle(req, res);
  };

  readonly handleSecureUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.secureRequests.add(req);
    this.handleUpgrade(req, socket, head);
  };

  /**
   * authn → authz. The insecure port (and an ApiServer without security) is
   * the unsecured user with every permission, as upstream 1.8's insecure port.
   */
  private async guard(req: IncomingMessage, info: RequestInfo): Promise<UserInfo> {
    if (!this.security || !this.secureRequests.has(req)) return UNSECURED;
    const user = await this.security.authenticator.authenticate(req);
    this.users.set(req, user);
    const attrs = attributesFor(user, req.method ?? 'GET', info);
    const verdict = await this.security.authorizer.authorize(attrs);
    if (verdict.decision !== 'Allow') throw forbidden(attrs, verdict.reason);
    return user;
  }

  private userOf(req: IncomingMessage): UserInfo {
    return this.users.get(req) ?? UNSECURED;
  }

  /** The registry's writes on behalf of the request's user, through the admission chain. */
  private writer(reg: GenericStore, req: IncomingMessage, subresource: string): AdmittedWriter {
    return new AdmittedWriter(this.security?.admission ?? admitAll, reg, this.userOf(req), subresource);
  }

  // ---- HTTP --------------------------------------------------------------

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname.replace(/\/+$/, '') || '/', url.searchParams);
    const labels = info.isResourceRequest
      ? { verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource }
      : { verb: info.verb, group: '', resource: '', subresource: '' };
    this.applyCors(req, res);
    if (req.method === 'OPTIONS' && this.cors.length) {
      res.writeHead(204);
      res.end();
      return;
    }
    // Long-running requests (watches) hold no in-flight slot, as upstream.
    const longRunning = info.isResourceRequest && (info.verb === 'watch' || info.verb === 'connect' || info.verb === 'proxy');
    const kind: 'readOnly' | 'mutating' = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '') ? 'mutating' : 'readOnly';
    const limit = kind === 'mutating' ? this.opts.maxMutatingRequestsInflight ?? 200 : this.opts.maxRequestsInflight ?? 400;
    if (!longRunning && limit > 0 && this.inflight[kind] >= limit) {
      this.metrics.rejected.inc({ request_kind: kind });
      this.metrics.requests.inc({ ...labels, code: '429' });
      return this.sendStatus(res, apiErrors.tooManyRequests('Too many requests, please try again later.', 1));
    }
    if (!longRunning) {
      this.inflight[kind]++;
      this.metrics.inflight.set({ request_kind: kind }, this.inflight[kind]);
    }
    res.once('close', () => {
      if (!longRunning) {
        this.inflight[kind]--;
        this.metrics.inflight.set({ request_kind: kind }, this.inflight[kind]);
      }
      this.metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      if (!longRunning) this.metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    this.serve(req, res).catch((e: unknown) => {
      const err = e instanceof StatusError ? e : apiErrors.internal(e instanceof Error ? e : new Error(String(e)));
      this.opts.onError?.({ method: req.method ?? '', url: req.url ?? '' }, err);
      if (!res.headersSent) this.sendStatus(res, err);
      else res.end();
    });
  };

  private applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin || !this.cors.some((r) => r.test(origin))) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS, PUT, DELETE, PATCH');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, X-Requested-With, If-Modified-Since');
    res.setHeader('Access-Control-Expose-Headers', 'Date');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }

  /**
   * Deletes events older than --event-ttl, every tenth of the TTL (at most a
   * minute apart). Upstream gives each event an etcd lease; one sweeper works
   * the same on both storage backends.
   */
  async runEventSweeper(signal: AbortSignal): Promise<void> {
    const ttl = this.opts.eventTTLms ?? 0;
    if (ttl <= 0) return;
    const every = Math.min(Math.max(ttl / 10, 1000), 60_000);
    const events = this.core('events');
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, every);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (signal.aborted) return;
      try {
        const now = Date.now();
        for (const e of (await events.list('', {})).items) {
          const last = (e.lastTimestamp as string | undefined) ?? (e.eventTime as string | undefined) ?? e.metadata?.creationTimestamp ?? undefined;
          if (last && now - Date.parse(last) > ttl) {
            await events.delete(e.metadata!.namespace!, e.metadata!.name!).catch(() => undefined);
          }
        }
      } catch (e) {
        this.opts.onError?.({ method: 'DELETE', url: 'event TTL sweep' }, e instanceof StatusError ? e : apiErrors.internal(e as Error));
      }
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const accept = req.headers.accept;
    await this.guard(req, parseRequestInfo(req.method ?? 'GET', path, q));
    if (this.opts.profiling && (await servePprof(url, res))) return;
    switch (path) {
      case '/version':
        return this.sendJSON(res, 200, { ...this.version, gitCommit: '', gitTreeState: 'clean', buildDate: '2026-11-22T00:00:00Z', goVersion: 'node' + process.versions.node, compiler: 'tsc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` });
      case '/metrics': {
        const text = await this.metrics.registry.metrics();
        return this.sendText(res, 200, text, this.metrics.registry.contentType);
      }
      case '/healthz':
      case '/livez':
        return this.sendText(res, 200, 'ok');
      case '/readyz':
        try {
          await this.opts.store.check();
          return this.sendText(res, 200, 'ok');
        } catch (e) {
          return this.sendText(res, 500, `[-]store failed: ${(e as Error).message}\nreadyz check failed`);
        }
      case '/api': {
        const v = aggregatedDiscoveryVersion(accept);
        if (v) return this.sendJSON(res, 200, this.discovery.aggregatedCore(v), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
        return this.sendJSON(res, 200, this.discovery.apiVersions);
      }
      case '/apis': {
        const v = aggregatedDiscoveryVersion(accept);
        if (v) return this.sendJSON(res, 200, this.discovery.aggregatedGroups(v), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
        return this.sendJSON(res, 200, this.discovery.apiGroupList);
      }
      case '/openapi/v2':
      case '/swagger-2.0.0.pb-v1': {
        const body = this.openapi.v2();
        res.writeHead(200, { 'Content-Type': OPENAPI_V2_CONTENT_TYPE, 'Content-Length': String(body.length) });
        res.end(body);
        return;
      }
      case '/openapi/v3':
        return this.sendJSON(res, 200, this.openapi.index);
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.docs.get(path.slice('/openapi/v3/'.length));
      if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': q.get('hash') ? 'public, immutable' : 'no-cache, private', Etag: `"${doc.hash}"` });
      res.end(doc.body);
      return;
    }
    const segs = path.split('/').filter(Boolean);
    // metrics.k8s.io seam: group, version and resource requests (authorized above like any resource).
    if (isMetricsPath(segs)) return this.sendJSON(res, 200, await this.metricsApi.serve(req.method ?? 'GET', segs, q));
    if (segs[0] === 'api' && segs.length === 2) {
      const list = this.discovery.resourceLists.get(segs[1]);
      if (list) return this.sendJSON(res, 200, list);
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = groupDoc(this.opts.scheme, segs[1]);
      if (g) return this.sendJSON(res, 200, g);
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const list = this.discovery.resourceLists.get(`${segs[1]}/${segs[2]}`);
      if (list) return this.sendJSON(res, 200, list);
    }
    const info = parseRequestInfo(req.method ?? 'GET', path, q);
    if (!info.isResourceRequest) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return this.serveResource(info, req, res, q);
  }

  private async serveResource(ri: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const info = this.opts.scheme.forResource(ri.group, ri.resource, ri.version);
    if (!info) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (ri.namespace && !info.namespaced) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const sub = ri.subresource ? info.subresources.find((s) => s.name === ri.subresource) : undefined;
    if (ri.subresource && !sub) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const reg = this.registry(info);
    const ns = info.namespaced ? ri.namespace : '';
    const dryRun = q.getAll('dryRun').includes('All');
    const accept = req.headers.accept;

    if (this.isKubeletSubresource(info, ri.subresource)) return this.serveKubeletRequest(ri, req, res, q);
    if (info.group === '' && info.resource === 'services' && ri.subresource === 'proxy') return this.serveServiceProxy(ri, req, res, q);
    const verbAllowed = (v: string) => (sub ? sub.verbs.includes(v as never) : info.verbs.includes(v as never));
    if (!verbAllowed(ri.verb)) {
      throw apiErrors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    }

    if (info.group === '' && info.resource === 'componentstatuses') return this.serveComponentStatuses(info, ri, res, q);
    if (isReview(info.group, info.resource) && ri.verb === 'create') {
      const body = decodeBody(await this.readBody(req), req.headers['content-type']) as Obj;
      return this.sendJSON(res, 201, await answerReview(info.group, info.resource, info.version, info.kind, body, { user: this.userOf(req), namespace: ri.namespace, security: this.security }));
    }
    if (ri.subresource && ri.subresource !== 'status') return this.serveSubresource(reg, info, ri, ns, req, res, q, dryRun);
    const w = this.writer(reg, req, ri.subresource);

    switch (ri.verb) {
      case 'get': {
        const o = await reg.get(ns, ri.name);
        return this.sendObject(res, accept, info, [o], { single: true, q });
      }
      case 'list': {
        const sel = this.selection(q);
        const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
        const r = await reg.list(ri.namespace, {
          ...sel,
          limit: limit && limit > 0 ? limit : undefined,
          continue: q.get('continue') || undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        });
        return this.sendObject(res, accept, info, r.items, { single: false, q, resourceVersion: r.resourceVersion, continue: r.continue, remaining: r.remainingItemCount });
      }
      case 'watch':
        return this.serveWatch(reg, info, ri, req, res, q);
      case 'create': {
        const body = decodeBody(await this.readBody(req), req.headers['content-type']) as Obj;
        this.checkFields(info, body, q, res);
        const bad = validateFieldManager(q.get('fieldManager'), { kind: 'CreateOptions' });
        if (bad) throw bad;
        if (info.group === 'certificates.k8s.io' && info.resource === 'certificatesigningrequests') setCSRRequester(body, this.userOf(req));
        const o = await w.create(ns, body, { dryRun, track: this.track(req, q) });
        return this.sendObject(res, accept, info, [o], { single: true, q, code: 201 });
      }
      case 'update': {
        const body = decodeBody(await this.readBody(req), req.headers['content-type']) as Obj;
        this.checkFields(info, body, q, res);
        const bad = validateFieldManager(q.get('fieldManager'), { kind: 'UpdateOptions' });
        if (bad) throw bad;
        const o = await w.update(ns, ri.name, body, { dryRun, subresource: ri.subresource, track: this.track(req, q) });
        return this.sendObject(res, accept, info, [o], { single: true, q });
      }
      case 'patch': {
        const type = patchTypeOf(req.headers['content-type']);
        const patch = decodeBody(await this.readBody(req), req.headers['content-type']);
        const fm = q.get('fieldManager');
        const bad = validateFieldManager(fm, { kind: 'PatchOptions', apply: type === 'apply' });
        if (bad) throw bad;
        if (type !== 'apply' && q.get('force') !== null) {
          throw apiErrors.invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
        }
        if (type === 'apply') {
          // Server-side apply: field ownership in metadata.managedFields; a missing object is created.
          const args = { manager: fm!, force: q.get('force') === 'true', apiVersion: reg.apiVersion, kind: info.kind, now: new Date(), subresource: ri.subresource ?? '' };
          try {
            await reg.get(ns, ri.name);
          } catch (e) {
            if (e instanceof StatusError && e.reason === 'NotFound' && !ri.subresource) {
              this.checkFields(info, patch, q, res);
              const body = { ...(patch as Obj), metadata: { ...((patch as Obj).metadata ?? {}), name: ri.name } };
              const o = await w.create(ns, applyOperation({ ...args, live: undefined, applied: body }).object as Obj, { dryRun });
              return this.sendObject(res, accept, info, [o], { single: true, q, code: 201 });
            }
            throw e;
          }
          let checkedApply = false;
          const o = await w.guaranteedUpdate(
            ns,
            ri.name,
            (cur) => {
              const next = applyOperation({ ...args, live: cur, applied: patch }).object as Obj;
              if (!checkedApply) this.checkFields(info, next, q, res);
              checkedApply = true;
              return next;
            },
            { dryRun, subresource: ri.subresource },
          );
          return this.sendObject(res, accept, info, [o], { single: true, q });
        }
        let checked = false;
        const o = await w.guaranteedUpdate(
          ns,
          ri.name,
          (cur) => {
            const next = applyPatch(type, cur, patch, info);
            if (!checked) this.checkFields(info, next, q, res);
            checked = true;
            return next;
          },
          { dryRun, subresource: ri.subresource, track: this.track(req, q) },
        );
        return this.sendObject(res, accept, info, [o], { single: true, q });
      }
      case 'delete': {
        const opts = await this.deleteOptions(req, q);
        const o = await w.delete(ns, ri.name, opts);
        if (info.group === '' && info.resource === 'namespaces' && !opts.dryRun && o.metadata?.deletionTimestamp) this.drainNamespace(ri.name);
        return this.sendObject(res, accept, info, [o], { single: true, q });
      }
      case 'deletecollection': {
        const opts = await this.deleteOptions(req, q);
        const r = await reg.list(ri.namespace, { ...this.selection(q) });
        const deleted: Obj[] = [];
        for (const o of r.items) {
          try {
            deleted.push(await w.delete(o.metadata?.namespace ?? '', o.metadata!.name!, opts));
          } catch (e) {
            if (!(e instanceof StatusError && e.reason === 'NotFound')) throw e;
          }
        }
        return this.sendObject(res, accept, info, deleted, { single: false, q, resourceVersion: r.resourceVersion });
      }
      default:
        throw apiErrors.methodNotAllowed(`${ri.verb} is not supported on ${ri.resource}`);
    }
  }

  private async serveSubresource(reg: GenericStore, info: ResourceInfo, ri: ResourceRequest, ns: string, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, dryRun: boolean): Promise<void> {
    const body = async () => decodeBody(await this.readBody(req), req.headers['content-type']) as Obj;
    const key = `${ri.resource}/${ri.subresource}`;
    if (ri.subresource === 'scale') {
      if (ri.verb === 'get') return this.sendJSON(res, 200, toScale(await reg.get(ns, ri.name)));
      if (ri.verb === 'update') {
        const scale = await body();
        return this.sendJSON(res, 200, await updateScale(reg, ns, ri.name, () => scale, dryRun));
      }
      if (ri.verb === 'patch') {
        const type = patchTypeOf(req.headers['content-type']);
        const patch = decodeBody(await this.readBody(req), req.headers['content-type']);
        const scaleInfo = this.opts.scheme.forKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' }) ?? info;
        return this.sendJSON(res, 200, await updateScale(reg, ns, ri.name, (cur) => applyPatch(type, cur, patch, scaleInfo), dryRun));
      }
    }
    if (key === 'pods/binding' && ri.verb === 'create') {
      await bindPod(reg, ns, ri.name, await body(), dryRun);
      return this.sendJSON(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (key === 'pods/eviction' && ri.verb === 'create') {
      await evictPod(reg, this.budgets(), ns, ri.name, await body(), dryRun);
      return this.sendJSON(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (key === 'certificatesigningrequests/approval' && (ri.verb === 'update' || ri.verb === 'patch')) {
      let o: Obj;
      if (ri.verb === 'update') o = await approveCSR(reg, ri.name, await body(), dryRun);
      else {
        const type = patchTypeOf(req.headers['content-type']);
        const patch = decodeBody(await this.readBody(req), req.headers['content-type']);
        const cur = await reg.get('', ri.name);
        o = await approveCSR(reg, ri.name, applyPatch(type, cur, patch, info), dryRun);
      }
      return this.sendObject(res, req.headers.accept, info, [o], { single: true, q });
    }
    if (key === 'certificatesigningrequests/approval' && ri.verb === 'get') {
      return this.sendObject(res, req.headers.accept, info, [await reg.get('', ri.name)], { single: true, q });
    }
    if (key === 'namespaces/finalize' && ri.verb === 'update') {
      const o = await finalizeNamespace(reg, ri.name, await body(), dryRun);
      return this.sendObject(res, req.headers.accept, info, [o], { single: true, q });
    }
    throw new StatusError(405, 'MethodNotAllowed', `${ri.verb} on ${key} is not served by kubets yet (pod log/exec/attach/port-forward and proxies arrive with the kubelet)`);
  }

  private probes(): ComponentProbe[] {
    return (
      this.opts.componentProbes ?? [
        { name: 'scheduler', check: 'http://127.0.0.1:10251/healthz' },
        { name: 'controller-manager', check: 'http://127.0.0.1:10252/healthz' },
        { name: 'storage', check: () => this.opts.store.check() },
      ]
    );
  }

  private async serveComponentStatuses(info: ResourceInfo, ri: ResourceRequest, res: ServerResponse, q: URLSearchParams): Promise<void> {
    if (ri.verb === 'get') {
      const p = this.probes().find((x) => x.name === ri.name);
      if (!p) throw apiErrors.notFound('', 'componentstatuses', ri.name);
      return this.sendObject(res, undefined, info, [await componentStatus(p)], { single: true, q });
    }
    if (ri.verb === 'list') {
      const accept = res.req.headers.accept;
      return this.sendObject(res, accept, info, await componentStatuses(this.probes()), { single: false, q, resourceVersion: '' });
    }
    throw apiErrors.methodNotAllowed('componentstatuses are computed on read: only get and list are served');
  }

  /**
   * services/proxy: `[scheme:]name[:port]/proxy/<path>` is forwarded to one
   * ready endpoint of the Service (upstream's service proxy; the API server
   * must be able to reach pod IPs, as on a node of the cluster).
   */
  private async serveServiceProxy(ri: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const parts = ri.name.split(':');
    let scheme = 'http';
    if (parts.length > 1 && (parts[0] === 'http' || parts[0] === 'https')) scheme = parts.shift()!;
    const [name, portSpec] = parts;
    const svc = await this.core('services').get(ri.namespace, name);
    const ports = ((svc.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports ?? []);
    const svcPort = portSpec ? ports.find((p) => p.name === portSpec || String(p.port) === portSpec) : ports[0];
    if (!svcPort) throw apiErrors.serviceUnavailable(`no service port ${JSON.stringify(portSpec ?? '')} found for service "${name}"`);
    const ep = await this.core('endpoints').get(ri.namespace, name).catch(() => undefined);
    const subsets = ((ep?.subsets as { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[] | undefined) ?? []);
    for (const ss of subsets) {
      const port = (ss.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? '')) ?? (ss.ports ?? [])[0];
      const addr = ss.addresses?.[0];
      if (port && addr) {
        const target = { host: addr.ip, port: port.port, https: scheme === 'https' };
        const qs = q.toString() ? `?${q.toString()}` : '';
        return proxyRequest(target, `/${ri.rest.map(encodeURIComponent).join('/')}${qs}`, { ...(this.opts.kubelet ?? defaultKubeletClientConfig), caFile: undefined, certFile: undefined, keyFile: undefined }, req, res);
      }
    }
    throw apiErrors.serviceUnavailable(`no endpoints available for service "${name}"`);
  }

  private isKubeletSubresource(info: ResourceInfo, sub: string): boolean {
    if (info.group !== '') return false;
    if (info.resource === 'pods') return sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward';
    return info.resource === 'nodes' && sub === 'proxy';
  }

  /** The kubelet and path a pod/node subresource request goes to. */
  private async kubeletRoute(ri: ResourceRequest, q: URLSearchParams): Promise<{ target: ReturnType<typeof kubeletTarget>; path: string }> {
    const cfg = this.opts.kubelet ?? defaultKubeletClientConfig;
    if (ri.resource === 'nodes') {
      const node = await this.core('nodes').get('', ri.name);
      return { target: kubeletTarget(node, cfg), path: kubeletPath('proxy', '', '', '', q, ri.rest) };
    }
    const pod = await this.core('pods').get(ri.namespace, ri.name);
    const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
    if (!spec.nodeName) throw apiErrors.badRequest(`pod ${ri.name} does not have a host assigned`);
    let container = q.get('container') ?? '';
    if (!container && ri.subresource !== 'portforward') {
      const names = (spec.containers ?? []).map((c) => c.name);
      const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      if (dflt && names.includes(dflt)) container = dflt;
      else if (names.length === 1) container = names[0];
      else throw apiErrors.badRequest(`a container name must be specified for pod ${ri.name}, choose one of: [${names.join(' ')}]`);
    } else if (container) {
      const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
      if (!all.includes(container)) throw apiErrors.badRequest(`container ${container} is not valid for pod ${ri.name}`);
    }
    const node = await this.core('nodes').get('', spec.nodeName);
    return { target: kubeletTarget(node, cfg), path: kubeletPath(ri.subresource, ri.namespace, ri.name, container, q) };
  }

  /**
   * ADMISSION ON CONNECT: pods/exec and pods/attach go through the chain as
   * CONNECT (DenyEscalatingExec, DenyExecOnPrivileged, AlwaysDeny) before
   * they reach the kubelet, on both the plain and the upgrade path.
   */
  private async admitConnect(ri: ResourceRequest, req: IncomingMessage): Promise<void> {
    if (ri.resource !== 'pods' || (ri.subresource !== 'exec' && ri.subresource !== 'attach')) return;
    const chain = this.security?.admission ?? admitAll;
    if (chain.empty) return;
    const kind = ri.subresource === 'exec' ? 'PodExecOptions' : 'PodAttachOptions';
    await chain.admit({ operation: 'CONNECT', group: '', version: 'v1', kind, resource: 'pods', subresource: ri.subresource, namespace: ri.namespace, name: ri.name, user: this.userOf(req), dryRun: false });
  }

  private async serveKubeletRequest(ri: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    await this.admitConnect(ri, req); // admission on connect (exec/attach)
    const route = await this.kubeletRoute(ri, q);
    await proxyRequest(route.target, route.path, this.opts.kubelet ?? defaultKubeletClientConfig, req, res);
  }

  /**
   * The node:http 'upgrade' handler: exec/attach/port-forward (WebSocket or
   * SPDY) are spliced to the kubelet; anything else is refused with a Status.
   */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const fail = (err: StatusError) => {
      const body = JSON.stringify(err.toStatus());
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const info = ri.isResourceRequest ? this.opts.scheme.forResource(ri.group, ri.resource, ri.version) : undefined;
    if (!ri.isResourceRequest || !info || !this.isKubeletSubresource(info, ri.subresource)) {
      return fail(new StatusError(400, 'BadRequest', `upgrade requests are served for pods/exec, pods/attach, pods/portforward and nodes/proxy only`));
    }
    this.guard(req, ri)
      .then(() => this.admitConnect(ri, req)) // admission on connect (exec/attach)
      .then(() => this.kubeletRoute(ri, url.searchParams))
      .then((route) => proxyUpgrade(route.target, route.path, this.opts.kubelet ?? defaultKubeletClientConfig, req, socket, head))
      .catch((e: unknown) => fail(e instanceof StatusError ? e : apiErrors.internal(e as Error)));
  };

  /** PodDisruptionBudgets, as pods/eviction needs them. */
  private budgets(): DisruptionBudgets {
    const info = this.opts.scheme.forResource('policy', 'poddisruptionbudgets');
    if (!info) return { list: async () => [], spend: async () => undefined };
    const pdbs = this.registry(info);
    return {
      list: async (ns) => (await pdbs.list(ns, {})).items,
      spend: async (pdb) => {
        await pdbs.guaranteedUpdate(
          pdb.metadata!.namespace!,
          pdb.metadata!.name!,
          (cur) => {
            const st = (cur.status ?? {}) as Record<string, unknown>;
            const allowed = typeof st.disruptionsAllowed === 'number' ? st.disruptionsAllowed : 0;
            if (cur.metadata?.resourceVersion !== pdb.metadata?.resourceVersion || allowed <= 0) {
              throw new StatusError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, { retryAfterSeconds: 10 });
            }
            return { ...cur, status: { ...st, disruptionsAllowed: allowed - 1 } };
          },
          { subresource: 'status' },
        );
      },
    };
  }

  /**
   * Deletes everything in a terminating namespace, then the namespace itself.
   * (Upstream's namespace controller in kube-controller-manager does this; the
   * API server does it here because it serves every resource in-process.)
   */
  private drainNamespace(name: string): void {
    const run = async () => {
      for (let attempt = 0; attempt < 20 && !this.shutdown.signal.aborted; attempt++) {
        let left = 0;
        for (const info of this.opts.scheme.all()) {
          if (!info.namespaced || !info.verbs.includes('delete') || !info.verbs.includes('list')) continue;
          const reg = this.registry(info);
          const items = (await reg.list(name, {})).items;
          for (const o of items) {
            try {
              await reg.delete(name, o.metadata!.name!, { gracePeriodSeconds: 0 });
            } catch (e) {
              if (!(e instanceof StatusError && e.reason === 'NotFound')) throw e;
            }
          }
          left += (await reg.list(name, {})).items.length;
        }
        if (left === 0) {
          await this.core('namespaces').finalize(name, [], false);
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    };
    const p = run().catch((e: unknown) => {
      if (!(e instanceof StatusError && e.reason === 'NotFound')) this.opts.onError?.({ method: 'DELETE', url: `namespace ${name} clean-up` }, e instanceof StatusError ? e : apiErrors.internal(e as Error));
    });
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /**
   * fieldValidation (API-SURFACE.md §b.7): Strict → 400 naming every unknown
   * field; Warn (the default) → one Warning header per field; Ignore → nothing.
   * Patches are checked on their result, so $setElementOrder and friends never count.
   */
  private checkFields(info: ResourceInfo, obj: unknown, q: URLSearchParams, res: ServerResponse): void {
    const mode = q.get('fieldValidation') ?? 'Warn';
    if (mode === 'Ignore') return;
    if (mode !== 'Strict' && mode !== 'Warn') throw apiErrors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(mode)}: supported values: "Ignore", "Warn", "Strict"`);
    const paths = unknownFields({ group: info.group, version: info.version, kind: info.kind }, obj);
    if (!paths.length) return;
    if (mode === 'Strict') {
      throw apiErrors.badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${strictDecodingError(paths)}`);
    }
    res.setHeader('Warning', paths.map((p) => `299 - ${JSON.stringify(unknownFieldMessage(p))}`));
  }

  /** Who is writing, for metadata.managedFields (fieldManager, else the user agent's program name). */
  private track(req: IncomingMessage, q: URLSearchParams): { manager: string; now: Date } {
    return { manager: managerName(q.get('fieldManager') ?? undefined, req.headers['user-agent']), now: new Date() };
  }

  private selection(q: URLSearchParams): Selection {
    const sel: Selection = {};
    const ls = q.get('labelSelector');
    if (ls) {
      try {
        sel.labelSelector = parseSelector(ls);
      } catch (e) {
        throw apiErrors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
      }
    }
    const fs = q.get('fieldSelector');
    if (fs) sel.fieldRequirements = parseFieldRequirements(fs);
    return sel;
  }

  private async deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOpts> {
    const raw = await this.readBody(req);
    let body: Record<string, unknown> = {};
    if (raw.length) {
      const parsed = decodeBody(raw, req.headers['content-type'] ?? 'application/json');
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    }
    const opts: DeleteOpts = {};
    const dry = [...q.getAll('dryRun'), ...(Array.isArray(body.dryRun) ? (body.dryRun as string[]) : [])];
    if (dry.includes('All')) opts.dryRun = true;
    const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
    if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
    const pp = q.get('propagationPolicy') ?? body.propagationPolicy;
    if (pp === 'Orphan' || pp === 'Background' || pp === 'Foreground') opts.propagationPolicy = pp;
    else if (pp !== undefined && pp !== null) throw apiErrors.badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(pp)}: supported values: "Foreground", "Background", "Orphan"`);
    if (q.get('orphanDependents') === 'true' || body.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    const pre = body.preconditions as { uid?: string; resourceVersion?: string } | undefined;
    if (pre) opts.preconditions = pre;
    return opts;
  }

  private async serveWatch(reg: GenericStore, info: ResourceInfo, ri: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const sel = this.selection(q);
    if (ri.name) sel.fieldRequirements = [...(sel.fieldRequirements ?? []), { field: 'metadata.name', op: '=', value: ri.name }];
    const shape = responseShape(req.headers.accept);
    const ac = new AbortController();
    const stop = () => ac.abort();
    req.on('close', stop);
    this.shutdown.signal.addEventListener('abort', stop, { once: true });
    const minTimeout = this.opts.minRequestTimeoutSeconds ?? 1800;
    const timeoutS = q.get('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : minTimeout * (1 + Math.random());
    const timer = setTimeout(stop, timeoutS * 1000);
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const watchLabels = { group: info.group, resource: info.resource };
    this.metrics.watchers.inc(watchLabels);
    let lastRV = q.get('resourceVersion') ?? '';
    const bookmarkTimer = bookmarks
      ? setInterval(() => {
          if (lastRV && lastRV !== '0') write({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: reg.apiVersion, metadata: { resourceVersion: lastRV } } });
        }, 60_000)
      : undefined;
    let first = true;
    const write = (ev: { type: string; object: unknown }) => {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.write(JSON.stringify(ev) + '\n');
    };
    try {
      const events = reg.watch(ri.namespace, { ...sel, resourceVersion: q.get('resourceVersion') ?? undefined }, ac.signal);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      for await (const ev of events) {
        lastRV = ev.object.metadata?.resourceVersion ?? lastRV;
        let object: unknown = ev.object;
        if (shape.kind === 'table' && ev.type !== 'BOOKMARK') {
          object = toTable(info.group, info.resource, [ev.object], { include: includeObject(q), version: shape.version, resourceVersion: lastRV, withColumns: first });
          first = false;
        }
        write({ type: ev.type, object });
      }
    } catch (e) {
      if (!ac.signal.aborted) {
        const err = e instanceof StatusError ? e : apiErrors.internal(e as Error);
        if (!res.headersSent) throw err;
        write({ type: 'ERROR', object: err.toStatus() });
      }
    } finally {
      clearTimeout(timer);
      this.metrics.watchers.dec(watchLabels);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      req.off('close', stop);
      this.shutdown.signal.removeEventListener('abort', stop);
      res.end();
    }
  }

  // ---- responses -----------------------------------------------------------

  private sendObject(
    res: ServerResponse,
    accept: string | undefined,
    info: ResourceInfo,
    objs: Obj[],
    o: { single: boolean; q: URLSearchParams; code?: number; resourceVersion?: string; continue?: string; remaining?: number },
  ): void {
    const shape = responseShape(accept);
    if (shape.kind === 'table') {
      const rv = o.single ? objs[0]?.metadata?.resourceVersion : o.resourceVersion;
      return this.sendJSON(res, o.code ?? 200, toTable(info.group, info.resource, objs, { include: includeObject(o.q), version: shape.version, resourceVersion: rv, continue: o.continue }));
    }
    let body: unknown;
    if (o.single) body = objs[0];
    else {
      const metadata: Record<string, unknown> = { resourceVersion: o.resourceVersion ?? '' };
      if (o.continue) metadata.continue = o.continue;
      if (o.remaining !== undefined) metadata.remainingItemCount = o.remaining;
      body = { kind: info.listKind, apiVersion: info.group ? `${info.group}/${info.version}` : info.version, metadata, items: objs };
    }
    if (shape.yaml) return this.sendText(res, o.code ?? 200, YAML.stringify(body), 'application/yaml');
    if (shape.protobuf) {
      const bytes = this.toProtobuf(body as Obj, info);
      if (bytes) {
        res.writeHead(o.code ?? 200, { 'Content-Type': K8S_PROTOBUF_MEDIA_TYPE, 'Content-Length': bytes.length });
        res.end(bytes);
        return;
      }
    }
    return this.sendJSON(res, o.code ?? 200, body);
  }

  /**
   * The Kubernetes protobuf encoding of an object or list, or undefined when
   * this kind (or one of its fields) has no codec: the caller answers JSON then,
   * which every client that asks for protobuf also accepts.
   */
  private toProtobuf(body: Obj, info: ResourceInfo): Buffer | undefined {
    const apiVersion = body.apiVersion ?? (info.group ? `${info.group}/${info.version}` : info.version);
    const kind = body.kind ?? info.kind;
    if (!isProtobufKind(apiVersion, kind)) return undefined;
    try {
      // Items of a list carry their kind only in the list's envelope.
      return encodeK8sProtobuf({ ...body, apiVersion, kind } as Parameters<typeof encodeK8sProtobuf>[0]);
    } catch (e) {
      if (e instanceof ProtobufError) return undefined;
      throw e;
    }
  }

  private sendJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private sendStatus(res: ServerResponse, err: StatusError): void {
    const headers: Record<string, string> = {};
    if (err.details?.retryAfterSeconds) headers['Retry-After'] = String(err.details.retryAfterSeconds);
    const text = JSON.stringify(err.toStatus());
    res.writeHead(err.code, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > this.maxRequestBytes) throw new StatusError(413, 'RequestEntityTooLarge', `the request body is larger than --max-request-bytes (${this.maxRequestBytes})`);
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** `a=b,c!=d,e==f`: the three operators field selectors support. */
export function parseFieldRequirements(s: string): { field: string; op: '=' | '!='; value: string }[] {
  const out: { field: string; op: '=' | '!='; value: string }[] = [];
  for (const term of s.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([^=!]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) throw apiErrors.badRequest(`invalid field selector: ${JSON.stringify(term)}: expected field=value, field==value or field!=value`);
    out.push({ field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return out;
}
