/**
 * kube-controller-manager's flags: names and defaults from the seed documents
 * (000: "kube-controller-manager" section; 002: the start-up script), then
 * Kubernetes v1.8. The seed script also passes --loglevel, which is not an
 * upstream flag: it is accepted and ignored with a line saying so.
 */
import type { CommandSpec } from '../machinery/flags/command.js';
import { NOOP } from '../machinery/flags/noop.js';
import type { FlagSpec } from '../machinery/flags/types.js';

const LOOKUP_CACHE = 'This flag is deprecated and will be removed in future releases. The controller no longer requires a lookup cache.';
const NOT_USED = 'This flag is currently no-op and will be deleted.';

const flags: readonly FlagSpec[] = [
  { name: 'master', type: 'string', default: '', help: 'The address of the Kubernetes API server (overrides any value in kubeconfig).' },
  { name: 'kubeconfig', type: 'string', default: '', help: 'Path to kubeconfig file with authorization and master location information.' },
  { name: 'address', type: 'ip', default: '0.0.0.0', help: 'The IP address to serve on (set to 0.0.0.0 for all interfaces).' },
  { name: 'port', type: 'int', default: 10252, help: 'The port that the controller-manager\'s http service (healthz, metrics) runs on.' },
  { name: 'kube-api-qps', type: 'float', default: 20, help: 'QPS to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-burst', type: 'int', default: 30, help: 'Burst to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-content-type', type: 'string', default: 'application/vnd.kubernetes.protobuf', help: 'Content type of requests sent to apiserver.' },
  { name: 'profiling', type: 'bool', default: true, help: 'Enable profiling via web interface host:port/debug/pprof/.' },
  { name: 'contention-profiling', type: 'bool', default: false, help: 'Enable lock contention profiling, if profiling is enabled.' },
  { name: 'controllers', type: 'stringList', default: '*', help: "A list of controllers to enable. '*' enables all on-by-default controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'." },
  { name: 'controller-start-interval', type: 'duration', default: '0', help: 'Interval between starting controller managers.' },
  { name: 'min-resync-period', type: 'duration', default: '12h0m0s', help: 'The resync period in reflectors will be random between MinResyncPeriod and 2*MinResyncPeriod.' },
  { name: 'feature-gates', type: 'stringMap', default: '', help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.' },
  { name: 'loglevel', type: 'int', default: 0, noop: NOOP.loglevel, help: 'Accepted for the seed start-up scripts; use --v.' },
  // --- leader election
  { name: 'leader-elect', type: 'bool', default: false, help: 'Start a leader election client and gain leadership before executing the main loop. Enable this when running replicated components for high availability.' },
  { name: 'leader-elect-lease-duration', type: 'duration', default: '15s', help: 'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership.' },
  { name: 'leader-elect-renew-deadline', type: 'duration', default: '10s', help: 'The interval between attempts by the acting master to renew a leadership slot before it stops leading. Must be less than or equal to the lease duration.' },
  { name: 'leader-elect-retry-period', type: 'duration', default: '2s', help: 'The duration the clients should wait between attempting acquisition and renewal of a leadership.' },
  // --- concurrency and periods
  { name: 'concurrent-deployment-syncs', type: 'int', default: 5, help: 'The number of deployment objects that are allowed to sync concurrently.' },
  { name: 'concurrent-endpoint-syncs', type: 'int', default: 5, help: 'The number of endpoint syncing operations that will be done concurrently.' },
  { name: 'concurrent-gc-syncs', type: 'int', default: 20, help: 'The number of garbage collector workers that are allowed to sync concurrently.' },
  { name: 'concurrent-namespace-syncs', type: 'int', default: 2, help: 'The number of namespace objects that are allowed to sync concurrently.' },
  { name: 'concurrent-rc-syncs', type: 'int', default: 5, help: 'The number of replication controllers that are allowed to sync concurrently.' },
  { name: 'concurrent-replicaset-syncs', type: 'int', default: 5, help: 'The number of replica sets that are allowed to sync concurrently.' },
  { name: 'concurrent-resource-quota-syncs', type: 'int', default: 5, help: 'The number of resource quotas that are allowed to sync concurrently.' },
  { name: 'concurrent-service-syncs', type: 'int', default: 1, help: 'The number of services that are allowed to sync concurrently.' },
  { name: 'concurrent-serviceaccount-token-syncs', type: 'int', default: 5, help: 'The number of service account token objects that are allowed to sync concurrently.' },
  { name: 'deployment-controller-sync-period', type: 'duration', default: '30s', help: 'Period for syncing the deployments.' },
  { name: 'namespace-sync-period', type: 'duration', default: '5m0s', help: 'The period for syncing namespace life-cycle updates.' },
  { name: 'resource-quota-sync-period', type: 'duration', default: '5m0s', help: 'The period for syncing quota usage status in the system.' },
  { name: 'pvclaimbinder-sync-period', type: 'duration', default: '15s', help: 'The period for syncing persistent volumes and persistent volume claims.' },
  { name: 'horizontal-pod-autoscaler-sync-period', type: 'duration', default: '30s', help: 'The period for syncing the number of pods in horizontal pod autoscaler.' },
  { name: 'horizontal-pod-autoscaler-upscale-delay', type: 'duration', default: '3m0s', help: 'The period since last upscale, before another upscale can be performed in horizontal pod autoscaler.' },
  { name: 'horizontal-pod-autoscaler-downscale-delay', type: 'duration', default: '5m0s', help: 'The period since last downscale, before another downscale can be performed in horizontal pod autoscaler.' },
  { name: 'terminated-pod-gc-threshold', type: 'int', default: 12500, help: 'Number of terminated pods that can exist before the terminated pod garbage collector starts deleting terminated pods. If <= 0, it is disabled.' },
  { name: 'enable-garbage-collector', type: 'bool', default: false, help: 'Enables the generic garbage collector. Must be synced with the corresponding flag of the kube-apiserver.' },
  { name: 'daemonset-lookup-cache-size', type: 'int', default: 1024, deprecated: LOOKUP_CACHE, help: 'The size of lookup cache for daemonsets.' },
  { name: 'replicaset-lookup-cache-size', type: 'int', default: 4096, deprecated: LOOKUP_CACHE, help: 'The size of lookup cache for replicasets.' },
  { name: 'replication-controller-lookup-cache-size', type: 'int', default: 4096, deprecated: LOOKUP_CACHE, help: 'The size of lookup cache for replication controllers.' },
  // --- nodes
  { name: 'node-monitor-period', type: 'duration', default: '5s', help: 'The period for syncing NodeStatus in NodeController.' },
  { name: 'node-monitor-grace-period', type: 'duration', default: '40s', help: 'Amount of time which we allow running Node to be unresponsive before marking it unhealthy. Must be N times more than the kubelet\'s nodeStatusUpdateFrequency.' },
  { name: 'node-startup-grace-period', type: 'duration', default: '1m0s', help: 'Amount of time which we allow starting Node to be unresponsive before marking it unhealthy.' },
  { name: 'node-sync-period', type: 'duration', default: '10s', deprecated: NOT_USED, help: 'This flag is deprecated and will be removed in future releases.' },
  { name: 'pod-eviction-timeout', type: 'duration', default: '5m0s', help: 'The grace period for deleting pods on failed nodes.' },
  { name: 'node-eviction-rate', type: 'float', default: 0.1, help: 'Number of nodes per second on which pods are deleted in case of node failure when a zone is healthy.' },
  { name: 'secondary-node-eviction-rate', type: 'float', default: 0.01, help: 'Number of nodes per second on which pods are deleted in case of node failure when a zone is unhealthy.' },
  { name: 'large-cluster-size-threshold', type: 'int', default: 50, help: 'Number of nodes from which NodeController treats the cluster as large for the eviction logic purposes.' },
  { name: 'unhealthy-zone-threshold', type: 'float', default: 0.55, help: 'Fraction of Nodes in a zone which needs to be not Ready (minimum 3) for zone to be treated as unhealthy.' },
  { name: 'deleting-pods-qps', type: 'float', default: 0.1, deprecated: NOT_USED, help: 'Number of nodes per second on which pods are deleted in case of node failure.' },
  { name: 'deleting-pods-burst', type: 'int', default: 10, deprecated: NOT_USED, help: 'Number of nodes on which pods are bursty deleted in case of node failure.' },
  { name: 'allocate-node-cidrs', type: 'bool', default: false, help: 'Should CIDRs for Pods be allocated and set on the nodes.' },
  { name: 'cidr-allocator-type', type: 'enum', default: 'RangeAllocator', values: ['RangeAllocator', 'CloudAllocator'], help: 'Type of CIDR allocator to use.' },
  { name: 'cluster-cidr', type: 'cidr', default: '', help: 'CIDR Range for Pods in cluster. Requires --allocate-node-cidrs to be true.' },
  { name: 'node-cidr-mask-size', type: 'int', default: 24, help: 'Mask size for node cidr in cluster.' },
  { name: 'service-cluster-ip-range', type: 'cidr', default: '', help: 'CIDR Range for Services in cluster. Requires --allocate-node-cidrs to be true.' },
  { name: 'cluster-name', type: 'string', default: 'kubernetes', help: 'The instance prefix for the cluster.' },
  { name: 'cloud-provider', type: 'string', default: '', noop: NOOP.cloud, help: 'The provider for cloud services. Empty string for no provider.' },
  { name: 'cloud-config', type: 'string', default: '', noop: NOOP.cloud, help: 'The path to the cloud provider configuration file. Empty string for no configuration file.' },
  { name: 'configure-cloud-routes', type: 'bool', default: true, noop: NOOP.cloud, help: 'Should CIDRs allocated by allocate-node-cidrs be configured on the cloud provider.' },
  { name: 'service-sync-period', type: 'duration', default: '5m0s', noop: NOOP.cloud, help: 'The period for syncing services with their external load balancers.' },
  // --- credentials and certificates
  { name: 'service-account-private-key-file', type: 'string', default: '', help: 'Filename containing a PEM-encoded private RSA or ECDSA key used to sign service account tokens.' },
  { name: 'root-ca-file', type: 'string', default: '', help: "If set, this root certificate authority will be included in service account's token secret. This must be a valid PEM-encoded CA bundle." },
  { name: 'use-service-account-credentials', type: 'bool', default: false, help: 'If true, use individual service account credentials for each controller.' },
  { name: 'cluster-signing-cert-file', type: 'string', default: '', help: 'Filename containing a PEM-encoded X509 CA certificate used to issue cluster-scoped certificates.' },
  { name: 'cluster-signing-key-file', type: 'string', default: '', help: 'Filename containing a PEM-encoded RSA or ECDSA private key used to sign cluster-scoped certificates.' },
  // --- volumes
  { name: 'enable-dynamic-provisioning', type: 'bool', default: true, help: 'Enable dynamic provisioning for environments that support it.' },
  { name: 'enable-hostpath-provisioner', type: 'bool', default: false, help: 'Enable HostPath PV provisioning when running without a cloud provider. For testing and development only; does not work in a multi-node cluster.' },
  { name: 'flex-volume-plugin-dir', type: 'string', default: '/usr/libexec/kubernetes/kubelet-plugins/volume/exec/', help: 'Full path of the directory in which the flex volume plugin should search for additional third party volume plugins.' },
  { name: 'pv-recycler-increment-timeout-nfs', type: 'int', default: 30, help: 'The increment of time added per Gi to ActiveDeadlineSeconds for an NFS scrubber pod.' },
  { name: 'pv-recycler-minimum-timeout-hostpath', type: 'int', default: 60, help: 'The minimum ActiveDeadlineSeconds to use for a HostPath Recycler pod. For development and testing only.' },
  { name: 'pv-recycler-minimum-timeout-nfs', type: 'int', default: 300, help: 'The minimum ActiveDeadlineSeconds to use for an NFS Recycler pod.' },
  { name: 'pv-recycler-pod-template-filepath-hostpath', type: 'string', default: '', help: 'The file path to a pod definition used as a template for HostPath persistent volume recycling.' },
  { name: 'pv-recycler-pod-template-filepath-nfs', type: 'string', default: '', help: 'The file path to a pod definition used as a template for NFS persistent volume recycling.' },
  { name: 'pv-recycler-timeout-increment-hostpath', type: 'int', default: 30, help: 'The increment of time added per Gi to ActiveDeadlineSeconds for a HostPath scrubber pod.' },
];

export const controllerManagerCommand: CommandSpec = {
  component: 'kube-controller-manager',
  description:
    'The Kubernetes controller manager is a daemon that embeds the core control loops: it watches the shared state of the cluster through the apiserver and makes changes attempting to move the current state towards the desired state (replication, endpoints, namespaces, service accounts, nodes, garbage collection, …).',
  flags,
};
