/**
 * kube-proxy's flags: names and defaults from the seed documents (000: "kube-proxy"
 * section; 002: the start-up script), then Kubernetes v1.8.
 *
 * - The seed lists --contrack-max-per-core and --contrack-tcp-timeout-established
 *   (sic); both spellings are accepted as aliases of the conntrack-… flags.
 * - Added from v1.8's table: --write-config-to, --resource-container (accepted, no
 *   effect); and v1.9's --cleanup (the later name of --cleanup-iptables).
 * - --healthz-port defaults to 10256 (v1.8 and ARCHITECTURE.md), not the seed's 10249,
 *   which v1.8 uses for metrics (--metrics-bind-address=127.0.0.1:10249): taking the
 *   seed's value would put both servers on one port.
 */
import type { CommandSpec } from '../../controlplane/machinery/flags/command.js';
import type { FlagSpec } from '../../controlplane/machinery/flags/types.js';

function checkHostPort(value: string): string | undefined {
  return value === '' || /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):\d{1,5}$|^[0-9.]+$/.test(value) ? undefined : 'want ip:port (or an ip)';
}

const flags: readonly FlagSpec[] = [
  { name: 'master', type: 'string', default: '', help: 'The address of the Kubernetes API server (overrides any value in kubeconfig).' },
  { name: 'kubeconfig', type: 'string', default: '', help: 'Path to kubeconfig file with authorization information (the master location is set by the master flag).' },
  { name: 'config', type: 'string', default: '', help: 'The path to the configuration file (KubeProxyConfiguration); flags given on the command line override it.' },
  { name: 'kube-api-qps', type: 'float', default: 5, help: 'QPS to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-burst', type: 'int', default: 10, help: 'Burst to use while talking with kubernetes apiserver.' },
  { name: 'kube-api-content-type', type: 'string', default: 'application/vnd.kubernetes.protobuf', help: 'Content type of requests sent to apiserver.' },
  { name: 'hostname-override', type: 'string', default: '', help: 'If non-empty, will use this string as identification instead of the actual hostname.' },
  { name: 'bind-address', type: 'ip', default: '0.0.0.0', help: 'The IP address for the proxy server to serve on (set to 0.0.0.0 for all interfaces).' },
  { name: 'healthz-bind-address', type: 'ip', default: '127.0.0.1', help: 'The IP address for the health check server to serve on (set to 0.0.0.0 for all interfaces).' },
  { name: 'healthz-port', type: 'int', default: 10256, help: 'The port to bind the health check server. Use 0 to disable.' },
  { name: 'metrics-bind-address', type: 'string', default: '127.0.0.1:10249', check: checkHostPort, help: 'The IP address and port for the metrics server to serve on (set to 0.0.0.0 for all interfaces).' },
  { name: 'profiling', type: 'bool', default: false, help: 'If true enables profiling via web interface on /debug/pprof handler.' },
  { name: 'proxy-mode', type: 'enum', default: '', values: ['', 'userspace', 'iptables', 'ipvs'], help: "Which proxy mode to use: 'userspace' (older) or 'iptables' (faster) or 'ipvs'. If blank, use the best-available proxy (currently iptables); falls back to userspace when the kernel or iptables is too old." },
  { name: 'proxy-port-range', type: 'portRange', default: '', help: 'Range of host ports (beginPort-endPort, inclusive) that may be consumed in order to proxy service traffic. If unspecified (0-0) then ports will be randomly chosen.' },
  { name: 'cluster-cidr', type: 'cidr', default: '', help: 'The CIDR range of pods in the cluster. It is used to bridge traffic coming from outside of the cluster. If not provided, no off-cluster bridging will be performed.' },
  { name: 'masquerade-all', type: 'bool', default: false, help: 'If using the pure iptables proxy, SNAT everything.' },
  { name: 'iptables-masquerade-bit', type: 'int', default: 14, help: "If using the pure iptables proxy, the bit of the fwmark space to mark packets requiring SNAT with. Must be within [0, 31]." },
  { name: 'iptables-sync-period', type: 'duration', default: '30s', help: 'The maximum interval of how often iptables rules are refreshed (e.g. 5s, 1m, 2h22m). Must be greater than 0.' },
  { name: 'iptables-min-sync-period', type: 'duration', default: '0', help: 'The minimum interval of how often the iptables rules can be refreshed as endpoints and services change (e.g. 5s, 1m, 2h22m).' },
  { name: 'ipvs-sync-period', type: 'duration', default: '30s', help: 'The maximum interval of how often ipvs rules are refreshed. Must be greater than 0.' },
  { name: 'ipvs-min-sync-period', type: 'duration', default: '0', help: 'The minimum interval of how often the ipvs rules can be refreshed as endpoints and services change.' },
  { name: 'ipvs-scheduler', type: 'string', default: '', help: 'The ipvs scheduler type when proxy mode is ipvs.' },
  { name: 'cleanup-iptables', type: 'bool', default: false, help: 'If true cleanup iptables and ipvs rules and exit.' },
  { name: 'cleanup', type: 'bool', default: false, since: 'v1.9', help: 'If true cleanup iptables and ipvs rules and exit (the later name of --cleanup-iptables).' },
  { name: 'write-config-to', type: 'string', default: '', help: 'If set, write the default configuration values to this file and exit.' },
  { name: 'resource-container', type: 'string', default: '/kube-proxy', deprecated: 'This feature will be removed in a later release.', noop: 'kube-proxy is not moved into a resource-only container; run it under systemd or a pod for resource limits', help: 'Absolute name of the resource-only container to create and run the Kube-proxy in (Default: /kube-proxy).' },
  { name: 'config-sync-period', type: 'duration', default: '15m0s', help: 'How often configuration from the apiserver is refreshed. Must be greater than 0.' },
  { name: 'conntrack-max', type: 'int', default: 0, help: 'Maximum number of NAT connections to track (0 to leave as-is). This overrides conntrack-max-per-core and conntrack-min.' },
  { name: 'conntrack-max-per-core', type: 'int', default: 32768, aliases: ['contrack-max-per-core'], help: 'Maximum number of NAT connections to track per CPU core (0 to leave the limit as-is and ignore conntrack-min).' },
  { name: 'conntrack-min', type: 'int', default: 131072, help: 'Minimum number of conntrack entries to allocate, regardless of conntrack-max-per-core (set conntrack-max-per-core=0 to leave the limit as-is).' },
  { name: 'conntrack-tcp-timeout-established', type: 'duration', default: '24h0m0s', aliases: ['contrack-tcp-timeout-established'], help: 'Idle timeout for established TCP connections (0 to leave as-is).' },
  { name: 'conntrack-tcp-timeout-close-wait', type: 'duration', default: '1h0m0s', help: 'NAT timeout for TCP connections in the CLOSE_WAIT state.' },
  { name: 'udp-timeout', type: 'duration', default: '250ms', help: 'How long an idle UDP connection will be kept open (e.g. 250ms, 2s). Must be greater than 0. Only applicable for proxy-mode=userspace.' },
  { name: 'oom-score-adj', type: 'int', default: -999, help: 'The oom-score-adj value for kube-proxy process. Values must be within the range [-1000, 1000].' },
  { name: 'feature-gates', type: 'stringMap', default: '', help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.' },
];

export const proxyCommand: CommandSpec = {
  component: 'kube-proxy',
  description:
    'The Kubernetes network proxy runs on each node. It reflects Services and Endpoints as defined in the Kubernetes API into the node\'s packet path: iptables rules (or IPVS, or its own userspace sockets) that send traffic for a Service VIP to one of its endpoints.',
  flags,
};
