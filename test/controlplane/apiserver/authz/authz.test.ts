import test from 'ava';
import { parsePolicyFile, policyMatches, ABACAuthorizer } from '../../../../controlplane/apiserver/authz/abac.js';
import { ruleAllows, type PolicyRule } from '../../../../controlplane/apiserver/authz/rules.js';
import { RBACAuthorizer } from '../../../../controlplane/apiserver/authz/rbac.js';
import { NodeAuthorizer } from '../../../../controlplane/apiserver/authz/node.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, ensureBootstrapPolicy } from '../../../../controlplane/apiserver/authz/bootstrappolicy.js';
import { attributesFor, forbidden, newAuthorizer } from '../../../../controlplane/apiserver/authz/index.js';
import { nonResourceAttributes, resourceAttributes } from '../../../../controlplane/apiserver/authz/types.js';
import { subjectAccessReview } from '../../../../controlplane/apiserver/authz/webhook.js';
import { memoryObjects } from '../../../../controlplane/apiserver/admission/testing/objects.js';
import { parseRequestInfo } from '../../../../controlplane/apiserver/http/requestinfo.js';

const alice = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const anon = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

test('ABAC: v0 and v1beta1 policies, one per line', (t) => {
  const text = [
    '# comment',
    '{"user":"alice","readonly":true,"resource":"pods","namespace":"projectCaribou"}',
    '{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"dev","namespace":"*","resource":"deployments","apiGroup":"apps"}}',
    '{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"*","nonResourcePath":"/version","readonly":true}}',
    '{"user":"admin"}',
    '',
  ].join('\n');
  const policies = parsePolicyFile('/p', text);
  const z = new ABACAuthorizer(policies);
  const cases: [string, ReturnType<typeof resourceAttributes>, boolean][] = [
    ['alice reads pods in her namespace', resourceAttributes(alice, { verb: 'list', resource: 'pods', namespace: 'projectCaribou' }), true],
    ['alice may not write pods', resourceAttributes(alice, { verb: 'create', resource: 'pods', namespace: 'projectCaribou' }), false],
    ['alice may not read pods elsewhere', resourceAttributes(alice, { verb: 'get', resource: 'pods', namespace: 'other' }), false],
    ['group dev writes apps deployments', resourceAttributes(alice, { verb: 'create', resource: 'deployments', apiGroup: 'apps', namespace: 'x' }), true],
    ['but not extensions ones', resourceAttributes(alice, { verb: 'create', resource: 'deployments', apiGroup: 'extensions', namespace: 'x' }), false],
    ['anyone reads /version', nonResourceAttributes(anon, 'get', '/version'), true],
    ['v0 user admin: everything', resourceAttributes({ name: 'admin', groups: [] }, { verb: 'delete', resource: 'nodes', name: 'n1' }), true],
    ['v0 user admin: non-resource too', nonResourceAttributes({ name: 'admin', groups: [] }, 'get', '/metrics'), true],
  ];
  for (const [name, a, want] of cases) t.is(policies.some((p) => policyMatches(p, a)), want, name);
  t.throws(() => parsePolicyFile('/p', '{"user":"a"}\n{bad json'), { message: /^error reading policy file \/p, line 2: / });
  t.throws(() => parsePolicyFile('/p', '{"apiVersion":"v9","kind":"Policy"}'), { message: /line 1: unknown policy version/ });
  t.truthy(z);
});

test('RBAC rule matching: verbs, groups, resources, subresources, names, URLs', (t) => {
  const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: ['pods'], ...r });
  const cases: [string, PolicyRule, ReturnType<typeof resourceAttributes> | ReturnType<typeof nonResourceAttributes>, boolean][] = [
    ['exact', rule({}), resourceAttributes(alice, { verb: 'get', resource: 'pods' }), true],
    ['wrong verb', rule({}), resourceAttributes(alice, { verb: 'list', resource: 'pods' }), false],
    ['verb *', rule({ verbs: ['*'] }), resourceAttributes(alice, { verb: 'delete', resource: 'pods' }), true],
    ['wrong group', rule({}), resourceAttributes(alice, { verb: 'get', resource: 'pods', apiGroup: 'apps' }), false],
    ['group *', rule({ apiGroups: ['*'] }), resourceAttributes(alice, { verb: 'get', resource: 'pods', apiGroup: 'apps' }), true],
    ['subresource needs its own entry', rule({}), resourceAttributes(alice, { verb: 'get', resource: 'pods', subresource: 'log' }), false],
    ['res/sub', rule({ resources: ['pods/log'] }), resourceAttributes(alice, { verb: 'get', resource: 'pods', subresource: 'log' }), true],
    ['*/sub', rule({ resources: ['*/scale'] }), resourceAttributes(alice, { verb: 'get', resource: 'deployments', subresource: 'scale' }), true],
    ['resource *', rule({ resources: ['*'] }), resourceAttributes(alice, { verb: 'get', resource: 'pods', subresource: 'exec' }), true],
    ['resourceNames match', rule({ resourceNames: ['a'] }), resourceAttributes(alice, { verb: 'get', resource: 'pods', name: 'a' }), true],
    ['resourceNames miss', rule({ resourceNames: ['a'] }), resourceAttributes(alice, { verb: 'get', resource: 'pods', name: 'b' }), false],
    ['resourceNames and a list', rule({ verbs: ['list'], resourceNames: ['a'] }), resourceAttributes(alice, { verb: 'list', resource: 'pods' }), false],
    ['URL exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, nonResourceAttributes(alice, 'get', '/healthz'), true],
    ['URL prefix*', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, nonResourceAttributes(alice, 'get', '/apis/apps/v1'), true],
    ['URL miss', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, nonResourceAttributes(alice, 'get', '/metrics'), false],
    ['resource rule never matches a URL', rule({ resources: ['*'], apiGroups: ['*'], verbs: ['*'] }), nonResourceAttributes(alice, 'get', '/metrics'), false],
  ];
  for (const [name, r, a, want] of cases) t.is(ruleAllows(a, r), want, name);
});

const rb = (name: string, ns: string, roleKind: string, role: string, subjects: Record<string, string>[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: ns ? 'RoleBinding' : 'ClusterRoleBinding', metadata: { name, ...(ns ? { namespace: ns } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role }, subjects });

test('RBAC authorizer: bindings, roles, service accounts, missing roles, super-user', async (t) => {
  const objects = memoryObjects([
    ...bootstrapClusterRoles(),
    ...bootstrapClusterRoleBindings(),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader', namespace: 'team' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] },
    rb('alice-view', 'team', 'ClusterRole', 'view', [{ kind: 'User', name: 'alice' }]),
    rb('robot-cm', 'team', 'Role', 'cm-reader', [{ kind: 'ServiceAccount', name: 'robot' }]),
    rb('dangling', 'team', 'Role', 'gone', [{ kind: 'Group', name: 'dev' }]),
  ]);
  const z = new RBACAuthorizer(objects, 'root');
  const robot = { name: 'system:serviceaccount:team:robot', groups: ['system:serviceaccounts'] };
  const cases: [string, ReturnType<typeof resourceAttributes> | ReturnType<typeof nonResourceAttributes>, string][] = [
    ['alice views pods in team', resourceAttributes(alice, { verb: 'list', resource: 'pods', namespace: 'team' }), 'Allow'],
    ['not in another namespace', resourceAttributes(alice, { verb: 'list', resource: 'pods', namespace: 'other' }), 'NoOpinion'],
    ['view cannot read secrets', resourceAttributes(alice, { verb: 'get', resource: 'secrets', namespace: 'team' }), 'NoOpinion'],
    ['robot reads its configmap', resourceAttributes(robot, { verb: 'get', resource: 'configmaps', namespace: 'team', name: 'settings' }), 'Allow'],
    ['robot, another configmap', resourceAttributes(robot, { verb: 'get', resource: 'configmaps', namespace: 'team', name: 'other' }), 'NoOpinion'],
    ['system:masters via cluster-admin', resourceAttributes({ name: 'x', groups: ['system:masters'] }, { verb: 'delete', resource: 'nodes', name: 'n' }), 'Allow'],
    ['anonymous discovery', nonResourceAttributes(anon, 'get', '/apis/apps/v1'), 'Allow'],
    ['anonymous /healthz', nonResourceAttributes(anon, 'get', '/healthz'), 'Allow'],
    ['anonymous pods', resourceAttributes(anon, { verb: 'list', resource: 'pods' }), 'NoOpinion'],
    ['super-user', resourceAttributes({ name: 'root', groups: [] }, { verb: 'delete', resource: 'namespaces', name: 'x' }), 'Allow'],
    ['scheduler binds pods', resourceAttributes({ name: 'system:kube-scheduler', groups: ['system:authenticated'] }, { verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'a', name: 'p' }), 'Allow'],
  ];
  for (const [name, a, want] of cases) t.is((await z.authorize(a)).decision as string, want, name);
  const miss = await z.authorize(resourceAttributes(alice, { verb: 'get', resource: 'secrets', namespace: 'team' }));
  t.is(miss.reason, 'RBAC: role.rbac.authorization.k8s.io "gone" not found');
  const { rules } = await z.rulesFor(robot, 'team');
  t.true(rules.some((r) => r.resourceNames?.includes('settings')));
});

test('the RBAC bootstrap creates what is missing and leaves edits alone', async (t) => {
  const objects = memoryObjects([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' }, rules: [] }]);
  const created = await ensureBootstrapPolicy(objects);
  t.true(created.includes('clusterroles/cluster-admin'));
  t.true(created.includes('clusterrolebindings/cluster-admin'));
  t.false(created.includes('clusterroles/view'));
  t.deepEqual((await objects.get('rbac.authorization.k8s.io', 'clusterroles', '', 'view'))!.rules, []);
  t.deepEqual(await ensureBootstrapPolicy(objects), []);
});

test('Node authorizer: a kubelet reads only what its pods use', async (t) => {
  const pod = (name: string, node: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i', ...((spec.container as object) ?? {}) }], ...spec, container: undefined } });
  const objects = memoryObjects([
    pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's1' } }, { name: 'c', persistentVolumeClaim: { claimName: 'claim' } }], container: { envFrom: [{ configMapRef: { name: 'cm1' } }] } }),
    pod('b', 'n2', { volumes: [{ name: 'v', secret: { secretName: 's2' } }] }),
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim', namespace: 'ns' }, spec: { volumeName: 'pv1' } },
  ]);
  const z = new NodeAuthorizer(objects);
  const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const cases: [string, ReturnType<typeof resourceAttributes>, string][] = [
    ['own pod secret', resourceAttributes(n1, { verb: 'get', resource: 'secrets', namespace: 'ns', name: 's1' }), 'Allow'],
    ["another node's secret", resourceAttributes(n1, { verb: 'get', resource: 'secrets', namespace: 'ns', name: 's2' }), 'NoOpinion'],
    ['list secrets', resourceAttributes(n1, { verb: 'list', resource: 'secrets', namespace: 'ns' }), 'NoOpinion'],
    ['configmap from envFrom', resourceAttributes(n1, { verb: 'get', resource: 'configmaps', namespace: 'ns', name: 'cm1' }), 'Allow'],
    ['claim', resourceAttributes(n1, { verb: 'get', resource: 'persistentvolumeclaims', namespace: 'ns', name: 'claim' }), 'Allow'],
    ['volume of the claim', resourceAttributes(n1, { verb: 'get', resource: 'persistentvolumes', name: 'pv1' }), 'Allow'],
    ['node status', resourceAttributes(n1, { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n1' }), 'Allow'],
    ['list pods', resourceAttributes(n1, { verb: 'watch', resource: 'pods' }), 'Allow'],
    ['no deployments', resourceAttributes(n1, { verb: 'list', resource: 'deployments', apiGroup: 'apps' }), 'NoOpinion'],
    ['not a node', resourceAttributes({ name: 'system:node:n1', groups: [] }, { verb: 'get', resource: 'secrets', namespace: 'ns', name: 's1' }), 'NoOpinion'],
  ];
  for (const [name, a, want] of cases) t.is((await z.authorize(a)).decision as string, want, name);
  t.is((await z.authorize(resourceAttributes(n1, { verb: 'get', resource: 'secrets', namespace: 'ns', name: 's2' }))).reason, "no relationship found between node 'n1' and this object");
});

test('forbidden messages are upstream\'s; attributes from requests; mode list', async (t) => {
  const info = (m: string, p: string) => parseRequestInfo(m, p, new URLSearchParams());
  const cases: [string, string, string][] = [
    ['GET', '/api/v1/namespaces/default/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'],
    ['GET', '/api/v1/namespaces/default/pods/p1/log', 'pods "p1" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "default"'],
    ['DELETE', '/apis/apps/v1/namespaces/x/deployments/d', 'deployments.apps "d" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "x"'],
    ['GET', '/api/v1/nodes', 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope'],
    ['GET', '/metrics', 'forbidden: User "alice" cannot get path "/metrics"'],
    ['POST', '/api/v1/namespaces/d/pods/p/exec', 'pods "p" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "d"'],
  ];
  for (const [m, p, want] of cases) {
    const e = forbidden(attributesFor(alice, m, info(m, p)), '');
    t.is(e.code, 403);
    t.is(e.message, want);
  }
  t.is(forbidden(attributesFor(alice, 'GET', info('GET', '/api/v1/nodes')), 'RBAC: x').message.endsWith(': RBAC: x'), true);
  const objects = memoryObjects();
  const deny = newAuthorizer({ modes: ['AlwaysDeny'] }, objects);
  t.is((await deny.authorize(resourceAttributes(alice, { verb: 'get', resource: 'pods' }))).decision, 'NoOpinion');
  t.is((await deny.authorize(resourceAttributes({ name: 'm', groups: ['system:masters'] }, { verb: 'get', resource: 'pods' }))).decision, 'Allow');
  t.throws(() => newAuthorizer({ modes: ['RBAC', 'Magic'] }, objects), { message: /unknown authorization mode "Magic"/ });
  t.throws(() => newAuthorizer({ modes: ['ABAC'] }, objects), { message: /needs --authorization-policy-file/ });
  t.deepEqual(subjectAccessReview(resourceAttributes(alice, { verb: 'get', resource: 'pods', namespace: 'd', name: 'p', apiVersion: 'v1' })).spec, {
    user: 'alice',
    group: ['dev', 'system:authenticated'],
    resourceAttributes: { namespace: 'd', verb: 'get', group: '', version: 'v1', resource: 'pods', subresource: '', name: 'p' },
  });
});
