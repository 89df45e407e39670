// metrics.k8s.io requests are authorized like any resource request, and the
// default view/edit/admin roles grant them (metrics-server's aggregated reader).
import test from 'ava';
import { bootstrapClusterRoles } from '../../../../controlplane/apiserver/authz/bootstrappolicy.js';
import { attributesFor, forbidden } from '../../../../controlplane/apiserver/authz/index.js';
import { ruleAllows, type PolicyRule } from '../../../../controlplane/apiserver/authz/rules.js';
import { parseRequestInfo } from '../../../../controlplane/apiserver/http/requestinfo.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
const attrs = (path: string) => attributesFor(alice, 'GET', parseRequestInfo('GET', path, new URLSearchParams()));
const paths = ['/apis/metrics.k8s.io/v1beta1/nodes', '/apis/metrics.k8s.io/v1beta1/nodes/n1', '/apis/metrics.k8s.io/v1beta1/pods', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web'];

test('view, edit and admin allow get/list of metrics.k8s.io nodes and pods', (t) => {
  const roles = bootstrapClusterRoles();
  for (const name of ['view', 'edit', 'admin']) {
    const rules = roles.find((r) => r.metadata?.name === name)!.rules as PolicyRule[];
    for (const p of paths) t.true(rules.some((r) => ruleAllows(attrs(p), r)), `${name} ${p}`);
    t.false(rules.some((r) => ruleAllows(attributesFor(alice, 'DELETE', parseRequestInfo('DELETE', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web', new URLSearchParams())), r)), `${name} may not delete`);
  }
});

test('the attributes and a denial read as upstream', (t) => {
  const a = attrs('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web');
  t.like(a, { verb: 'get', apiGroup: 'metrics.k8s.io', resource: 'pods', namespace: 'shop', name: 'web', isResourceRequest: true });
  t.is(forbidden(attrs('/apis/metrics.k8s.io/v1beta1/nodes'), '').message, 'nodes.metrics.k8s.io is forbidden: User "alice" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope');
});
