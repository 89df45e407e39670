/** discovery.k8s.io/v1: EndpointSlice. */
import type { ListMeta, ObjectMeta } from '../../../machinery/meta/types.js';
import type { ObjectReference, Protocol, TypedObject } from '../../core/v1/types.js';

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}
export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
}
export interface EndpointPort {
  name?: string;
  protocol?: Protocol;
  port?: number;
  appProtocol?: string;
}
export interface EndpointSlice extends TypedObject {
  metadata: ObjectMeta;
  addressType: AddressType;
  endpoints: Endpoint[];
  ports?: EndpointPort[];
}
export interface EndpointSliceList extends TypedObject {
  metadata: ListMeta;
  items: EndpointSlice[];
}
