/** networking.k8s.io/v1 defaulting (upstream pkg/apis/networking/v1/defaults.go). Mutates. */
import { setDefaultString } from '../../defaulting.js';
import type { NetworkPolicy, NetworkPolicyPort } from './types.js';

function defaultPorts(ports: NetworkPolicyPort[] | undefined): void {
  for (const p of ports ?? []) setDefaultString(p, 'protocol', 'TCP');
}

/** Ports default to TCP; policyTypes default to Ingress, plus Egress when egress rules exist. */
export function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = np.spec;
  if (!spec) return;
  for (const r of spec.ingress ?? []) defaultPorts(r.ports);
  for (const r of spec.egress ?? []) defaultPorts(r.ports);
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}
