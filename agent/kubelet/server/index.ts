/**
 * The kubelet's server (ports 10250 and 10255): container logs, exec,
 * attach and port-forward for the API server's proxy, plus /healthz, /pods,
 * /metrics and /spec. run.ts builds a KubeletServer with the runtime, a
 * RuntimeLocator and (for attach) a DockerAttacher.
 */
export { KubeletServer, cadvisorMachineInfo, matchStreamingRoute, type KubeletServerOptions, type KubeletServerTLS, type Listening, type MetricsSource } from './server.js';
export type { ContainerAttacher, ContainerLocator, LocatedContainer, PodsSource, ServerRuntime } from './types.js';
export { RuntimeLocator } from './locator.js';
export { DockerAttacher } from './attach.js';
export { HttpError } from './http.js';
export { netnsDialer, type PortDialer } from './portforward/dial.js';
export { servingCertificate, type ServingCert, type ServingCertOptions } from './tls.js';
