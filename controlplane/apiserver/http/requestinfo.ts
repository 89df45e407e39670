/**
 * Turns a request path + method into what it asks for (like upstream's
 * RequestInfoFactory): which group/version/resource, namespace, name,
 * subresource, and which verb (get/list/watch/create/update/patch/delete/
 * deletecollection). Pure; no scheme lookups here.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'proxy' | 'connect';

export interface ResourceRequest {
  isResourceRequest: true;
  verb: Verb;
  /** '' for the core group (/api). */
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Path segments after the subresource (pods/x/proxy/a/b). */
  rest: string[];
}

export interface NonResourceRequest {
  isResourceRequest: false;
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lower = method.toLowerCase();
  const segs = path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  const nonResource: NonResourceRequest = { isResourceRequest: false, path, verb: lower };
  let i = 0;
  let group = '';
  let version = '';
  if (segs[0] === 'api') {
    if (segs.length < 3) return nonResource; // /api, /api/v1 are discovery
    version = segs[1];
    i = 2;
  } else if (segs[0] === 'apis') {
    if (segs.length < 4) return nonResource; // /apis, /apis/g, /apis/g/v
    group = segs[1];
    version = segs[2];
    i = 3;
  } else {
    return nonResource;
  }
  let watchPath = false;
  if (segs[i] === 'watch') {
    // Deprecated /api/v1/watch/... form: still served, as upstream does.
    watchPath = true;
    i++;
  }
  let namespace = '';
  let rest = segs.slice(i);
  // /namespaces/{ns}/{resource}/... is namespaced; /namespaces, /namespaces/{name}
  // and /namespaces/{name}/{status|finalize} are the namespaces resource itself.
  const namespaceSub = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSub) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const tail = rest.slice(3);
  let verb = verbFor(lower, name !== '', watchPath, query);
  if (subresource === 'proxy' || subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') {
    verb = subresource === 'proxy' ? 'proxy' : 'connect';
  }
  if (resource === '') return nonResource;
  return { isResourceRequest: true, verb, group, version, namespace, resource, name, subresource, rest: tail };
}

function verbFor(method: string, hasName: boolean, watchPath: boolean, query: URLSearchParams): Verb {
  switch (method) {
    case 'post':
      return 'create';
    case 'put':
      return 'update';
    case 'patch':
      return 'patch';
    case 'delete':
      return hasName ? 'delete' : 'deletecollection';
    default:
      if (watchPath || isTrue(query.get('watch'))) return 'watch';
      return hasName ? 'get' : 'list';
  }
}
