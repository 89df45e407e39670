/** agent/kubelet/prober: the ProberManager (types.ts) and the probes it runs. */
export { KubeletProberManager, type ProberManagerOptions, type UnhealthyHandler, type ChangeHandler, type ProbeFailureRecorder } from './manager.js';
export { Prober, resolveContainerPort, type ProberOptions } from './prober.js';
export { httpProbe, probeHeaders, probeURL, MAX_BODY_BYTES, type HttpProbeOptions } from './http.js';
export { tcpProbe } from './tcp.js';
export { execProbe } from './exec.js';
export { ResultsCache, probeKey, type CachedResult } from './results.js';
export { Worker, type WorkerHost } from './worker.js';
export { PROBE_DEFAULTS, probeTiming, kindTitle, type ProbeOutcome, type ProbeRequest, type ProbeRunner, type ProbeTiming } from './types.js';
