/**
 * Content negotiation: what the client accepts (JSON, YAML, a meta.k8s.io
 * Table, aggregated discovery) and how its request body is encoded.
 */
import YAML from 'yaml';
import { apiErrors } from '../../machinery/errors.js';
import { decodeK8sProtobuf, K8S_PROTOBUF_MEDIA_TYPE, ProtobufError } from '../protobuf/index.js';

export interface MediaRange {
  type: string; // e.g. application/json
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...ps] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

export type ResponseShape = { kind: 'object'; yaml: boolean; protobuf?: boolean } | { kind: 'table'; version: 'v1' | 'v1beta1' };

/** Table when the first acceptable Table range comes before a plain one, as kubectl lists them. */
export function responseShape(accept: string | undefined): ResponseShape {
  for (const r of parseAccept(accept)) {
    if (r.params.as === 'Table' && r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1')) {
      return { kind: 'table', version: r.params.v };
    }
    if (r.params.as) continue; // another 'as' we don't serve (PartialObjectMetadata…): skip to the next range
    if (r.type === 'application/yaml') return { kind: 'object', yaml: true };
    // Typed clients of 1.32+ (and our own daemons) prefer protobuf; JSON stays the answer where a kind has no codec.
    if (r.type === K8S_PROTOBUF_MEDIA_TYPE) return { kind: 'object', yaml: false, protobuf: true };
    if (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*') return { kind: 'object', yaml: false };
  }
  return { kind: 'object', yaml: false };
}

/** Which aggregated discovery version the client asked for, if any (API-SURFACE.md §a.0). */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const r of parseAccept(accept)) {
    if (r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList' && (r.params.v === 'v2' || r.params.v === 'v2beta1')) {
      return r.params.v;
    }
    if (r.type === 'application/json' && !r.params.as) return undefined;
  }
  return undefined;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (t) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw apiErrors.unsupportedMediaType(t || '(none)');
  }
}

/**
 * Decodes a create/update body: JSON, YAML, or Kubernetes protobuf (the `k8s\0`
 * envelope kubectl 1.32+ sends for its generators; API-SURFACE.md §b.10).
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const t = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  if (t === 'application/json' || t === '' || t === 'application/json-patch+json' || t === 'application/merge-patch+json' || t === 'application/strategic-merge-patch+json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw apiErrors.badRequest(`the body of the request could not be decoded as JSON: ${(e as Error).message}`);
    }
  }
  if (t === 'application/yaml' || t === 'application/apply-patch+yaml') {
    try {
      return YAML.parse(text);
    } catch (e) {
      throw apiErrors.badRequest(`the body of the request could not be decoded as YAML: ${(e as Error).message}`);
    }
  }
  if (t === K8S_PROTOBUF_MEDIA_TYPE) {
    try {
      return decodeK8sProtobuf(body).object;
    } catch (e) {
      if (e instanceof ProtobufError) {
        throw e.code === 'UnknownKind' ? apiErrors.unsupportedMediaType(`${t} (${e.message})`) : apiErrors.badRequest(`the body of the request could not be decoded as protobuf: ${e.message}`);
      }
      throw e;
    }
  }
  throw apiErrors.unsupportedMediaType(t);
}
