// The Service environment variables (docker-link style), and which Services a pod sees.
import test from 'ava';
import type { Service } from '../../../../controlplane/api/core/v1/types.js';
import { serviceEnv, serviceEnvMap } from '../../../../agent/kubelet/container/servicelinks.js';

const svc = (ns: string, name: string, ip: string, ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never): Service => ({ metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports } });

test('one service: host, port, named ports, docker links for every port', (t) => {
  const got = serviceEnv(svc('ns', 'my-sql', '10.0.0.11', [{ name: 'db', port: 3306, protocol: 'TCP' }, { name: 'admin', port: 33060, protocol: 'UDP' }]));
  t.deepEqual(got, [
    { name: 'MY_SQL_SERVICE_HOST', value: '10.0.0.11' },
    { name: 'MY_SQL_SERVICE_PORT', value: '3306' },
    { name: 'MY_SQL_SERVICE_PORT_DB', value: '3306' },
    { name: 'MY_SQL_SERVICE_PORT_ADMIN', value: '33060' },
    { name: 'MY_SQL_PORT', value: 'tcp://10.0.0.11:3306' },
    { name: 'MY_SQL_PORT_3306_TCP', value: 'tcp://10.0.0.11:3306' },
    { name: 'MY_SQL_PORT_3306_TCP_PROTO', value: 'tcp' },
    { name: 'MY_SQL_PORT_3306_TCP_PORT', value: '3306' },
    { name: 'MY_SQL_PORT_3306_TCP_ADDR', value: '10.0.0.11' },
    { name: 'MY_SQL_PORT_33060_UDP', value: 'udp://10.0.0.11:33060' },
    { name: 'MY_SQL_PORT_33060_UDP_PROTO', value: 'udp' },
    { name: 'MY_SQL_PORT_33060_UDP_PORT', value: '33060' },
    { name: 'MY_SQL_PORT_33060_UDP_ADDR', value: '10.0.0.11' },
  ]);
});

test('headless and ExternalName services have no variables', (t) => {
  t.deepEqual(serviceEnv(svc('ns', 'h', 'None', [{ port: 80 }])), []);
  t.deepEqual(serviceEnv({ metadata: { name: 'x', namespace: 'ns' }, spec: { type: 'ExternalName', externalName: 'example.com' } }), []);
});

const services = [svc('ns', 'a', '10.0.0.1', [{ port: 1 }]), svc('other', 'b', '10.0.0.2', [{ port: 2 }]), svc('default', 'kubernetes', '10.0.0.3', [{ name: 'https', port: 443 }]), svc('default', 'c', '10.0.0.4', [{ port: 4 }])];

const cases = [
  { name: 'own namespace plus the master service', ns: 'ns', links: true, has: ['A_SERVICE_HOST', 'KUBERNETES_SERVICE_HOST'], not: ['B_SERVICE_HOST', 'C_SERVICE_HOST'] },
  { name: 'enableServiceLinks false: only the master service', ns: 'ns', links: false, has: ['KUBERNETES_SERVICE_HOST'], not: ['A_SERVICE_HOST'] },
  { name: 'a pod in the master namespace sees its services', ns: 'default', links: true, has: ['C_SERVICE_HOST', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT_HTTPS'], not: ['A_SERVICE_HOST'] },
];
for (const tc of cases) {
  test(tc.name, (t) => {
    const m = serviceEnvMap({ namespace: tc.ns, enableServiceLinks: tc.links, masterServiceNamespace: 'default', services });
    for (const k of tc.has) t.true(m.has(k), k);
    for (const k of tc.not) t.false(m.has(k), k);
  });
}

test("a service named kubernetes in the pod's namespace wins over the master's", (t) => {
  const m = serviceEnvMap({ namespace: 'ns', enableServiceLinks: true, masterServiceNamespace: 'default', services: [...services, svc('ns', 'kubernetes', '10.9.9.9', [{ port: 8443 }])] });
  t.is(m.get('KUBERNETES_SERVICE_HOST'), '10.9.9.9');
});
