/**
 * DiskVolumeManager: the kubelet's VolumeManager (types.ts) on the local
 * disk, in upstream's layout under --root-dir (see paths.ts).
 *
 * Design notes
 * - One function per volume source; each returns the host path the runtime
 *   bind-mounts. emptyDir and the atomic-writer volumes (configMap, secret,
 *   downwardAPI, projected) get a directory under the pod; hostPath and
 *   hostPath/local PersistentVolumes are the host's own path; nfs is mounted
 *   under the pod.
 * - Memory-backed volumes are real tmpfs mounts: emptyDir with medium
 *   Memory (size= from sizeLimit), and, as upstream, every secret and
 *   projected volume, so secret bytes never touch the node's disk.
 * - configMap/secret/downwardAPI/projected content is written by the
 *   AtomicWriter, so `refresh` can swap a new version in while containers
 *   read. refresh is called on every pod sync: it looks the sources up (an
 *   informer cache in production), builds a short version key (uid +
 *   resourceVersion of each object; the rendered values for downward API
 *   fields) and returns without touching the disk when the key is the one
 *   last written. After a kubelet restart the first refresh rewrites through
 *   the AtomicWriter, which itself skips identical content.
 * - A missing ConfigMap, Secret, PVC or PV is a VolumeError with upstream's
 *   event message (`MountVolume.SetUp failed for volume "x" : configmap "y"
 *   not found`); the pod waits and the kubelet retries on its next sync.
 *   refresh keeps the last good content when a source disappears.
 * - Teardown unmounts everything mounted below the pod's directory (deepest
 *   first), refuses to delete while anything is still mounted there (an
 *   rm -rf through a live nfs mount would delete the server's files), then
 *   removes the whole pod directory.
 * - Not done here, deliberately: emptyDir sizeLimit on disk is enforced by
 *   eviction upstream, not by the mount; fsGroup ownership; SELinux labels.
 *
 * Concurrency: every operation on one pod holds that pod's lock; pods are
 * independent.
 */
import { existsSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { chmod, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  ConfigMap,
  Pod,
  ResourceList,
  Secret,
  Volume,
} from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/index.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';
import { VolumeError, type MountedVolume, type VolumeManager } from '../types.js';
import { AtomicWriter, type Payload } from './atomic_writer.js';
import { checkHostPathType } from './hostpath.js';
import { KeyedMutex } from './lock.js';
import { SystemMounter, nfsSource, type Mounter } from './mounter.js';
import { PLUGIN, PodDirs, type PluginName } from './paths.js';
import { PayloadError, configMapPayload, downwardAPIPayload, projectedPayload, secretPayload } from './payload.js';
import type { VolumeSources } from './sources.js';

export interface VolumeManagerOptions {
  /** --root-dir, e.g. /var/lib/kubelet. */
  rootDir: string;
  sources: VolumeSources;
  /** Default: mount(8)/umount(8) and /proc/self/mountinfo. */
  mounter?: Mounter;
  log?: Logger;
  /** The node's allocatable, for resourceFieldRef limits a container leaves unset. */
  nodeAllocatable?: () => DeepReadonly<ResourceList> | undefined;
  /** Clock for the AtomicWriter's directory names. */
  now?: () => Date;
}

type ReadonlyPod = DeepReadonly<Pod>;
type ReadonlyVolume = DeepReadonly<Volume>;

/** A volume's content as of now: a short key saying which version it is, and how to build it. */
interface Projection {
  key: string;
  build(): Payload;
}

/** Volumes whose content comes from the API and is refreshed. */
const PROJECTED_KINDS = ['configMap', 'secret', 'downwardAPI', 'projected'] as const;
type ProjectedKind = (typeof PROJECTED_KINDS)[number];

function projectedKind(v: ReadonlyVolume): ProjectedKind | undefined {
  return PROJECTED_KINDS.find((k) => v[k] !== undefined && v[k] !== null);
}

function pluginOf(kind: ProjectedKind): PluginName {
  return PLUGIN[kind];
}

/** Secrets and projected volumes (which may hold secrets and tokens) live on tmpfs, as upstream. */
function onTmpfs(kind: ProjectedKind): boolean {
  return kind === 'secret' || kind === 'projected';
}

/** Which version of an object this is: uid + resourceVersion, or its content when a fake has no resourceVersion. */
function objectVersion(o: DeepReadonly<ConfigMap> | DeepReadonly<Secret> | undefined): string {
  if (!o) return 'absent';
  const rv = o.metadata.resourceVersion;
  if (rv) return `${o.metadata.uid ?? ''}@${rv}`;
  const bin = 'binaryData' in o ? o.binaryData : undefined;
  return JSON.stringify([o.data ?? {}, bin ?? {}]);
}

function payloadKey(p: Payload): string {
  const parts: string[] = [];
  for (const [path, f] of [...p].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    parts.push(`${path}:${f.mode.toString(8)}:${f.data.toString('base64')}`);
  }
  return parts.join('|');
}

function mountFailed(volume: string, detail: string): VolumeError {
  return new VolumeError(volume, 'FailedMount', `MountVolume.SetUp failed for volume ${JSON.stringify(volume)} : ${detail}`);
}

export class DiskVolumeManager implements VolumeManager {
  // Immutable after construction.
  private readonly dirs: PodDirs;
  private readonly sources: VolumeSources;
  private readonly mounter: Mounter;
  private readonly log?: Logger;
  private readonly nodeAllocatable: () => DeepReadonly<ResourceList> | undefined;
  private readonly now: () => Date;
  private readonly locks = new KeyedMutex();
  // Guarded by the pod's lock: pod UID → volume name → version key last written.
  private readonly written = new Map<string, Map<string, string>>();

  constructor(opts: VolumeManagerOptions) {
    this.dirs = new PodDirs(opts.rootDir);
    this.sources = opts.sources;
    this.mounter = opts.mounter ?? new SystemMounter();
    this.log = opts.log;
    this.nodeAllocatable = opts.nodeAllocatable ?? (() => undefined);
    this.now = opts.now ?? (() => new Date());
  }

  /** Where a pod's volume of the given plugin lives (for tests and the runtime's diagnostics). */
  volumeDir(podUID: string, plugin: PluginName, name: string): string {
    return this.dirs.volumeDir(podUID, plugin, name);
  }

  /**
   * Prepares every volume; idempotent (safe on every sync). Every volume is
   * attempted; the first failure is thrown after the others were set up, so
   * one missing ConfigMap does not hold back the rest.
   */
  async setUpPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata.uid ?? '';
    return this.locks.run(uid, async () => {
      await this.ensurePodDir(uid);
      const out = new Map<string, MountedVolume>();
      let first: unknown;
      for (const v of pod.spec?.volumes ?? []) {
        try {
          out.set(v.name, await this.setUpVolume(pod, v));
        } catch (e) {
          first ??= e;
        }
      }
      if (first) throw first;
      return out;
    });
  }

  async refresh(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    await this.locks.run(uid, async () => {
      let first: unknown;
      for (const v of pod.spec?.volumes ?? []) {
        const kind = projectedKind(v);
        if (!kind) continue;
        const dir = this.dirs.volumeDir(uid, pluginOf(kind), v.name);
        const last = this.written.get(uid)?.get(v.name);
        // Never set up (by this process or before a restart): setUpPodVolumes owns the first write.
        if (last === undefined && !(await exists(dir))) continue;
        try {
          const proj = await this.projection(pod, v, kind);
          if (proj.key === last) continue;
          await this.writeProjection(uid, v.name, dir, proj);
        } catch (e) {
          // The previous content stays; the error surfaces so the kubelet can record an event.
          this.log?.v(2).info('volume refresh failed; keeping the previous content', { pod: pod.metadata.name, volume: v.name, err: String(e) });
          first ??= e;
        }
      }
      if (first) throw first;
    });
  }

  holdsVolumes(podUID: string): boolean {
    return existsSync(this.dirs.volumesDir(podUID));
  }

  async releaseVolumes(podUID: string): Promise<void> {
    const dir = this.dirs.volumesDir(podUID);
    if (!existsSync(dir)) return;
    await this.locks.run(podUID, () => this.unmountAndRemove(dir, podUID));
  }

  async tearDownPodVolumes(podUID: string): Promise<void> {
    await this.locks.run(podUID, () => this.unmountAndRemove(this.dirs.podDir(podUID), podUID));
  }

  private async unmountAndRemove(podDir: string, podUID: string): Promise<void> {
    {
      // Deepest first; a second pass catches a path mounted twice.
      for (let pass = 0; pass < 3; pass++) {
        const mounts = await this.mounter.mountsUnder(podDir);
        if (mounts.length === 0) break;
        for (const m of mounts) {
          try {
            await this.mounter.unmount(m.target);
          } catch (e) {
            this.log?.warn('unmount failed', { path: m.target, err: String(e) });
          }
        }
      }
      const left = await this.mounter.mountsUnder(podDir);
      if (left.length > 0) {
        // Deleting through a live mount would delete what it points at (an nfs export): never do that.
        throw new Error(`cannot remove ${podDir}: still mounted: ${left.map((m) => m.target).join(', ')}`);
      }
      await rm(podDir, { recursive: true, force: true });
      this.written.delete(podUID);
    }
  }

  async podsOnDisk(): Promise<string[]> {
    let ents: Dirent[];
    try {
      ents = await readdir(this.dirs.podsDir(), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return ents.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }

  // ---- per source ------------------------------------------------------------

  private async setUpVolume(pod: ReadonlyPod, v: ReadonlyVolume): Promise<MountedVolume> {
    const uid = pod.metadata.uid ?? '';
    const kind = projectedKind(v);
    if (kind) {
      const dir = this.dirs.volumeDir(uid, pluginOf(kind), v.name);
      await this.ensureDir(v.name, dir, 0o755, onTmpfs(kind) ? [] : undefined);
      let proj: Projection;
      try {
        proj = await this.projection(pod, v, kind);
      } catch (e) {
        throw e instanceof VolumeError ? e : mountFailed(v.name, (e as Error).message);
      }
      // setUp runs on every sync too: skip the write (and its read-back) when this version is on disk already.
      if (proj.key !== this.written.get(uid)?.get(v.name)) await this.writeProjection(uid, v.name, dir, proj);
      // API data is mounted read-only, as upstream does since 1.9.4.
      return { hostPath: dir, readOnly: true };
    }
    if (v.hostPath) {
      try {
        await checkHostPathType(v.hostPath.path, v.hostPath.type);
      } catch (e) {
        throw mountFailed(v.name, (e as Error).message);
      }
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) return this.setUpClaim(pod, v);
    if (v.nfs) {
      const dir = this.dirs.volumeDir(uid, PLUGIN.nfs, v.name);
      await this.mountNfs(v.name, dir, v.nfs.server, v.nfs.path, v.nfs.readOnly === true, []);
      return { hostPath: dir, readOnly: v.nfs.readOnly === true };
    }
    if (v.emptyDir || !this.hasAnySource(v)) return this.setUpEmptyDir(uid, v);
    const source = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    throw mountFailed(v.name, `volume source ${source} is not supported by this kubelet`);
  }

  private hasAnySource(v: ReadonlyVolume): boolean {
    return Object.entries(v).some(([k, val]) => k !== 'name' && val !== undefined && val !== null);
  }

  private async setUpEmptyDir(uid: string, v: ReadonlyVolume): Promise<MountedVolume> {
    const dir = this.dirs.volumeDir(uid, PLUGIN.emptyDir, v.name);
    const medium = v.emptyDir?.medium ?? '';
    if (medium === 'Memory') {
      const opts: string[] = [];
      if (v.emptyDir?.sizeLimit) {
        const q = Quantity.tryParse(v.emptyDir.sizeLimit);
        if (!q) throw mountFailed(v.name, `invalid sizeLimit ${JSON.stringify(v.emptyDir.sizeLimit)}`);
        if (q.sign() > 0) opts.push(`size=${q.value()}`);
      }
      await this.ensureDir(v.name, dir, 0o777, opts);
    } else if (medium === '') {
      await this.ensureDir(v.name, dir, 0o777, undefined);
    } else {
      throw mountFailed(v.name, `emptyDir medium ${JSON.stringify(medium)} is not supported`);
    }
    return { hostPath: dir, readOnly: false };
  }

  /** A PVC: the bound PV's hostPath or local path as is, or its nfs export mounted under the pod. */
  private async setUpClaim(pod: ReadonlyPod, v: ReadonlyVolume): Promise<MountedVolume> {
    const ns = pod.metadata.namespace ?? 'default';
    const claimName = v.persistentVolumeClaim!.claimName;
    const claim = await this.sources.persistentVolumeClaims.get(ns, claimName);
    if (!claim) throw mountFailed(v.name, `persistentvolumeclaim ${JSON.stringify(claimName)} not found`);
    if (claim.metadata.deletionTimestamp) throw mountFailed(v.name, `can't start pod because PVC ${ns}/${claimName} is being deleted`);
    const pvName = claim.spec?.volumeName ?? '';
    const phase = claim.status?.phase ?? '';
    if (phase !== 'Bound' || !pvName) {
      throw mountFailed(v.name, `PVC ${ns}/${claimName} has non-bound phase (${JSON.stringify(phase)}) or empty pvc.Spec.VolumeName (${JSON.stringify(pvName)})`);
    }
    const pv = await this.sources.persistentVolumes.get(pvName);
    if (!pv) throw mountFailed(v.name, `persistentvolume ${JSON.stringify(pvName)} not found`);
    const ref = pv.spec?.claimRef;
    if (ref?.uid && claim.metadata.uid && ref.uid !== claim.metadata.uid) {
      throw mountFailed(v.name, `found PV object ${JSON.stringify(pvName)} but its ClaimRef UID does not point to PVC ${ns}/${claimName}`);
    }
    const readOnly = v.persistentVolumeClaim!.readOnly === true;
    const spec = pv.spec ?? {};
    if (spec.hostPath) {
      try {
        await checkHostPathType(spec.hostPath.path, spec.hostPath.type);
      } catch (e) {
        throw mountFailed(pvName, (e as Error).message);
      }
      return { hostPath: spec.hostPath.path, readOnly };
    }
    if (spec.local) {
      if (!(await exists(spec.local.path))) throw mountFailed(pvName, `path ${JSON.stringify(spec.local.path)} does not exist`);
      return { hostPath: spec.local.path, readOnly };
    }
    if (spec.nfs) {
      const dir = this.dirs.volumeDir(pod.metadata.uid ?? '', PLUGIN.nfs, pvName);
      const ro = readOnly || spec.nfs.readOnly === true;
      await this.mountNfs(pvName, dir, spec.nfs.server, spec.nfs.path, ro, spec.mountOptions ?? []);
      return { hostPath: dir, readOnly: ro };
    }
    throw mountFailed(pvName, `persistentvolume ${JSON.stringify(pvName)} has no source this kubelet can mount (hostPath, local, nfs)`);
  }

  /** mount -t nfs server:path dir, options as upstream joins them (user options + ro, de-duplicated, sorted). */
  private async mountNfs(volume: string, dir: string, server: string, path: string, readOnly: boolean, mountOptions: readonly string[]): Promise<void> {
    const opts = new Set(mountOptions.filter((o) => o.length > 0));
    if (readOnly) opts.add('ro');
    await mkdir(dirname(dir), { recursive: true, mode: 0o750 });
    await mkdir(dir, { recursive: true, mode: 0o750 });
    if (await this.isMountPoint(dir)) return;
    try {
      await this.mounter.mount(nfsSource(server, path), dir, 'nfs', [...opts].sort());
    } catch (e) {
      throw mountFailed(volume, `mount failed: ${(e as Error).message}`);
    }
  }

  // ---- content ---------------------------------------------------------------

  /** Looks up the sources of a configMap/secret/downwardAPI/projected volume; throws VolumeError when asking fails. */
  private async projection(pod: ReadonlyPod, v: ReadonlyVolume, kind: ProjectedKind): Promise<Projection> {
    const ns = pod.metadata.namespace ?? 'default';
    switch (kind) {
      case 'configMap': {
        const src = v.configMap!;
        const name = src.name ?? '';
        const cm = await this.sources.configMaps.get(ns, name);
        return { key: `cm:${objectVersion(cm)}`, build: () => configMapPayload(name, cm, src, src.defaultMode) };
      }
      case 'secret': {
        const src = v.secret!;
        const name = src.secretName ?? '';
        const s = await this.sources.secrets.get(ns, name);
        return { key: `secret:${objectVersion(s)}`, build: () => secretPayload(name, s, src, src.defaultMode) };
      }
      case 'downwardAPI': {
        const src = v.downwardAPI!;
        return eager(() => downwardAPIPayload(pod, src.items, src.defaultMode, this.nodeAllocatable()));
      }
      case 'projected': {
        const src = v.projected!;
        const configMaps = new Map<string, DeepReadonly<ConfigMap> | undefined>();
        const secrets = new Map<string, DeepReadonly<Secret> | undefined>();
        let hasDownward = false;
        for (const s of src.sources ?? []) {
          if (s.configMap) configMaps.set(s.configMap.name ?? '', await this.sources.configMaps.get(ns, s.configMap.name ?? ''));
          if (s.secret) secrets.set(s.secret.name ?? '', await this.sources.secrets.get(ns, s.secret.name ?? ''));
          if (s.downwardAPI) hasDownward = true;
        }
        const inputs = { configMaps, secrets, nodeAllocatable: this.nodeAllocatable() };
        const build = () => projectedPayload(pod, src.sources, src.defaultMode, inputs);
        // With downward API fields the rendered content is the version; otherwise the objects' versions are.
        if (hasDownward) return eager(build);
        const parts = [...configMaps.values()].map(objectVersion).concat([...secrets.values()].map(objectVersion));
        return { key: `projected:${parts.join(',')}`, build };
      }
    }
  }

  private async writeProjection(uid: string, volume: string, dir: string, proj: Projection): Promise<void> {
    let payload: Payload;
    try {
      payload = proj.build();
    } catch (e) {
      if (e instanceof PayloadError) throw mountFailed(volume, e.message);
      throw e;
    }
    try {
      await new AtomicWriter(dir, this.now).write(payload);
    } catch (e) {
      throw mountFailed(volume, (e as Error).message);
    }
    let m = this.written.get(uid);
    if (!m) this.written.set(uid, (m = new Map()));
    m.set(volume, proj.key);
  }

  // ---- directories and mounts ------------------------------------------------

  private async ensurePodDir(uid: string): Promise<void> {
    await mkdir(this.dirs.podsDir(), { recursive: true, mode: 0o750 });
    await mkdir(this.dirs.volumesDir(uid), { recursive: true, mode: 0o750 });
  }

  /**
   * mkdir -p dir; with tmpfsOptions, a tmpfs is mounted on it unless one
   * already is (idempotent across syncs and kubelet restarts). mode is set
   * after the mount, on the tmpfs root, whatever the umask.
   */
  private async ensureDir(volume: string, dir: string, mode: number, tmpfsOptions: string[] | undefined): Promise<void> {
    // The plugin directory stays private; only the volume itself gets the volume's mode.
    await mkdir(dirname(dir), { recursive: true, mode: 0o750 });
    await mkdir(dir, { recursive: true, mode });
    if (tmpfsOptions && !(await this.isMountPoint(dir))) {
      try {
        await this.mounter.mount('tmpfs', dir, 'tmpfs', tmpfsOptions);
      } catch (e) {
        throw mountFailed(volume, `mount failed: ${(e as Error).message}`);
      }
    }
    await chmod(dir, mode);
  }

  private async isMountPoint(dir: string): Promise<boolean> {
    const real = await realpath(dir);
    return (await this.mounter.mountsUnder(dir)).some((m) => m.target === real);
  }
}

/** A projection whose content is computed now; its key is the content (or the error). */
function eager(build: () => Payload): Projection {
  try {
    const p = build();
    return { key: `content:${payloadKey(p)}`, build: () => p };
  } catch (e) {
    return {
      key: `error:${(e as Error).message}`,
      build: () => {
        throw e;
      },
    };
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
