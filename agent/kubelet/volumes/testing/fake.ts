/**
 * Test doubles for the volume seams: FakeMounter (records mounts, mounts
 * nothing), FakeVolumeSources (objects in maps), and FakeVolumeManager for
 * tests of code that only calls the VolumeManager (pod workers).
 */
import { mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret } from '../../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../../controlplane/client/index.js';
import { VolumeError, type MountedVolume, type VolumeManager } from '../../types.js';
import type { Mounter, MountPoint } from '../mounter.js';
import { mountArgs } from '../mounter.js';
import type { ClusterLookup, NamespacedLookup, VolumeSources } from '../sources.js';

export class FakeMounter implements Mounter {
  readonly mounted: MountPoint[] = [];
  /** Every mount(8) argument vector, in order. */
  readonly calls: string[][] = [];
  readonly unmounts: string[] = [];
  /** Set to make the next mount fail with this message. */
  failNext?: string;
  /** Targets whose unmount fails (device busy). */
  readonly busy = new Set<string>();

  async mount(source: string, target: string, fstype: string, options: readonly string[]): Promise<void> {
    this.calls.push(mountArgs(source, target, fstype, options));
    if (this.failNext) {
      const msg = this.failNext;
      this.failNext = undefined;
      throw new Error(msg);
    }
    this.mounted.push({ target: await realpath(target), fstype, source, superOptions: options.join(',') });
  }

  async unmount(target: string): Promise<void> {
    this.unmounts.push(target);
    if (this.busy.has(target)) throw new Error(`umount: ${target}: target is busy`);
    const i = this.mounted.findIndex((m) => m.target === target);
    if (i < 0) throw new Error(`umount: ${target}: not mounted`);
    this.mounted.splice(i, 1);
  }

  async mountsUnder(dir: string): Promise<MountPoint[]> {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return [];
    }
    return this.mounted
      .filter((m) => m.target === real || m.target.startsWith(real + sep))
      .sort((a, b) => b.target.length - a.target.length);
  }
}

class MapLookup<T> implements NamespacedLookup<T> {
  readonly objects = new Map<string, T>();
  gets = 0;
  async get(namespace: string, name: string): Promise<DeepReadonly<T> | undefined> {
    this.gets++;
    return this.objects.get(`${namespace}/${name}`) as DeepReadonly<T> | undefined;
  }
}

class ClusterMapLookup<T> implements ClusterLookup<T> {
  readonly objects = new Map<string, T>();
  async get(name: string): Promise<DeepReadonly<T> | undefined> {
    return this.objects.get(name) as DeepReadonly<T> | undefined;
  }
}

type Named = { metadata: { name?: string; namespace?: string } };

/** VolumeSources over maps; put()/remove() change what the next lookup sees. */
export class FakeVolumeSources implements VolumeSources {
  readonly configMaps = new MapLookup<ConfigMap>();
  readonly secrets = new MapLookup<Secret>();
  readonly persistentVolumeClaims = new MapLookup<PersistentVolumeClaim>();
  readonly persistentVolumes = new ClusterMapLookup<PersistentVolume>();

  private key(o: Named): string {
    return `${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;
  }

  putConfigMap(cm: ConfigMap): void {
    this.configMaps.objects.set(this.key(cm), cm);
  }
  putSecret(s: Secret): void {
    this.secrets.objects.set(this.key(s), s);
  }
  putClaim(c: PersistentVolumeClaim): void {
    this.persistentVolumeClaims.objects.set(this.key(c), c);
  }
  putVolume(pv: PersistentVolume): void {
    this.persistentVolumes.objects.set(pv.metadata.name ?? '', pv);
  }
  removeConfigMap(namespace: string, name: string): void {
    this.configMaps.objects.delete(`${namespace}/${name}`);
  }
  removeSecret(namespace: string, name: string): void {
    this.secrets.objects.delete(`${namespace}/${name}`);
  }
}

/**
 * A VolumeManager that makes an empty directory per volume under root and
 * records every call. failVolume(name, message) makes setUp fail for that
 * volume the way a missing ConfigMap does.
 */
export class FakeVolumeManager implements VolumeManager {
  readonly calls: string[] = [];
  private readonly failures = new Map<string, string>();
  private readonly pods = new Set<string>();

  constructor(private readonly root: string) {}

  failVolume(name: string, message: string): void {
    this.failures.set(name, message);
  }
  clearFailure(name: string): void {
    this.failures.delete(name);
  }

  async setUpPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata.uid ?? '';
    this.calls.push(`setUp ${uid}`);
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      const msg = this.failures.get(v.name);
      if (msg) throw new VolumeError(v.name, 'FailedMount', msg);
      if (v.hostPath) {
        out.set(v.name, { hostPath: v.hostPath.path, readOnly: false });
        continue;
      }
      const dir = join(this.root, 'pods', uid, 'volumes', v.name);
      await mkdir(dir, { recursive: true });
      out.set(v.name, { hostPath: dir, readOnly: Boolean(v.configMap || v.secret || v.downwardAPI || v.projected) });
    }
    this.pods.add(uid);
    return out;
  }

  async refresh(pod: Pod): Promise<void> {
    this.calls.push(`refresh ${pod.metadata.uid ?? ''}`);
  }

  async tearDownPodVolumes(podUID: string): Promise<void> {
    this.calls.push(`tearDown ${podUID}`);
    this.pods.delete(podUID);
  }

  async podsOnDisk(): Promise<string[]> {
    return [...this.pods].sort();
  }
}
