/** discovery.k8s.io/v1 validation. Pure. */
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidIPv4Address, isValidIPv6Address } from '../../../machinery/validation.js';
import { check, enumField, type FieldError, FieldPath, fieldErrors, immutable } from '../../validationutil.js';
import type { EndpointSlice } from './types.js';

const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 20000;

export function validateEndpointSlice(s: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(s.metadata, { namespaced: true });
  errs.push(...enumField(s.addressType, ['FQDN', 'IPv4', 'IPv6'], FieldPath.root('addressType')));
  const ep = FieldPath.root('endpoints');
  const endpoints = s.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(fieldErrors.tooMany(ep, endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const ap = ep.index(i).child('addresses');
    const addrs = e.addresses ?? [];
    if (addrs.length === 0) errs.push(fieldErrors.required(ap, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(fieldErrors.tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      const msgs = s.addressType === 'IPv4' ? isValidIPv4Address(a) : s.addressType === 'IPv6' ? isValidIPv6Address(a) : isDNS1123Subdomain(a);
      errs.push(...check(ap.index(j), a, msgs));
    });
    if (e.hostname) errs.push(...check(ep.index(i).child('hostname'), e.hostname, isDNS1123Label(e.hostname)));
    if (e.nodeName) errs.push(...check(ep.index(i).child('nodeName'), e.nodeName, isDNS1123Subdomain(e.nodeName)));
  });
  const pp = FieldPath.root('ports');
  const ports = s.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(fieldErrors.tooMany(pp, ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const name = p.name ?? '';
    if (name) errs.push(...check(pp.index(i).child('name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(fieldErrors.duplicate(pp.index(i).child('name'), name));
    names.add(name);
    errs.push(...enumField(p.protocol, ['SCTP', 'TCP', 'UDP'], pp.index(i).child('protocol')));
  });
  return errs;
}

export function validateEndpointSliceUpdate(s: EndpointSlice, old: EndpointSlice): FieldError[] {
  return [...validateObjectMetaUpdate(s.metadata, old.metadata), ...validateEndpointSlice(s), ...immutable(s.addressType, old.addressType, FieldPath.root('addressType'))];
}
