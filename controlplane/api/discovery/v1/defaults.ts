/** discovery.k8s.io/v1 defaulting. Mutates: port name "" and protocol TCP, as upstream. */
import { setDefault, setDefaultString } from '../../defaulting.js';
import type { EndpointSlice } from './types.js';

export function defaultEndpointSlice(s: EndpointSlice): void {
  for (const p of s.ports ?? []) {
    setDefault(p, 'name', '');
    setDefaultString(p, 'protocol', 'TCP');
  }
}
