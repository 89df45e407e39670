/**
 * kube-scheduler's flags: names and defaults from the seed documents
 * (000: "kube-scheduler" section; 002: the start-up script), then Kubernetes v1.8.
 */
import type { CommandSpec } from '../machinery/flags/command.js';
import type { FlagSpec } from '../machinery/flags/types.js';

const flags: readonly FlagSpec[] = [
  { name: 'master', type: 'string', default: '', help: 'The address of the Kubernetes API server (overrides any value in kubeconfig).' },
  { name: 'kubeconfig', type: 'string', default: '', help: 'Path to kubeconfig file with authorization and master location information.' },
  { name: 'address', type: 'ip', default: '0.0.0.0', help: 'The IP address to serve on (set to 0.0.0.0 for all interfaces).' },
  { name: 'port', type: 'int', default: 10251, help: "The port that the scheduler's http service (healthz, metrics) runs on." },
  { name: 'algorithm-provider', type: 'enum', default: 'DefaultProvider', values: ['DefaultProvider', 'ClusterAutoscalerProvider'], help: 'The scheduling algorithm provider to use.' },
  { name: 'policy-config-file', type: 'string', default: '', help: 'File with scheduler policy configuration. Overrides --algorithm-provider when given.' },
  { name: 'policy-configmap', type: 'string', default: '', help: 'Name of the ConfigMap object that contains scheduler\'s policy configuration.' },
  { name: 'policy-configmap-namespace', type: 'string', default: 'kube-system', help: 'The namespace where policy ConfigMap is located.' },
  { name: 'use-legacy-policy-config', type: 'bool', default: false, help: 'When set to true, scheduler will ignore policy ConfigMap and use the policy config file.' },
  { name: 'scheduler-name', type: 'string', default: 'default-scheduler', help: 'Name of the scheduler, used to select which pods will be processed by this scheduler, based on pod\'s "spec.schedulerName".' },
  { name: 'hard-pod-affinity-symmetric-weight', type: 'int', default: 1, help: 'RequiredDuringScheduling affinity is not symmetric, but there is an implicit PreferredDuringScheduling affinity rule corresponding to every RequiredDuringScheduling affinity rule. This is its weight, 0-100.' },
  { name: 'failure-domains', type: 'stringList', default: 'kubernetes.io/hostname,failure-domain.beta.kubernetes.io/zone,failure-domain.beta.kubernetes.io/region', deprecated: "Doesn't have any effect. Will be removed in future version.", help: 'Indicate the "all topologies" set for an empty topologyKey when it\'s used for PreferredDuringScheduling pod anti-affinity.' },
  { name: 'kube-api-qps', type: 'float', default: 50, help: 'QPS to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-burst', type: 'int', default: 100, help: 'Burst to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-content-type', type: 'string', default: 'application/vnd.kubernetes.protobuf', help: 'Content type of requests sent to apiserver.' },
  { name: 'leader-elect', type: 'bool', default: false, help: 'Start a leader election client and gain leadership before executing the main loop. Enable this when running replicated components for high availability.' },
  { name: 'leader-elect-lease-duration', type: 'duration', default: '15s', help: 'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership.' },
  { name: 'leader-elect-renew-deadline', type: 'duration', default: '10s', help: 'The interval between attempts by the acting master to renew a leadership slot before it stops leading.' },
  { name: 'leader-elect-retry-period', type: 'duration', default: '2s', help: 'The duration the clients should wait between attempting acquisition and renewal of a leadership.' },
  { name: 'lock-object-namespace', type: 'string', default: 'kube-system', help: 'Define the namespace of the lock object.' },
  { name: 'lock-object-name', type: 'string', default: 'kube-scheduler', help: 'Define the name of the lock object.' },
  { name: 'profiling', type: 'bool', default: true, help: 'Enable profiling via web interface host:port/debug/pprof/.' },
  { name: 'contention-profiling', type: 'bool', default: false, help: 'Enable lock contention profiling, if profiling is enabled.' },
  { name: 'feature-gates', type: 'stringMap', default: '', help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.' },
];

export const schedulerCommand: CommandSpec = {
  component: 'kube-scheduler',
  description:
    'The Kubernetes scheduler is a policy-rich, topology-aware, workload-specific function: it watches for pods without a node and binds each to a node that fits its requirements.',
  flags,
};
