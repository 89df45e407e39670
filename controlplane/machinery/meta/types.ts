/**
 * meta.k8s.io/v1 wire types (k8s.io/apimachinery/pkg/apis/meta/v1) as plain
 * JSON-shaped interfaces. Objects travel as JSON, so these are descriptions of
 * that JSON, not classes: optional fields are omitted on the wire, int64
 * fields are JS numbers (the API never needs more than 2^53 in them), and
 * times are RFC 3339 strings.
 */

export type { Status, StatusCause, StatusDetails, StatusReason } from '../errors.js';
import type { Status } from '../errors.js';

/** RFC 3339 with seconds precision: `2026-11-22T03:49:26Z`. */
export type Time = string;
/** RFC 3339 with microseconds: `2026-11-22T03:49:26.123456Z`. */
export type MicroTime = string;
/** A Go duration string: `1h2m3s`, `500ms`. */
export type Duration = string;

export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** This owner is the managing controller (at most one per object). */
  controller?: boolean;
  /** Foreground deletion of the owner waits for this object. */
  blockOwnerDeletion?: boolean;
}

/** Server-side-apply bookkeeping: which manager owns which fields. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: Time;
  fieldsType?: string;
  /** FieldsV1: an opaque JSON trie of owned field paths. */
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  /** Deprecated and always empty since 1.20; kept because old clients send it. */
  selfLink?: string;
  uid?: string;
  /** Opaque to clients; the store revision as a decimal string. */
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time | null;
  deletionTimestamp?: Time | null;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export interface ListMeta {
  selfLink?: string;
  resourceVersion?: string;
  /** Opaque continue token for the next page of a chunked list. */
  continue?: string;
  remainingItemCount?: number;
}

/** Any API object: what every kind has in common. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Any `XxxList` kind. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: ListMeta;
  items: T[];
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  /** Typed as string: requests may carry anything, validation reports it. */
  operator: LabelSelectorOperator | (string & {});
  values?: string[];
}

/** matchLabels AND matchExpressions; `{}` selects everything, a missing selector nothing. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** The standard condition shape (metav1.Condition). */
export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: Time;
  reason: string;
  message: string;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type DeletionPropagation = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends TypeMeta {
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  /** Deprecated in favour of propagationPolicy. */
  orphanDependents?: boolean;
  propagationPolicy?: DeletionPropagation;
  dryRun?: string[];
}

export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

export interface ListOptions extends TypeMeta {
  labelSelector?: string;
  fieldSelector?: string;
  watch?: boolean;
  allowWatchBookmarks?: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
}

export interface GetOptions extends TypeMeta {
  resourceVersion?: string;
}

export interface CreateOptions extends TypeMeta {
  dryRun?: string[];
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface UpdateOptions extends TypeMeta {
  dryRun?: string[];
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface PatchOptions extends TypeMeta {
  dryRun?: string[];
  force?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One frame of a watch stream; ERROR frames carry a Status. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T | Status;
}

// ---- meta.k8s.io/v1 Table (kubectl get's server-side printing) ----------------

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  format: string;
  description: string;
  /** 0 shows by default; higher only with -o wide. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed' | (string & {});
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** The object (or PartialObjectMetadata) per includeObject=. */
  object?: unknown;
}

export interface Table {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'Table';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface PartialObjectMetadata {
  apiVersion?: string;
  kind?: 'PartialObjectMetadata';
  metadata: ObjectMeta;
}

export interface PartialObjectMetadataList {
  apiVersion?: string;
  kind?: 'PartialObjectMetadataList';
  metadata: ListMeta;
  items: PartialObjectMetadata[];
}

// ---- discovery ------------------------------------------------------------------

export interface APIResource {
  /** Plural resource name, with `/sub` for subresources: `pods/log`. */
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion?: GroupVersionForDiscovery;
  serverAddressByClientCIDRs?: ServerAddressByClientCIDR[];
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

/** The body of GET /api. */
export interface APIVersions {
  kind: 'APIVersions';
  apiVersion?: 'v1';
  versions: string[];
  serverAddressByClientCIDRs: ServerAddressByClientCIDR[];
}

/** Finalizers the garbage collector understands. */
export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';
