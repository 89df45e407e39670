/**
 * ControllerRevisions (upstream pkg/controller/history): the immutable
 * snapshots of a DaemonSet's or StatefulSet's pod template that rollouts and
 * `kubectl rollout history|undo` work from.
 *
 * - A revision's data is a strategic-merge patch that, applied to its owner,
 *   restores that template: `{"spec":{"template":{…,"$patch":"replace"}}}`
 *   (kubectl applies it as such for `rollout history --revision=N` and `undo`).
 * - Its labels are the template's labels (so the owner's selector finds it)
 *   plus controller-revision-hash; its annotations are the owner's
 *   (kubernetes.io/change-cause shows in `rollout history`); it carries a
 *   controller reference to the owner.
 * - Names are `<owner>-<hash>`. When that name is taken by a revision with
 *   different data (a hash collision), the owner's status.collisionCount goes
 *   up and the next hash differs.
 * - Data is compared semantically (common/equal.ts), not byte for byte: the
 *   API server may hand the template back with keys in another order.
 */
import type { ControllerRevision } from '../../api/apps/v1/types.js';
import type { PodTemplateSpec } from '../../api/core/v1/types.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { ResourceClient } from '../../client/interfaces.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { canonicalJSON, semanticEqual } from './equal.js';
import { newControllerRef } from './owners.js';
import { mutableCopy, type RO } from './types.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** The names upstream caps a revision name prefix at (ControllerRevisionName). */
const MAX_PREFIX = 223;

/** The data of a revision of this template (getPatch). Does not touch its argument. */
export function templatePatch(template: RO<PodTemplateSpec> | undefined): Record<string, unknown> {
  const t = template ? (mutableCopy<PodTemplateSpec>(template) as unknown as Record<string, unknown>) : {};
  t.$patch = 'replace';
  return { spec: { template: t } };
}

/** The template a revision's data restores (undefined when the data is not a template patch). */
export function templateOfRevision(rev: RO<ControllerRevision>): PodTemplateSpec | undefined {
  const data = rev.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const t = data?.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  const copy = structuredClone(t) as Record<string, unknown>;
  delete copy.$patch;
  return copy as PodTemplateSpec;
}

/** Whether two revision data are the same snapshot. */
export function sameRevisionData(a: unknown, b: unknown): boolean {
  return semanticEqual(a, b);
}

function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString's alphabet: no vowels, no easily confused characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** HashControllerRevision: FNV-32a of the data (canonical JSON), then the collision count, safe-encoded. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJSON(data), 'utf8'));
  if (collisionCount) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  let out = '';
  const s = String(h);
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

export function revisionName(owner: string, hash: string): string {
  return `${owner.slice(0, MAX_PREFIX)}-${hash}`;
}

/** The revision with the highest number (upstream sorts by revision, then name). */
export function compareRevisions(a: RO<ControllerRevision>, b: RO<ControllerRevision>): number {
  return a.revision - b.revision || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function nextRevisionNumber(revs: readonly RO<ControllerRevision>[]): number {
  let max = 0;
  for (const r of revs) max = Math.max(max, r.revision);
  return max + 1;
}

export interface RevisionSpec {
  owner: RO<KubeObject>;
  ownerApiVersion: string;
  ownerKind: string;
  templateLabels: Readonly<Record<string, string>> | undefined;
  data: unknown;
  revision: number;
}

/** A revision object to create (NewControllerRevision). */
export function newRevision(s: RevisionSpec, collisionCount: number): ControllerRevision {
  const hash = hashRevisionData(s.data, collisionCount);
  const annotations = s.owner.metadata?.annotations;
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(s.owner.metadata?.name ?? '', hash),
      namespace: s.owner.metadata?.namespace,
      labels: { ...(s.templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(s.owner, s.ownerApiVersion, s.ownerKind)],
    },
    data: s.data,
    revision: s.revision,
  };
  if (annotations && Object.keys(annotations).length > 0) rev.metadata.annotations = { ...annotations };
  return rev;
}

/**
 * Creates the revision, stepping the collision count past names taken by
 * other data. An existing revision of the same owner with the same data is
 * the answer (a retry after a lost response, or a stale cache). Returns the
 * revision and the collision count it was made with.
 */
export async function createRevision(client: ResourceClient<ControllerRevision>, s: RevisionSpec, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  for (let count = collisionCount; ; count++) {
    const rev = newRevision(s, count);
    try {
      return { revision: await client.create(rev), collisionCount: count };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get(rev.metadata.name ?? '');
      const ownedByUs = existing.metadata.ownerReferences?.some((r) => r.controller && r.uid === s.owner.metadata?.uid);
      if (ownedByUs && sameRevisionData(existing.data, s.data)) return { revision: existing, collisionCount: count };
      // A collision: try the next count.
    }
  }
}
