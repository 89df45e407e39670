/**
 * Why a node was rejected, worded as upstream's filter plugins word it, so
 * `kubectl describe pod` reads the same as on a stock cluster.
 */
export const reasons = {
  tooManyPods: 'Too many pods',
  insufficient: (resource: string) => `Insufficient ${resource}`,
  ports: "node(s) didn't have free ports for the requested pod ports",
  nodeSelector: "node(s) didn't match Pod's node affinity/selector",
  hostName: "node(s) didn't match the requested node name",
  untoleratedTaint: (taint: string) => `node(s) had untolerated taint ${taint}`,
  unschedulable: 'node(s) were unschedulable',
  notReady: 'node(s) were not ready',
  networkUnavailable: 'node(s) had network unavailable',
  memoryPressure: 'node(s) had memory pressure',
  diskPressure: 'node(s) had disk pressure',
  pidPressure: 'node(s) had pid pressure',
  volumeZone: 'node(s) had no available volume zone',
  volumeNodeAffinity: 'node(s) had volume node affinity conflict',
  unboundClaims: 'pod has unbound immediate PersistentVolumeClaims',
  claimNotFound: (name: string) => `persistentvolumeclaim "${name}" not found`,
  volumeNotFound: (name: string) => `persistentvolume "${name}" not found`,
  affinity: "node(s) didn't match pod affinity rules",
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
} as const;
