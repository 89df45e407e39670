/**
 * pod-template-hash: the name suffix and label value of a Deployment's
 * ReplicaSets (upstream controller.ComputeHash: FNV-32a over the template,
 * then the collision count, the decimal digits mapped through
 * rand.SafeEncodeString's alphabet of consonants and digits so the value can
 * never spell a word).
 *
 * Upstream hashes Go's dump of the struct; we hash the canonical JSON of the
 * template with defaults applied (common/equal.ts), so the hash is semantic:
 * a template re-sent by kubectl with `"creationTimestamp":null` and
 * `"resources":{}` hashes as the stored one did. The values differ from
 * upstream's, which only matters to someone comparing names across systems.
 */
import { defaultPodTemplateSpec } from '../../api/core/v1/defaults.js';
import type { PodTemplateSpec } from '../../api/core/v1/types.js';
import { canonicalJSON } from '../common/equal.js';
import { mutableCopy, type RO } from '../common/types.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3 (no words, no l/1 or o/0 confusion). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The template as compared and hashed: defaults applied, the hash label removed, unset values dropped. */
export function canonicalTemplate(t: RO<PodTemplateSpec> | undefined): string {
  const c = t ? mutableCopy<PodTemplateSpec>(t) : {};
  defaultPodTemplateSpec(c);
  const labels = c.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) delete labels[POD_TEMPLATE_HASH_LABEL];
  return canonicalJSON(c);
}

/** ComputeHash(template, collisionCount). */
export function computeHash(t: RO<PodTemplateSpec> | undefined, collisionCount?: number): string {
  const text = Buffer.from(canonicalTemplate(t), 'utf8');
  let h = fnv32a(text);
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** EqualIgnoreHash: the same template apart from the pod-template-hash label. */
export function equalIgnoreHash(a: RO<PodTemplateSpec> | undefined, b: RO<PodTemplateSpec> | undefined): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}
