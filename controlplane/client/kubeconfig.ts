/**
 * Kubeconfig loading, as kubectl and client-go's clientcmd do it.
 *
 * Design notes
 * - Where the config comes from, first match wins:
 *   1. `--kubeconfig` (explicit): that one file, which must exist;
 *   2. `$KUBECONFIG`: a path list (':' separated), missing files skipped, merged;
 *   3. `~/.kube/config` when it exists;
 *   4. `--master` alone: an insecure connection to that URL;
 *   5. in-cluster: the service-account token and CA plus
 *      KUBERNETES_SERVICE_HOST/PORT (client-go's InClusterConfig);
 *   otherwise a ConfigError naming what was tried.
 * - Merge rules of the KUBECONFIG list (clientcmd "never change a value once
 *   set"): the first file that sets current-context wins; a named cluster,
 *   user or context is taken whole from the first file that defines it.
 * - Relative paths (certificate-authority, client-certificate, client-key,
 *   tokenFile) resolve against the directory of the file they came from.
 * - `--master` overrides the chosen cluster's server and keeps its TLS settings.
 * - Secrets (tokens, passwords, key data) never reach a log line:
 *   describeConfig() prints a redacted summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import YAML from 'yaml';

/** Everything the REST client needs to reach and authenticate to one API server. */
export interface RestConfig {
  /** Base URL, e.g. https://10.0.0.1:6443 (no trailing slash). */
  server: string;
  /** PEM CA bundle; undefined = system roots. */
  ca?: Buffer;
  /** PEM client certificate and key. */
  cert?: Buffer;
  key?: Buffer;
  /** A static bearer token. */
  token?: string;
  /** A file holding the bearer token; re-read periodically (rotated service-account tokens). */
  tokenFile?: string;
  username?: string;
  password?: string;
  insecureSkipTLSVerify?: boolean;
  /** TLS server name override (tls-server-name). */
  tlsServerName?: string;
  /** Default namespace from the context (or the in-cluster namespace file). */
  namespace?: string;
  /** Where it came from, for logs: the file(s), 'master', or 'in-cluster'. */
  source: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'InvalidKubeconfig';
}

// ---- the file format (clientcmd/api/v1) --------------------------------------

interface NamedCluster {
  name: string;
  cluster: {
    server?: string;
    'certificate-authority'?: string;
    'certificate-authority-data'?: string;
    'insecure-skip-tls-verify'?: boolean;
    'tls-server-name'?: string;
  };
}
interface NamedUser {
  name: string;
  user: {
    'client-certificate'?: string;
    'client-certificate-data'?: string;
    'client-key'?: string;
    'client-key-data'?: string;
    token?: string;
    tokenFile?: string;
    username?: string;
    password?: string;
  };
}
interface NamedContext {
  name: string;
  context: { cluster?: string; user?: string; namespace?: string };
}

/** A parsed kubeconfig with every relative path already made absolute. */
export interface Kubeconfig {
  currentContext?: string;
  clusters: Map<string, NamedCluster['cluster']>;
  users: Map<string, NamedUser['user']>;
  contexts: Map<string, NamedContext['context']>;
  files: string[];
}

const PATH_FIELDS = {
  cluster: ['certificate-authority'] as const,
  user: ['client-certificate', 'client-key', 'tokenFile'] as const,
};

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${what}: expected a mapping`);
  return v as Record<string, unknown>;
}

function namedList<T>(doc: Record<string, unknown>, field: string, inner: string, file: string): Array<{ name: string; value: T }> {
  const raw = doc[field];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${file}: ${field}: expected a list`);
  return raw.map((e, i) => {
    const r = asRecord(e, `${file}: ${field}[${i}]`);
    if (typeof r.name !== 'string' || r.name === '') throw new ConfigError(`${file}: ${field}[${i}].name: required`);
    return { name: r.name, value: asRecord(r[inner], `${file}: ${field}[${i}].${inner}`) as T };
  });
}

function absolutize<T extends Record<string, unknown>>(obj: T, fields: readonly string[], dir: string): T {
  const out: Record<string, unknown> = { ...obj };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[f] = resolve(dir, v);
  }
  return out as T;
}

/** Parses one kubeconfig file's text; relative paths resolve against `dir`. */
export function parseKubeconfig(text: string, file: string, dir = dirname(file)): Kubeconfig {
  let doc: Record<string, unknown>;
  try {
    doc = asRecord(YAML.parse(text), file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${file}: not a kubeconfig: ${(e as Error).message}`);
  }
  const cfg: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), files: [file] };
  if (typeof doc['current-context'] === 'string' && doc['current-context'] !== '') cfg.currentContext = doc['current-context'];
  for (const { name, value } of namedList<NamedCluster['cluster']>(doc, 'clusters', 'cluster', file)) {
    if (!cfg.clusters.has(name)) cfg.clusters.set(name, absolutize(value, PATH_FIELDS.cluster, dir));
  }
  for (const { name, value } of namedList<NamedUser['user']>(doc, 'users', 'user', file)) {
    if (!cfg.users.has(name)) cfg.users.set(name, absolutize(value, PATH_FIELDS.user, dir));
  }
  for (const { name, value } of namedList<NamedContext['context']>(doc, 'contexts', 'context', file)) {
    if (!cfg.contexts.has(name)) cfg.contexts.set(name, value);
  }
  return cfg;
}

/** Merges in KUBECONFIG order: earlier files win every key they set. */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const out: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), files: [] };
  for (const c of configs) {
    out.files.push(...c.files);
    if (out.currentContext === undefined && c.currentContext !== undefined) out.currentContext = c.currentContext;
    for (const [k, v] of c.clusters) if (!out.clusters.has(k)) out.clusters.set(k, v);
    for (const [k, v] of c.users) if (!out.users.has(k)) out.users.set(k, v);
    for (const [k, v] of c.contexts) if (!out.contexts.has(k)) out.contexts.set(k, v);
  }
  return out;
}

// ---- resolution ----------------------------------------------------------------

export interface LoadOptions {
  /** --kubeconfig */
  kubeconfig?: string;
  /** --master: overrides the server. */
  master?: string;
  /** --context (kubectl); defaults to current-context. */
  context?: string;
  /** Environment (defaults to process.env); tests pass their own. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for ~/.kube/config (defaults to os.homedir()). */
  home?: string;
  /** Where in-cluster files live (defaults to /var/run/secrets/kubernetes.io/serviceaccount). */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function readFileOrThrow(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`unable to read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function decodeData(b64: string, what: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length === 0 && b64.length > 0) throw new ConfigError(`${what}: not base64`);
  return buf;
}

function normalizeServer(server: string): string {
  let s = server.trim();
  // `--master=10.0.0.1:8080` without a scheme is accepted upstream (defaults to http… or https for 443).
  if (!/^[a-z]+:\/\//i.test(s)) s = (s.endsWith(':443') ? 'https://' : 'http://') + s;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(`invalid server URL ${JSON.stringify(server)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`invalid server URL ${JSON.stringify(server)}: scheme must be http or https`);
  return s.replace(/\/+$/, '');
}

/** Turns a loaded kubeconfig into a RestConfig for one context. */
export function restConfigFrom(cfg: Kubeconfig, opts: { context?: string; master?: string } = {}): RestConfig {
  const ctxName = opts.context ?? cfg.currentContext;
  const src = cfg.files.join(':');
  if (ctxName === undefined) {
    if (opts.master) return { server: normalizeServer(opts.master), source: 'master' };
    throw new ConfigError(`${src}: current-context is not set`);
  }
  const ctx = cfg.contexts.get(ctxName);
  if (!ctx) throw new ConfigError(`${src}: context "${ctxName}" does not exist`);
  const cluster = ctx.cluster !== undefined ? cfg.clusters.get(ctx.cluster) : undefined;
  if (ctx.cluster !== undefined && !cluster && !opts.master) throw new ConfigError(`${src}: cluster "${ctx.cluster}" of context "${ctxName}" does not exist`);
  const user = (ctx.user !== undefined ? cfg.users.get(ctx.user) : undefined) ?? {};
  if (ctx.user !== undefined && !cfg.users.has(ctx.user)) throw new ConfigError(`${src}: user "${ctx.user}" of context "${ctxName}" does not exist`);

  const server = opts.master || cluster?.server;
  if (!server) throw new ConfigError(`${src}: no server found for cluster "${ctx.cluster ?? ''}"`);
  const out: RestConfig = { server: normalizeServer(server), source: src };
  if (ctx.namespace) out.namespace = ctx.namespace;
  if (cluster) {
    if (cluster['certificate-authority-data']) out.ca = decodeData(cluster['certificate-authority-data'], 'certificate-authority-data');
    else if (cluster['certificate-authority']) out.ca = readFileOrThrow(cluster['certificate-authority'], 'certificate-authority');
    if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTLSVerify = true;
    if (cluster['tls-server-name']) out.tlsServerName = cluster['tls-server-name'];
    if (out.insecureSkipTLSVerify && out.ca) {
      // clientcmd's validation: a CA with insecure-skip-tls-verify is contradictory.
      throw new ConfigError(`${src}: cluster "${ctx.cluster}": certificate-authority and insecure-skip-tls-verify cannot both be set`);
    }
  }
  if (user['client-certificate-data']) out.cert = decodeData(user['client-certificate-data'], 'client-certificate-data');
  else if (user['client-certificate']) out.cert = readFileOrThrow(user['client-certificate'], 'client-certificate');
  if (user['client-key-data']) out.key = decodeData(user['client-key-data'], 'client-key-data');
  else if (user['client-key']) out.key = readFileOrThrow(user['client-key'], 'client-key');
  if (Boolean(out.cert) !== Boolean(out.key)) throw new ConfigError(`${src}: user "${ctx.user}": client-certificate and client-key must be set together`);
  if (user.token) out.token = user.token;
  else if (user.tokenFile) {
    out.tokenFile = user.tokenFile;
    // Fail at start-up, not on the first request, when the file is missing.
    readFileOrThrow(user.tokenFile, 'tokenFile');
  }
  if (user.username !== undefined || user.password !== undefined) {
    if (out.token || out.tokenFile) throw new ConfigError(`${src}: user "${ctx.user}": username/password or bearer token may be set, but not both`);
    out.username = user.username ?? '';
    out.password = user.password ?? '';
  }
  return out;
}

/** client-go's InClusterConfig. */
export function inClusterConfig(env: Readonly<Record<string, string | undefined>>, dir = SERVICE_ACCOUNT_DIR): RestConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new ConfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = join(dir, 'token');
  readFileOrThrow(tokenFile, 'service account token');
  const h = host.includes(':') ? `[${host}]` : host;
  const out: RestConfig = { server: `https://${h}:${port}`, tokenFile, source: 'in-cluster' };
  const caFile = join(dir, 'ca.crt');
  if (existsSync(caFile)) out.ca = readFileSync(caFile);
  const nsFile = join(dir, 'namespace');
  if (existsSync(nsFile)) out.namespace = readFileSync(nsFile, 'utf8').trim();
  return out;
}

/** Loads the config the way kubectl and the daemons' --kubeconfig/--master flags do (see the header). */
export function loadRestConfig(opts: LoadOptions = {}): RestConfig {
  const env = opts.env ?? process.env;
  const sel = { context: opts.context, master: opts.master || undefined };
  if (opts.kubeconfig) {
    const text = readFileOrThrow(opts.kubeconfig, 'kubeconfig').toString('utf8');
    return restConfigFrom(parseKubeconfig(text, resolve(opts.kubeconfig)), sel);
  }
  const list = (env.KUBECONFIG ?? '').split(':').filter((p) => p !== '');
  const existing = list.filter((p) => existsSync(p));
  if (existing.length > 0) {
    const parsed = existing.map((p) => parseKubeconfig(readFileSync(p, 'utf8'), resolve(p)));
    return restConfigFrom(mergeKubeconfigs(parsed), sel);
  }
  const home = opts.home ?? homedir();
  const homeFile = join(home, '.kube', 'config');
  if (list.length === 0 && existsSync(homeFile)) return restConfigFrom(parseKubeconfig(readFileSync(homeFile, 'utf8'), homeFile), sel);
  if (sel.master) return { server: normalizeServer(sel.master), source: 'master' };
  try {
    return inClusterConfig(env, opts.serviceAccountDir);
  } catch (e) {
    throw new ConfigError(
      `no configuration: no --kubeconfig, no KUBECONFIG file${list.length ? ` (${list.join(':')} not found)` : ''}, no ${homeFile}, no --master, and not in a cluster (${(e as Error).message})`,
    );
  }
}

/** A one-line summary safe for logs: never tokens, passwords or keys. */
export function describeConfig(c: RestConfig): string {
  const auth = c.cert ? 'client-certificate' : c.token ? 'token' : c.tokenFile ? `tokenFile ${c.tokenFile}` : c.username !== undefined ? `basic (user ${c.username})` : 'none';
  const tls = c.server.startsWith('https:') ? (c.insecureSkipTLSVerify ? 'tls (insecure-skip-verify)' : c.ca ? 'tls (ca)' : 'tls (system roots)') : 'plaintext';
  return `server=${c.server} auth=${auth} ${tls} from=${c.source}`;
}
