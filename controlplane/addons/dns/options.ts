/**
 * kube-dns's flags: names and defaults of upstream kube-dns 1.14 (the
 * kubernetes/dns release of the Kubernetes 1.8 era), except --dns-port, whose
 * default is 10053 as the kube-dns manifests set it (an operator who runs
 * kube-dns alone on a host passes --dns-port=53). kubets additions carry
 * a note in their help.
 */
import type { CommandSpec } from '../../machinery/flags/command.js';
import type { FlagSpec } from '../../machinery/flags/types.js';

const flags: readonly FlagSpec[] = [
  { name: 'domain', type: 'string', default: 'cluster.local.', help: 'domain under which to create names' },
  {
    name: 'kubecfg-file',
    type: 'string',
    default: '',
    aliases: ['kubeconfig'],
    help: 'Location of kubecfg file for access to kubernetes master service; --kube-master-url overrides the URL part of this; if neither this nor --kube-master-url are provided, defaults to service account tokens. (kubets: --kubeconfig is accepted too.)',
  },
  {
    name: 'kube-master-url',
    type: 'string',
    default: '',
    aliases: ['master'],
    help: 'URL to reach kubernetes master. Env variables in this flag will be expanded. (kubets: --master is accepted too, so /etc/kubernetes/config\'s KUBE_MASTER works.)',
  },
  { name: 'healthz-port', type: 'int', default: 8081, help: 'port on which to serve a kube-dns HTTP readiness probe (kubets: /healthz and /metrics). 0 disables it.' },
  { name: 'dns-bind-address', type: 'ip', default: '0.0.0.0', help: 'address on which to serve DNS requests.' },
  { name: 'dns-port', type: 'int', default: 10053, help: 'port on which to serve DNS requests (UDP and TCP).' },
  {
    name: 'nameservers',
    type: 'string',
    default: '',
    help: 'List of ip:port, separated by commas, of nameservers to forward queries to. Default is to use /etc/resolv.conf. Overridden by upstreamNameservers in the config map.',
  },
  { name: 'config-map-namespace', type: 'string', default: 'kube-system', help: 'namespace for the config-map' },
  {
    name: 'config-map',
    type: 'string',
    default: '',
    help: 'config-map name. If empty, then the config-map will not used. Cannot be used in conjunction with config-dir. config-map contains dynamically adjustable configuration (stubDomains, upstreamNameservers).',
  },
  { name: 'config-dir', type: 'string', default: '', help: 'directory to read config values from (files stubDomains, upstreamNameservers: a mounted config map). Cannot be used in conjunction with config-map.' },
  { name: 'config-period', type: 'duration', default: '10s', help: 'period at which to check for updates in config-dir.' },
  { name: 'initial-sync-timeout', type: 'duration', default: '1m0s', help: 'Timeout for initial resource sync (kubets: a warning after it; serving starts at once, /healthz says ok once synced).' },
  { name: 'federations', type: 'stringMap', default: '', deprecated: 'use config-map instead. Will be removed in future version', noop: 'federation records are not served', help: 'a comma separated list of the federation names and their corresponding domain names to which this cluster belongs.' },
  { name: 'profiling', type: 'bool', default: false, help: 'kubets: serve /debug/pprof/ on the healthz port.' },
];

export const dnsCommand: CommandSpec = {
  component: 'kube-dns',
  description:
    'kube-dns serves the cluster DNS zone of the Kubernetes DNS specification from the Services and Endpoints it watches, over UDP and TCP, and forwards every other name to stub domains or upstream nameservers.',
  flags,
};
