/**
 * kube-apiserver's flags. Names and defaults follow the seed documents
 * (000: "kube-apiserver" section; 002: the start-up script), then Kubernetes v1.8.
 * Deliberate departures: --storage-backend (sqlite by default, etcd3; etcd2 is read
 * as etcd3) and --data-dir are kubets' own; --long-running-request-regexp keeps
 * upstream's default because the seed's "" would time out every watch.
 */
import type { CommandSpec } from '../machinery/flags/command.js';
import { NOOP } from '../machinery/flags/noop.js';
import type { FlagSpec } from '../machinery/flags/types.js';

const flags: readonly FlagSpec[] = [
  // --- serving
  { name: 'insecure-bind-address', type: 'ip', default: '127.0.0.1', aliases: [{ name: 'address', deprecated: 'see --insecure-bind-address instead.' }], help: 'The IP address on which to serve the --insecure-port (set to 0.0.0.0 for all interfaces).' },
  { name: 'insecure-port', type: 'int', default: 8080, aliases: [{ name: 'port', deprecated: 'see --insecure-port instead.' }], help: 'The port on which to serve unsecured, unauthenticated access. 0 disables it.' },
  { name: 'bind-address', type: 'ip', default: '0.0.0.0', aliases: [{ name: 'public-address-override', deprecated: 'see --bind-address instead.' }], help: 'The IP address on which to listen for the --secure-port port.' },
  { name: 'secure-port', type: 'int', default: 6443, help: 'The port on which to serve HTTPS with authentication and authorization. 0 disables HTTPS.' },
  { name: 'advertise-address', type: 'ip', default: '', help: 'The IP address on which to advertise the apiserver to members of the cluster. If blank, --bind-address is used.' },
  { name: 'external-hostname', type: 'string', default: '', help: 'The hostname to use when generating externalized URLs for this master.' },
  { name: 'cert-dir', type: 'string', default: '/var/run/kubernetes', help: 'The directory where the TLS certs are located. Ignored if --tls-cert-file and --tls-private-key-file are given.' },
  { name: 'tls-cert-file', type: 'string', default: '', help: 'File containing the default x509 certificate for HTTPS (CA cert, if any, concatenated after server cert).' },
  { name: 'tls-private-key-file', type: 'string', default: '', help: 'File containing the default x509 private key matching --tls-cert-file.' },
  { name: 'cors-allowed-origins', type: 'stringList', default: '', help: 'List of allowed origins for CORS, comma separated. An allowed origin can be a regular expression. CORS is off when empty.' },
  { name: 'max-requests-inflight', type: 'int', default: 400, help: 'The maximum number of non-mutating requests in flight at a given time. 0 means no limit.' },
  { name: 'max-mutating-requests-inflight', type: 'int', default: 200, help: 'The maximum number of mutating requests in flight at a given time. 0 means no limit.' },
  { name: 'min-request-timeout', type: 'int', default: 1800, help: 'Minimum number of seconds a handler must keep a request open before timing it out (watch requests add a random spread).' },
  { name: 'long-running-request-regexp', type: 'string', default: '(/|^)((watch|proxy)(/|$)|(logs?|portforward|exec|attach)/?$)', help: 'A regular expression matching long-running requests, which are not subject to request timeouts.' },
  { name: 'max-request-bytes', type: 'int', default: 3145728, help: 'The largest request body the server accepts, in bytes (larger bodies get 413).' },
  { name: 'max-connection-bytes-per-sec', type: 'int', default: 0, help: 'If non-zero, throttle each user connection to this number of bytes/sec (long-running requests only).' },
  { name: 'enable-swagger-ui', type: 'bool', default: false, help: 'Enables swagger ui on the apiserver at /swagger-ui.' },
  { name: 'enable-logs-handler', type: 'bool', default: true, help: 'If true, install a /logs handler for the apiserver logs.' },
  { name: 'profiling', type: 'bool', default: true, help: 'Enable profiling via web interface host:port/debug/pprof/.' },
  { name: 'contention-profiling', type: 'bool', default: false, help: 'Enable lock contention profiling, if profiling is enabled.' },
  { name: 'apiserver-count', type: 'int', default: 1, help: 'The number of apiservers running in the cluster, must be a positive number.' },
  { name: 'master-service-namespace', type: 'string', default: 'default', help: 'The namespace from which the kubernetes master services should be injected into pods.' },
  { name: 'kubernetes-service-node-port', type: 'int', default: 0, help: 'If non-zero, the Kubernetes master service (which apiserver creates/maintains) will be of type NodePort, using this as the value of the port.' },
  { name: 'service-cluster-ip-range', type: 'cidr', default: '', help: 'A CIDR notation IP range from which to assign service cluster IPs. Must not overlap with any IP ranges assigned to nodes for pods.' },
  { name: 'service-node-port-range', type: 'portRange', default: '30000-32767', help: 'A port range to reserve for services with NodePort visibility. Example: 30000-32767. Inclusive at both ends.' },
  { name: 'allow-privileged', type: 'bool', default: false, help: 'If true, allow privileged containers.' },
  { name: 'runtime-config', type: 'stringMap', default: '', bareKeys: true, help: 'A set of key=value pairs that describe runtime configuration; apis/<groupVersion> (or a bare groupVersion) turns an API version on or off; api/all and api/legacy are special keys.' },
  { name: 'feature-gates', type: 'stringMap', default: '', help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.' },
  { name: 'event-ttl', type: 'duration', default: '1h0m0s', help: 'Amount of time to retain events.' },
  { name: 'delete-collection-workers', type: 'int', default: 1, help: 'Number of workers spawned for DeleteCollection call. These are used to speed up namespace cleanup.' },
  { name: 'enable-garbage-collector', type: 'bool', default: false, help: 'Enables the generic garbage collector. Must be synced with the corresponding flag of the kube-controller-manager.' },
  { name: 'repair-malformed-updates', type: 'bool', default: true, help: 'If true, the server will do its best to fix update requests to pass validation.' },
  { name: 'ssh-user', type: 'string', default: '', noop: NOOP.ssh, help: 'If non-empty, use secure SSH proxy to the nodes, using this user name.' },
  { name: 'ssh-keyfile', type: 'string', default: '', noop: NOOP.ssh, help: 'If non-empty, use secure SSH proxy to the nodes, using this user keyfile.' },
  { name: 'cloud-provider', type: 'string', default: '', noop: NOOP.cloud, help: 'The provider for cloud services. Empty string for no provider.' },
  { name: 'cloud-config', type: 'string', default: '', noop: NOOP.cloud, help: 'The path to the cloud provider configuration file. Empty string for no configuration file.' },
  // --- storage
  { name: 'storage-backend', type: 'enum', default: 'sqlite', values: ['sqlite', 'etcd3'], valueAliases: { etcd2: { value: 'etcd3', message: 'Flag --storage-backend=etcd2 has been deprecated, kubets speaks only the etcd v3 API; using etcd3.' } }, help: "The storage backend for persistence: 'sqlite' (embedded, in --data-dir) or 'etcd3' (--etcd-servers)." },
  { name: 'data-dir', type: 'string', default: '/var/lib/kubets/apiserver', help: 'The directory of the embedded sqlite store (--storage-backend=sqlite).' },
  { name: 'etcd-servers', type: 'stringList', default: '', help: 'List of etcd servers to connect with (scheme://ip:port), comma separated.' },
  { name: 'etcd-servers-overrides', type: 'stringList', default: '', help: 'Per-resource etcd servers overrides, comma separated. The individual override format: group/resource#servers, where servers are http://ip:port, semicolon separated.' },
  { name: 'etcd-prefix', type: 'string', default: '/registry', help: 'The prefix to prepend to all resource paths in etcd.' },
  { name: 'etcd-cafile', type: 'string', default: '', help: 'SSL Certificate Authority file used to secure etcd communication.' },
  { name: 'etcd-certfile', type: 'string', default: '', help: 'SSL certification file used to secure etcd communication.' },
  { name: 'etcd-keyfile', type: 'string', default: '', help: 'SSL key file used to secure etcd communication.' },
  { name: 'etcd-quorum-read', type: 'bool', default: false, help: 'If true, enable quorum read.' },
  { name: 'storage-media-type', type: 'string', default: 'application/json', help: 'The media type to use to store objects in storage.' },
  { name: 'storage-versions', type: 'string', default: '', help: 'The per-group version to store resources in. Specified in the format "group1/version1,group2/version2,...".' },
  { name: 'watch-cache', type: 'bool', default: true, help: 'Enable watch caching in the apiserver.' },
  { name: 'watch-cache-size', type: 'stringList', default: '', help: 'List of watch cache sizes for every resource (pods, nodes, etc.), comma separated. The individual override format: resource#size. Only when --watch-cache is on.' },
  { name: 'default-watch-cache-size', type: 'int', default: 100, help: 'Default watch cache size. If zero, watch cache will be disabled for resources that do not have a default watch size set.' },
  { name: 'deserialization-cache-size', type: 'int', default: 50000, noop: NOOP.deserializationCache, help: 'Number of deserialized json objects to cache in memory.' },
  // --- authentication
  { name: 'anonymous-auth', type: 'bool', default: true, help: 'Enables anonymous requests to the secure port. Anonymous requests have a username of system:anonymous and a group of system:unauthenticated.' },
  { name: 'client-ca-file', type: 'string', default: '', help: 'If set, any request presenting a client certificate signed by one of the authorities in the client-ca-file is authenticated with the CommonName of the certificate.' },
  { name: 'basic-auth-file', type: 'string', default: '', help: 'If set, the file that will be used to admit requests to the secure port via HTTP basic authentication (password,user,uid[,"group1,group2"]).' },
  { name: 'token-auth-file', type: 'string', default: '', help: 'If set, the file that will be used to secure the secure port via token authentication (token,user,uid[,"group1,group2"]).' },
  { name: 'enable-bootstrap-token-auth', type: 'bool', default: false, help: "Enable to allow secrets of type 'bootstrap.kubernetes.io/token' in the 'kube-system' namespace to be used for TLS bootstrapping authentication." },
  { name: 'service-account-key-file', type: 'stringList', default: '', help: 'File containing PEM-encoded x509 RSA or ECDSA private or public keys, used to verify ServiceAccount tokens. Defaults to --tls-private-key-file. May be repeated.' },
  { name: 'service-account-lookup', type: 'bool', default: false, help: 'If true, validate ServiceAccount tokens exist in etcd as part of authentication.' },
  { name: 'authentication-token-webhook-config-file', type: 'string', default: '', help: 'File with webhook configuration for token authentication in kubeconfig format.' },
  { name: 'authentication-token-webhook-cache-ttl', type: 'duration', default: '2m0s', help: 'The duration to cache responses from the webhook token authenticator.' },
  { name: 'oidc-issuer-url', type: 'string', default: '', help: 'The URL of the OpenID issuer, only HTTPS scheme will be accepted.' },
  { name: 'oidc-client-id', type: 'string', default: '', help: 'The client ID for the OpenID Connect client, must be set if oidc-issuer-url is set.' },
  { name: 'oidc-ca-file', type: 'string', default: '', help: "If set, the OpenID server's certificate will be verified by one of the authorities in the oidc-ca-file, otherwise the host's root CA set will be used." },
  { name: 'oidc-username-claim', type: 'string', default: 'sub', help: 'The OpenID claim to use as the user name.' },
  { name: 'oidc-groups-claim', type: 'string', default: '', help: "If provided, the name of a custom OpenID Connect claim for specifying user groups (an array of strings)." },
  { name: 'experimental-keystone-url', type: 'string', default: '', noop: NOOP.keystone, help: 'If passed, activates the keystone authentication plugin.' },
  // --- authorization and admission
  { name: 'authorization-mode', type: 'stringList', default: 'AlwaysAllow', help: 'Ordered list of plug-ins to do authorization on secure port. Comma-delimited list of: AlwaysAllow,AlwaysDeny,ABAC,Webhook,RBAC,Node.' },
  { name: 'authorization-policy-file', type: 'string', default: '', help: 'File with authorization policy in csv format, used with --authorization-mode=ABAC.' },
  { name: 'authorization-rbac-super-user', type: 'string', default: '', deprecated: "the system:masters group has full access; put the user in it instead.", help: 'If specified, a username which avoids RBAC authorization checks.' },
  { name: 'authorization-webhook-config-file', type: 'string', default: '', help: 'File with webhook configuration in kubeconfig format, used with --authorization-mode=Webhook.' },
  { name: 'authorization-webhook-cache-authorized-ttl', type: 'duration', default: '5m0s', help: "The duration to cache 'authorized' responses from the webhook authorizer." },
  { name: 'authorization-webhook-cache-unauthorized-ttl', type: 'duration', default: '30s', help: "The duration to cache 'unauthorized' responses from the webhook authorizer." },
  { name: 'admission-control', type: 'stringList', default: 'AlwaysAdmit', help: 'Ordered list of plug-ins to do admission control of resources into cluster, comma-delimited (AlwaysAdmit, AlwaysDeny, AlwaysPullImages, LimitRanger, NamespaceExists, NamespaceLifecycle, ResourceQuota, ServiceAccount, …).' },
  { name: 'admission-control-config-file', type: 'string', default: '', help: 'File with admission control configuration.' },
  { name: 'ir-data-source', type: 'string', default: 'influxdb', noop: NOOP.initialResources, help: "Data source used by InitialResources. Supported options: influxdb, gcm." },
  { name: 'ir-dbname', type: 'string', default: 'k8s', noop: NOOP.initialResources, help: 'InfluxDB database name which contains metrics required by InitialResources.' },
  { name: 'ir-hawkular', type: 'string', default: '', noop: NOOP.initialResources, help: 'Hawkular configuration URL.' },
  { name: 'ir-influxdb-host', type: 'string', default: 'localhost:8080/api/v1/proxy/namespaces/kube-system/services/monitoring-influxdb:api', noop: NOOP.initialResources, help: 'Address of InfluxDB which contains metrics required by InitialResources.' },
  { name: 'ir-namespace-only', type: 'bool', default: false, noop: NOOP.initialResources, help: 'Whether the estimation should be made only based on data from the same namespace.' },
  { name: 'ir-password', type: 'string', default: 'root', secret: true, noop: NOOP.initialResources, help: 'Password used for connecting to InfluxDB.' },
  { name: 'ir-percentile', type: 'int', default: 90, noop: NOOP.initialResources, help: 'Which percentile of samples should InitialResources use when estimating resources. For experiment purposes.' },
  { name: 'ir-user', type: 'string', default: 'root', noop: NOOP.initialResources, help: 'User used for connecting to InfluxDB.' },
  // --- kubelet connections
  { name: 'kubelet-https', type: 'bool', default: true, help: 'Use https for kubelet connections.' },
  { name: 'kubelet-port', type: 'int', default: 10250, deprecated: 'kubelet-port is deprecated and will be removed.', help: 'The kubelet port (the port in the node status is used instead).' },
  { name: 'kubelet-timeout', type: 'duration', default: '5s', help: 'Timeout for kubelet operations.' },
  { name: 'kubelet-preferred-address-types', type: 'stringList', default: 'Hostname,InternalDNS,InternalIP,ExternalDNS,ExternalIP', help: 'List of the preferred NodeAddressTypes to use for kubelet connections.' },
  { name: 'kubelet-certificate-authority', type: 'string', default: '', help: 'Path to a cert file for the certificate authority.' },
  { name: 'kubelet-client-certificate', type: 'string', default: '', help: 'Path to a client cert file for TLS.' },
  { name: 'kubelet-client-key', type: 'string', default: '', help: 'Path to a client key file for TLS.' },
];

export const apiserverCommand: CommandSpec = {
  component: 'kube-apiserver',
  description:
    'The Kubernetes API server validates and configures data for the api objects which include pods, services, replicationcontrollers, and others. It serves REST operations and provides the frontend to the cluster\'s shared state; here it stores that state in an embedded sqlite file or in etcd v3.',
  flags,
};
