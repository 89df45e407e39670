/** networking.k8s.io/v1 validation (Ingress, IngressClass, NetworkPolicy). Pure. */
import { validateLabelSelector } from '../../../machinery/labels.js';
import { nameIsDNS1035Label, validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { isDNS1123Subdomain, isValidCIDR, isValidIP, isWildcardDNS1123Subdomain } from '../../../machinery/validation.js';
import { check, enumField, type FieldError, FieldPath, fieldErrors, intOrStringPort } from '../../validationutil.js';
import type { Ingress, IngressBackend, IngressClass, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from './types.js';

const spec = FieldPath.root('spec');

function validateBackend(b: IngressBackend, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (b.service && b.resource) errs.push(fieldErrors.invalid(path, '', 'cannot set both resource and service backends'));
  else if (!b.service && !b.resource) errs.push(fieldErrors.invalid(path, '', 'resource or service backend is required'));
  if (b.service) {
    const sp = path.child('service');
    if (!b.service.name) errs.push(fieldErrors.required(sp.child('name'), ''));
    else errs.push(...check(sp.child('name'), b.service.name, nameIsDNS1035Label(b.service.name, false)));
    const port = b.service.port;
    const pp = sp.child('port');
    if (!port || (!port.name && !port.number)) errs.push(fieldErrors.required(pp, 'port name or number is required'));
    else if (port.name && port.number) errs.push(fieldErrors.invalid(pp, port, 'cannot set both port name & port number'));
    else if (port.name) errs.push(...intOrStringPort(port.name, pp.child('name')));
    else if (port.number !== undefined) errs.push(...intOrStringPort(port.number, pp.child('number')));
  }
  if (b.resource) {
    if (!b.resource.kind) errs.push(fieldErrors.required(path.child('resource', 'kind'), ''));
    if (!b.resource.name) errs.push(fieldErrors.required(path.child('resource', 'name'), ''));
  }
  return errs;
}

export function validateIngress(ing: Ingress): FieldError[] {
  const errs = validateObjectMeta(ing.metadata, { namespaced: true });
  const s = ing.spec ?? {};
  if (!s.defaultBackend && (!s.rules || s.rules.length === 0)) errs.push(fieldErrors.invalid(spec, s, 'either `defaultBackend` or `rules` must be specified'));
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, spec.child('defaultBackend')));
  if (s.ingressClassName) errs.push(...check(spec.child('ingressClassName'), s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)));
  (s.rules ?? []).forEach((r, i) => {
    const rp = spec.child('rules').index(i);
    if (r.host) {
      if (isValidIP(r.host).length === 0) errs.push(fieldErrors.invalid(rp.child('host'), r.host, 'must be a DNS name, not an IP address'));
      const msgs = r.host.startsWith('*.') ? isWildcardDNS1123Subdomain(r.host) : isDNS1123Subdomain(r.host);
      errs.push(...check(rp.child('host'), r.host, msgs));
    }
    if (!r.http) return;
    const hp = rp.child('http', 'paths');
    if (!r.http.paths || r.http.paths.length === 0) errs.push(fieldErrors.required(hp, ''));
    (r.http.paths ?? []).forEach((p, j) => {
      const pp = hp.index(j);
      errs.push(...enumField(p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix'], pp.child('pathType')));
      if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && !(p.path ?? '').startsWith('/')) {
        errs.push(fieldErrors.invalid(pp.child('path'), p.path ?? '', 'must be an absolute path'));
      }
      if (!p.backend) errs.push(fieldErrors.required(pp.child('backend'), ''));
      else errs.push(...validateBackend(p.backend, pp.child('backend')));
    });
  });
  (s.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => {
      const msgs = h.startsWith('*.') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      errs.push(...check(spec.child('tls').index(i).child('hosts').index(j), h, msgs));
    });
  });
  return errs;
}

export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, { namespaced: false });
  const c = ic.spec?.controller;
  if (!c) errs.push(fieldErrors.required(spec.child('controller'), ''));
  else if (c.length > 250) errs.push(fieldErrors.tooLong(spec.child('controller'), c, 250));
  return errs;
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const errs = [...validateObjectMetaUpdate(ic.metadata, old.metadata), ...validateIngressClass(ic)];
  if ((ic.spec?.controller ?? '') !== (old.spec?.controller ?? '')) errs.push(fieldErrors.invalid(spec.child('controller'), ic.spec?.controller ?? '', 'field is immutable'));
  return errs;
}

function validateNPPorts(ports: NetworkPolicyPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (ports ?? []).forEach((p, i) => {
    const pp = path.index(i);
    if (p.protocol) errs.push(...enumField(p.protocol, ['SCTP', 'TCP', 'UDP'], pp.child('protocol')));
    if (p.port !== undefined && p.port !== null) errs.push(...intOrStringPort(p.port, pp.child('port')));
    if (p.endPort !== undefined) {
      if (typeof p.port !== 'number') errs.push(fieldErrors.required(pp.child('port'), 'must be specified when endPort is specified'));
      else if (p.endPort < p.port) errs.push(fieldErrors.invalid(pp.child('endPort'), p.endPort, 'must be greater than or equal to `port`'));
    }
  });
  return errs;
}

export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  const errs = validateObjectMeta(np.metadata, { namespaced: true });
  const s = np.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  errs.push(...validateLabelSelector(s.podSelector, spec.child('podSelector')));
  for (const [dir, peerField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    (s[dir] ?? []).forEach((rule, i) => {
      const rp = spec.child(dir).index(i);
      errs.push(...validateNPPorts(rule.ports, rp.child('ports')));
      const peers: NetworkPolicyPeer[] | undefined = 'from' in rule ? rule.from : 'to' in rule ? rule.to : undefined;
      (peers ?? []).forEach((peer, j) => {
        const pp = rp.child(peerField).index(j);
        const n = (peer.podSelector ? 1 : 0) + (peer.namespaceSelector ? 1 : 0) + (peer.ipBlock ? 1 : 0);
        if (n === 0) errs.push(fieldErrors.required(pp, 'must specify a peer'));
        if (peer.ipBlock && n > 1) errs.push(fieldErrors.forbidden(pp, 'may not specify both ipBlock and another peer'));
        errs.push(...validateLabelSelector(peer.podSelector, pp.child('podSelector')));
        errs.push(...validateLabelSelector(peer.namespaceSelector, pp.child('namespaceSelector')));
        if (peer.ipBlock) {
          const bp = pp.child('ipBlock');
          if (!peer.ipBlock.cidr) errs.push(fieldErrors.required(bp.child('cidr'), ''));
          else errs.push(...check(bp.child('cidr'), peer.ipBlock.cidr, isValidCIDR(peer.ipBlock.cidr)));
          (peer.ipBlock.except ?? []).forEach((c, k) => errs.push(...check(bp.child('except').index(k), c, isValidCIDR(c))));
        }
      });
    });
  }
  (s.policyTypes ?? []).forEach((t, i) => errs.push(...enumField(t, ['Ingress', 'Egress'], spec.child('policyTypes').index(i))));
  return errs;
}
