/**
 * flanneld's flags, as flannel v0.10 declares them with Go's `flag` package:
 * `-etcd-endpoints=…` and `--etcd-endpoints=…` are the same, and --help prints
 * Go-style. The glog flags (-v, -logtostderr, -log_dir …) are shared with the
 * Kubernetes daemons; Go's underscore spellings are accepted.
 *
 * -etcd-endpoints keeps v0.10's default (the legacy :4001 port, then :2379):
 * the client fails over from one endpoint to the next, so an etcd 3 that
 * serves only 2379 is found all the same.
 *
 * Not from v0.10 but from later flannel releases, where v0.10 behaved so:
 * -iptables-forward-rules (v0.10 always installed the FORWARD accepts).
 */
import type { CommandSpec } from '../../controlplane/machinery/flags/command.js';
import type { FlagSpec } from '../../controlplane/machinery/flags/types.js';

const flags: readonly FlagSpec[] = [
  { name: 'etcd-endpoints', type: 'stringList', default: 'http://127.0.0.1:4001,http://127.0.0.1:2379', help: 'a comma-delimited list of etcd endpoints' },
  { name: 'etcd-prefix', type: 'string', default: '/coreos.com/network', help: 'etcd prefix' },
  { name: 'etcd-keyfile', type: 'string', default: '', help: 'SSL key file used to secure etcd communication' },
  { name: 'etcd-certfile', type: 'string', default: '', help: 'SSL certification file used to secure etcd communication' },
  { name: 'etcd-cafile', type: 'string', default: '', help: 'SSL Certificate Authority file used to secure etcd communication' },
  { name: 'etcd-username', type: 'string', default: '', help: 'username for BasicAuth to etcd' },
  { name: 'etcd-password', type: 'string', default: '', secret: true, help: 'password for BasicAuth to etcd' },
  { name: 'iface', type: 'stringList', default: '', help: 'interface to use (IP or name) for inter-host communication. Can be specified multiple times to check each option in order. Returns the first match found.' },
  { name: 'iface-regex', type: 'stringList', default: '', help: 'regex expression to match the first interface to use (IP or name) for inter-host communication. Can be specified multiple times; checked after -iface.' },
  { name: 'subnet-file', type: 'string', default: '/run/flannel/subnet.env', help: 'filename where env variables (subnet, MTU, ... ) will be written to' },
  { name: 'subnet-lease-renew-margin', type: 'int', default: 60, help: 'subnet lease renewal margin, in minutes.' },
  { name: 'public-ip', type: 'ip', default: '', help: 'IP accessible by other nodes for inter-host communication' },
  { name: 'ip-masq', type: 'bool', default: false, help: 'setup IP masquerade rule for traffic destined outside of overlay network' },
  { name: 'kube-subnet-mgr', type: 'bool', default: false, help: 'contact the Kubernetes API for subnet assignment instead of etcd.' },
  { name: 'kube-api-url', type: 'string', default: '', help: 'Kubernetes API server URL. Does not need to be specified if flannel is running in a pod.' },
  { name: 'kubeconfig-file', type: 'string', default: '', help: 'kubeconfig file location. Does not need to be specified if flannel is running in a pod.' },
  { name: 'net-config-path', type: 'string', default: '/etc/kube-flannel/net-conf.json', help: 'path to the network configuration file (with -kube-subnet-mgr)' },
  { name: 'kube-annotation-prefix', type: 'string', default: 'flannel.alpha.coreos.com', help: 'Kubernetes annotation prefix. Can contain single slash "/", otherwise it will be appended at the end.' },
  { name: 'iptables-resync', type: 'int', default: 5, help: 'resync period for iptables rules, in seconds' },
  { name: 'iptables-forward-rules', type: 'bool', default: true, help: 'add default accept rules to FORWARD chain in iptables' },
  { name: 'healthz-ip', type: 'ip', default: '0.0.0.0', help: 'the IP address for healthz server to listen' },
  { name: 'healthz-port', type: 'int', default: 0, help: 'the port for healthz server to listen(0 to disable)' },
];

export const flannelCommand: CommandSpec = {
  component: 'flanneld',
  description:
    'flanneld gives every host a subnet of the pod network, leased in etcd (or read from node.spec.podCIDR with -kube-subnet-mgr), and carries traffic between hosts (udp, vxlan or host-gw backends). It writes the lease to -subnet-file for Docker.',
  flags,
  style: 'goflag',
  upstream: 'flannel',
};
