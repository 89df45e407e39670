/**
 * Events about cached objects. List items may come without kind/apiVersion,
 * so the reference is built from what the controller knows the kind to be.
 */
import type { ObjectReference } from '../../api/core/v1/types.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { RO } from './types.js';

export function referenceTo(obj: RO<KubeObject>, apiVersion: string, kind: string): ObjectReference {
  const r: ObjectReference = { apiVersion, kind, name: obj.metadata?.name };
  if (obj.metadata?.namespace) r.namespace = obj.metadata.namespace;
  if (obj.metadata?.uid) r.uid = obj.metadata.uid;
  if (obj.metadata?.resourceVersion) r.resourceVersion = obj.metadata.resourceVersion;
  return r;
}

/** A recorder bound to one kind: `events.emit(obj, 'Normal', 'SuccessfulCreate', '…')`. */
export class KindEvents {
  constructor(
    private readonly recorder: EventRecorder,
    private readonly apiVersion: string,
    private readonly kind: string,
  ) {}

  emit(obj: RO<KubeObject>, type: EventType, reason: string, message: string): void {
    this.recorder.event(referenceTo(obj, this.apiVersion, this.kind), type, reason, message);
  }
}
