/** agent/kubelet/volumes: the VolumeManager on the node's disk (types.ts), and its parts. */
export { DiskVolumeManager, type VolumeManagerOptions } from './manager.js';
export { AtomicWriter, DATA_DIR, invalidPayloadPath, timestampPrefix, type FileProjection, type Payload } from './atomic_writer.js';
export { checkHostPathType, fileTypeOf, type FileType } from './hostpath.js';
export { SystemMounter, mountArgs, nfsSource, parseMountInfo, selectMountsUnder, type Mounter, type MountPoint } from './mounter.js';
export { PLUGIN, PodDirs, escapePluginName, type PluginName } from './paths.js';
export { resolveSubPath, SubPathError } from './subpath.js';
export { extractFieldPath, extractResourceValue, formatMap, goQuote } from './downward.js';
export {
  PayloadError,
  SERVICE_ACCOUNT_TOKEN_PLACEHOLDER,
  configMapPayload,
  downwardAPIPayload,
  projectedPayload,
  secretPayload,
} from './payload.js';
export {
  clientLookup,
  clusterClientLookup,
  clusterListerLookup,
  firstOf,
  firstOfCluster,
  listerLookup,
  type ClusterLookup,
  type NamespacedLookup,
  type VolumeSources,
} from './sources.js';
