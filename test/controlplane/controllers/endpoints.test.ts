// Endpoints from a Service and its pods (pure), and the controller's sync on
// a FakeClient: create, no-op when unchanged, selector-less services left
// alone, deletion with the Service.
import test from 'ava';
import type { Endpoints, EndpointSubset, Pod, Service } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { EndpointsController } from '../../../controlplane/controllers/endpoints/controller.js';
import { computeSubsets, findPort } from '../../../controlplane/controllers/endpoints/subsets.js';
import { fixture, pod } from './fixtures.js';

function svc(extra: Partial<Service['spec']> = {}, name = 'web'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...extra } };
}

function named(p: Pod, ports: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[]): Pod {
  p.spec!.containers[0].ports = ports;
  return p;
}

const addr = (name: string, ip: string) => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` } });

test('findPort: numbers as is, names looked up by name and protocol', (t) => {
  const p = named(pod('a'), [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]);
  const cases: [string, Parameters<typeof findPort>[1], number | undefined][] = [
    ['numeric', { port: 80, targetPort: 9000 }, 9000],
    ['numeric string', { port: 80, targetPort: '9001' }, 9001],
    ['absent → the service port', { port: 80 }, 80],
    ['named', { port: 80, targetPort: 'http' }, 8080],
    ['named, protocol must match', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['named UDP', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 53],
    ['unknown name', { port: 80, targetPort: 'nope' }, undefined],
  ];
  for (const [name, sp, want] of cases) t.is(findPort(p, sp), want, name);
});

test('subsets: ready and not-ready addresses, skipped pods, repacking by port set', (t) => {
  const cases: { name: string; svc: Service; pods: Pod[]; want: EndpointSubset[] }[] = [
    {
      name: 'ready and not ready',
      svc: svc(),
      pods: [pod('b', { ip: '10.0.0.2', ready: false }), pod('a', { ip: '10.0.0.1', ready: true })],
      want: [{ addresses: [addr('a', '10.0.0.1')], notReadyAddresses: [addr('b', '10.0.0.2')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'no IP, being deleted, finished (restartPolicy Never) are left out',
      svc: svc(),
      pods: [pod('noip', { ready: true }), pod('gone', { ip: '10.0.0.3', ready: true, deleting: true }), { ...pod('done', { ip: '10.0.0.4', ready: false, phase: 'Succeeded' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } }],
      want: [],
    },
    {
      name: 'publishNotReadyAddresses: everything is an address, even terminating',
      svc: svc({ publishNotReadyAddresses: true }),
      pods: [pod('a', { ip: '10.0.0.1', ready: false }), pod('b', { ip: '10.0.0.2', ready: true, deleting: true })],
      want: [{ addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
    {
      name: 'a named port resolved differently per pod makes two subsets',
      svc: svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
      pods: [named(pod('a', { ip: '10.0.0.1', ready: true }), [{ name: 'web', containerPort: 8080 }]), named(pod('b', { ip: '10.0.0.2', ready: true }), [{ name: 'web', containerPort: 9090 }]), pod('c', { ip: '10.0.0.3', ready: true })],
      want: [
        { addresses: [addr('a', '10.0.0.1')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
        { addresses: [addr('b', '10.0.0.2')], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      ],
    },
    {
      name: 'headless without ports lists addresses only',
      svc: svc({ clusterIP: 'None', ports: [] }),
      pods: [pod('a', { ip: '10.0.0.1', ready: true })],
      want: [{ addresses: [addr('a', '10.0.0.1')] }],
    },
  ];
  for (const tc of cases) t.deepEqual(computeSubsets(tc.svc, tc.pods), tc.want, tc.name);
});

test('sync writes Endpoints once, skips when unchanged, leaves selector-less services alone, deletes with the service', async (t) => {
  const f = fixture();
  f.client.seed(resources.services, svc(), { ...svc(), metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  f.client.seed(resources.pods, pod('a', { ip: '10.0.0.1', ready: true }), pod('other', { ip: '10.0.0.9', ready: true, labels: { app: 'other' } }));
  const c = new EndpointsController(f.ctx, { workers: 1 });
  await f.refresh(resources.services);
  await f.refresh(resources.pods);
  await f.refresh(resources.endpoints);
  await c.sync('default/web');
  const ep = (await f.client.resource(resources.endpoints, 'default').get('web')) as Endpoints;
  t.deepEqual(ep.subsets, [{ addresses: [addr('a', '10.0.0.1')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
  t.deepEqual(ep.metadata.labels, { tier: 'front' });
  await f.refresh(resources.endpoints);
  f.client.clearActions();
  await c.sync('default/web');
  t.deepEqual(f.client.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list'), [], 'unchanged: no write');
  await c.sync('default/manual');
  t.deepEqual(f.client.actions, [], 'no selector: not ours');
  await f.client.resource(resources.services, 'default').delete('web');
  await f.refresh(resources.services);
  await c.sync('default/web');
  await t.throwsAsync(f.client.resource(resources.endpoints, 'default').get('web'), { message: /not found/ });
});

test('EndpointSlices: conditions per endpoint, one slice per port set, reuse and placeholder', async (t) => {
  const { desiredSlices } = await import('../../../controlplane/controllers/endpointslice/slices.js');
  const { planSlices } = await import('../../../controlplane/controllers/endpointslice/controller.js');
  const s = desiredSlices(svc(), [pod('a', { ip: '10.0.0.1', ready: true }), pod('b', { ip: '10.0.0.2', ready: false }), pod('c', { ip: '10.0.0.3', ready: true, deleting: true })]);
  t.is(s.length, 1);
  t.deepEqual(
    s[0].endpoints.map((e) => [e.addresses[0], e.conditions]),
    [
      ['10.0.0.1', { ready: true, serving: true, terminating: false }],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }],
    ],
  );
  t.is(desiredSlices(svc(), Array.from({ length: 250 }, (_, i) => pod(`p${i}`, { ip: `10.0.${i >> 8}.${i & 255}`, ready: true }))).length, 3, 'at most 100 endpoints per slice');
  const labels = { 'kubernetes.io/service-name': 'web' };
  const existing = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', labels }, addressType: 'IPv4' as const, endpoints: s[0].endpoints, ports: s[0].ports };
  t.deepEqual(planSlices([existing], s, labels), { update: [], create: [], remove: [] }, 'unchanged: nothing to write');
  const empty = planSlices([existing], [], labels);
  t.is(empty.update.length, 1, 'no endpoints: the slice stays as an empty placeholder');
  t.deepEqual(empty.update[0].endpoints, []);
  t.deepEqual(planSlices([], [], labels).create.length, 1);
});
