// resolv.conf by dnsPolicy, and /etc/hosts as the kubelet writes them.
import test from 'ava';
import { formatResolvConf, parseResolvConf, podDNS, type DnsSettings } from '../../../../agent/kubelet/container/dns.js';
import { hostNetworkHostsFile, managedHostsFile, podHostname } from '../../../../agent/kubelet/container/hosts.js';
import { testPod } from '../../../../agent/kubelet/testing/fixtures.js';

const host = parseResolvConf('# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example lab.example\noptions rotate timeout:2\n');
const settings: DnsSettings = { clusterDNS: ['10.0.0.10'], clusterDomain: 'cluster.local', host };

test('parseResolvConf reads nameservers, the last search line, options', (t) => {
  t.deepEqual(host, { nameservers: ['192.0.2.53', '192.0.2.54'], searches: ['corp.example', 'lab.example'], options: ['rotate', 'timeout:2'] });
});

const cases = [
  {
    name: 'ClusterFirst (the default)',
    pod: testPod({}, { namespace: 'shop' }),
    want: 'nameserver 10.0.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\noptions ndots:5\n',
  },
  { name: 'Default: the node resolv.conf', pod: testPod({ dnsPolicy: 'Default' }), want: 'nameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example lab.example\noptions rotate timeout:2\n' },
  { name: 'ClusterFirst on the host network is Default', pod: testPod({ hostNetwork: true }), want: 'nameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example lab.example\noptions rotate timeout:2\n' },
  { name: 'ClusterFirstWithHostNet', pod: testPod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), want: 'nameserver 10.0.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\noptions ndots:5\n' },
  {
    name: 'None with dnsConfig',
    pod: testPod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }),
    want: 'nameserver 1.1.1.1\nsearch x.example\noptions ndots:2 edns0\n',
  },
  {
    name: 'ClusterFirst merged with dnsConfig',
    pod: testPod({ dnsConfig: { nameservers: ['10.0.0.10', '8.8.8.8'], searches: ['extra.example'], options: [{ name: 'ndots', value: '1' }] } }),
    want: 'nameserver 10.0.0.10\nnameserver 8.8.8.8\nsearch default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example\noptions ndots:1\n',
  },
];
for (const tc of cases) test(`dns: ${tc.name}`, (t) => t.is(formatResolvConf(podDNS(tc.pod, settings).conf), tc.want));

test('ClusterFirst without --cluster-dns falls back to Default and says so', (t) => {
  const r = podDNS(testPod(), { ...settings, clusterDNS: [] });
  t.deepEqual(r.conf.nameservers, ['192.0.2.53', '192.0.2.54']);
  t.is(r.warning?.reason, 'MissingClusterDNS');
});

test('search domains are capped at six', (t) => {
  const r = podDNS(testPod({ dnsConfig: { searches: ['a.x', 'b.x', 'c.x', 'd.x'] } }), settings);
  t.is(r.conf.searches.length, 6);
  t.is(r.warning?.reason, 'DNSConfigForming');
});

test('hosts: the managed file with a subdomain and hostAliases', (t) => {
  const pod = testPod({ hostname: 'web-0', subdomain: 'web', hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.3', hostnames: ['foo.remote'] }] }, { namespace: 'shop' });
  const name = podHostname(pod, 'cluster.local');
  t.deepEqual(name, { hostname: 'web-0', domain: 'web.shop.svc.cluster.local' });
  t.is(
    managedHostsFile(pod, ['10.244.1.5'], name),
    [
      '# Kubernetes-managed hosts file.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes',
      'fe00::2\tip6-allrouters',
      '10.244.1.5\tweb-0.web.shop.svc.cluster.local\tweb-0',
      '',
      '# Entries added by HostAliases.',
      '127.0.0.1\tfoo.local\tbar.local',
      '10.1.2.3\tfoo.remote',
      '',
    ].join('\n'),
  );
});

test('hosts: plain pod name, long names cut to 63 characters', (t) => {
  const long = 'a'.repeat(70);
  const pod = testPod({}, { name: long });
  t.deepEqual(podHostname(pod, 'cluster.local'), { hostname: 'a'.repeat(63), domain: undefined });
  t.true(managedHostsFile(testPod(), ['10.0.0.9'], podHostname(testPod(), '')).endsWith('10.0.0.9\tp\n'));
});

test('hosts: hostNetwork pods get the node file', (t) => {
  t.is(hostNetworkHostsFile(testPod({ hostNetwork: true }), '127.0.0.1 localhost\n'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n');
});
