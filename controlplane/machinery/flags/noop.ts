/**
 * Why a flag does nothing in kubets: one sentence per family, shared by the
 * daemon tables so the logged lines read the same in every component.
 */
export const NOOP = {
  cloud: 'no cloud provider integration',
  initialResources: 'the InitialResources admission plugin (InfluxDB/Hawkular usage estimates) is not part of kubets',
  keystone: 'no Keystone authentication',
  ssh: 'no SSH tunnels to nodes (a cloud provider feature upstream)',
  cadvisor: 'kubets has no embedded cAdvisor; node and container stats come from Docker and /sys/fs/cgroup',
  cadvisorStorage: 'cAdvisor storage drivers (InfluxDB and others) are not part of kubets',
  rkt: 'the only container runtime is Docker',
  gpu: 'no GPU support',
  google: 'no Google Cloud credentials support',
  testing: 'an upstream testing knob',
  deserializationCache: 'objects are decoded per request; there is no deserialization cache',
  containerized: 'kubets runs the kubelet on the host only',
  loglevel: 'not a Kubernetes flag (the seed start-up script passes it); use --v',
} as const;
