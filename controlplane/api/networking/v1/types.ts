/** networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy. */
import type { IntOrString } from '../../../machinery/intstr.js';
import type { Condition, LabelSelector, ListMeta, ObjectMeta } from '../../../machinery/meta/types.js';
import type { LoadBalancerIngress, Protocol, TypedLocalObjectReference, TypedObject } from '../../core/v1/types.js';

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}
export interface IngressBackend {
  service?: { name: string; port?: ServiceBackendPort };
  resource?: TypedLocalObjectReference;
}
export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';
export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}
export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}
export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}
export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}
export interface Ingress extends TypedObject {
  metadata: ObjectMeta;
  spec?: IngressSpec;
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}
export interface IngressList extends TypedObject {
  metadata: ListMeta;
  items: Ingress[];
}

export interface IngressClass extends TypedObject {
  metadata: ObjectMeta;
  spec?: {
    controller?: string;
    parameters?: TypedLocalObjectReference & { scope?: 'Cluster' | 'Namespace'; namespace?: string };
  };
}
export interface IngressClassList extends TypedObject {
  metadata: ListMeta;
  items: IngressClass[];
}

export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: IntOrString;
  endPort?: number;
}
export interface IPBlock {
  cidr: string;
  except?: string[];
}
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}
export interface NetworkPolicyIngressRule {
  ports?: NetworkPolicyPort[];
  from?: NetworkPolicyPeer[];
}
export interface NetworkPolicyEgressRule {
  ports?: NetworkPolicyPort[];
  to?: NetworkPolicyPeer[];
}
export type PolicyType = 'Ingress' | 'Egress';
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  policyTypes?: PolicyType[];
}
export interface NetworkPolicy extends TypedObject {
  metadata: ObjectMeta;
  spec?: NetworkPolicySpec;
  status?: { conditions?: Condition[] };
}
export interface NetworkPolicyList extends TypedObject {
  metadata: ListMeta;
  items: NetworkPolicy[];
}
