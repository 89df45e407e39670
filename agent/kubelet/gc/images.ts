/**
 * Image garbage collection (upstream images/image_gc_manager.go, v1.8).
 *
 * When the image filesystem is at or above --image-gc-high-threshold percent
 * used, unused images are deleted, least recently used first, until usage is
 * back to --image-gc-low-threshold. An image is used while any container
 * (running or not) refers to it; it must also have been known for
 * --minimum-image-ttl-duration (it may have just been pulled for a pod about
 * to start). The pod infra (pause) image is never deleted. Under disk
 * pressure the eviction manager asks for every unused image to go
 * (deleteUnusedImages).
 *
 * The engine may be shared (tests, a second kubelet): "in use" counts every
 * container on the engine, not only this kubelet's, and Docker refuses to
 * delete an image a container still needs anyway.
 */
import type { ObjectReference } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { EventRecorder } from '../../../controlplane/client/events.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { ResourceMetrics } from '../eviction/metrics.js';

export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

export interface ImageInfo {
  id: string;
  /** repo:tag names (none for a dangling image). */
  tags: string[];
  size: number;
}

/** What image GC needs from the runtime. */
export interface ImageService {
  listImages(): Promise<ImageInfo[]>;
  /** Image ids any container on the engine was created from. */
  imagesInUse(): Promise<Set<string>>;
  removeImage(img: ImageInfo): Promise<void>;
  /** The image filesystem's size and free bytes. */
  imageFs(): Promise<{ capacity: number; available: number } | undefined>;
}

export interface ImageRecord {
  id: string;
  size: number;
  /** When this kubelet first saw the image. */
  firstDetected: number;
  /** When it was last seen in use (firstDetected when never). */
  lastUsed: number;
}

export interface ImageGCPolicy {
  /** --image-gc-high-threshold / --image-gc-low-threshold, percent of the image fs. */
  highThresholdPercent: number;
  lowThresholdPercent: number;
  /** --minimum-image-ttl-duration */
  minAgeMs: number;
}

/** Upstream's validation of the policy; the message names the flags. */
export function validateImageGCPolicy(p: ImageGCPolicy): string | undefined {
  if (!Number.isInteger(p.highThresholdPercent) || p.highThresholdPercent < 0 || p.highThresholdPercent > 100) return `invalid value for --image-gc-high-threshold: ${p.highThresholdPercent}, must be in range [0-100]`;
  if (!Number.isInteger(p.lowThresholdPercent) || p.lowThresholdPercent < 0 || p.lowThresholdPercent > 100) return `invalid value for --image-gc-low-threshold: ${p.lowThresholdPercent}, must be in range [0-100]`;
  if (p.lowThresholdPercent > p.highThresholdPercent) return `--image-gc-low-threshold (${p.lowThresholdPercent}) can not be higher than --image-gc-high-threshold (${p.highThresholdPercent})`;
  if (p.minAgeMs < 0) return `invalid value for --minimum-image-ttl-duration: must not be negative`;
  return undefined;
}

/** Bytes to free: 0 below the high threshold, else enough to get down to the low one. */
export function imageBytesToFree(fs: { capacity: number; available: number }, p: Pick<ImageGCPolicy, 'highThresholdPercent' | 'lowThresholdPercent'>): number {
  if (fs.capacity <= 0) return 0;
  const usagePercent = 100 - Math.floor((fs.available * 100) / fs.capacity);
  if (usagePercent < p.highThresholdPercent) return 0;
  return Math.max(0, Math.floor((fs.capacity * (100 - p.lowThresholdPercent)) / 100) - fs.available);
}

/**
 * Which images to delete to free `bytesToFree`: unused and unprotected ones,
 * least recently used first (then first detected), skipping any younger
 * than minAge, until enough is freed. Pure.
 */
export function selectImagesToDelete(records: readonly ImageRecord[], inUse: ReadonlySet<string>, o: { now: number; minAgeMs: number; bytesToFree: number; isProtected?: (id: string) => boolean }): { ids: string[]; bytes: number } {
  const candidates = records.filter((r) => !inUse.has(r.id) && !o.isProtected?.(r.id)).sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || (a.id < b.id ? -1 : 1));
  const ids: string[] = [];
  let bytes = 0;
  for (const r of candidates) {
    if (bytes >= o.bytesToFree) break;
    if (r.lastUsed >= o.now) break;
    if (o.now - r.firstDetected < o.minAgeMs) continue;
    ids.push(r.id);
    bytes += r.size;
  }
  return { ids, bytes };
}

export interface ImageGCOptions {
  policy: ImageGCPolicy;
  images: ImageService;
  /** The pod infra image reference: never deleted. */
  podInfraImage: string;
  /** Not a flag: tests limit GC to the images they made (the engine is shared). */
  only?: (img: ImageInfo) => boolean;
  periodMs?: number;
  recorder: EventRecorder;
  nodeRef: ObjectReference;
  metrics?: ResourceMetrics;
  clock?: Clock;
  log: Logger;
}

export class ImageGCManager {
  private readonly clock: Clock;
  private readonly records = new Map<string, ImageRecord>();
  private infos = new Map<string, ImageInfo>();
  /** One pass at a time (the periodic one and the eviction manager's). */
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ImageGCOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** Refreshes the records: new images get firstDetected = now, used ones lastUsed = now. Returns the in-use set. */
  async detect(now: number): Promise<Set<string>> {
    const [list, inUse] = await Promise.all([this.o.images.listImages(), this.o.images.imagesInUse()]);
    const seen = new Set<string>();
    this.infos = new Map();
    for (const img of list) {
      seen.add(img.id);
      this.infos.set(img.id, img);
      let r = this.records.get(img.id);
      if (!r) this.records.set(img.id, (r = { id: img.id, size: img.size, firstDetected: now, lastUsed: now - 1 }));
      r.size = img.size;
      if (inUse.has(img.id)) r.lastUsed = now;
    }
    for (const id of this.records.keys()) if (!seen.has(id)) this.records.delete(id);
    return inUse;
  }

  private isProtected = (id: string): boolean => {
    const info = this.infos.get(id);
    if (!info) return true;
    if (info.tags.includes(this.o.podInfraImage) || id === this.o.podInfraImage) return true;
    return this.o.only ? !this.o.only(info) : false;
  };

  /** Frees up to bytesToFree; returns the bytes freed. */
  private freeSpace(bytesToFree: number): Promise<number> {
    const work = this.running.then(async () => {
      const now = this.clock.now();
      const inUse = await this.detect(now);
      const pick = selectImagesToDelete([...this.records.values()], inUse, { now, minAgeMs: this.o.policy.minAgeMs, bytesToFree, isProtected: this.isProtected });
      let freed = 0;
      for (const id of pick.ids) {
        const info = this.infos.get(id)!;
        try {
          this.o.log.info('image garbage collection: removing image', { image: id, tags: info.tags.join(','), size: info.size });
          await this.o.images.removeImage(info);
          freed += info.size;
          this.records.delete(id);
          this.o.metrics?.imagesRemoved.inc();
          this.o.metrics?.imageBytesFreed.inc(info.size);
        } catch (e) {
          this.o.log.warn('image garbage collection: cannot remove image', { image: id, err: (e as Error).message });
        }
      }
      return freed;
    });
    this.running = work.catch(() => undefined);
    return work;
  }

  /** One periodic pass (upstream GarbageCollect). */
  async garbageCollect(): Promise<void> {
    const fs = await this.o.images.imageFs();
    if (!fs) throw new Error('cannot read the image filesystem stats');
    if (fs.capacity <= 0) {
      const msg = `invalid capacity ${fs.capacity} on image filesystem`;
      this.o.recorder.event(this.o.nodeRef, 'Warning', 'InvalidDiskCapacity', msg);
      throw new Error(msg);
    }
    const need = imageBytesToFree(fs, this.o.policy);
    if (need <= 0) {
      // Keep the records' first-seen times current even when nothing is due.
      await this.detect(this.clock.now());
      return;
    }
    this.o.log.info('image garbage collection: disk usage is over the high threshold', { usedPercent: 100 - Math.floor((fs.available * 100) / fs.capacity), highThreshold: this.o.policy.highThresholdPercent, bytesToFree: need });
    const freed = await this.freeSpace(need);
    if (freed < need) {
      const msg = `failed to garbage collect required amount of images. Wanted to free ${need} bytes, but freed ${freed} bytes`;
      this.o.recorder.event(this.o.nodeRef, 'Warning', 'FreeDiskSpaceFailed', msg);
      throw new Error(msg);
    }
  }

  /** Every unused image old enough (the eviction manager's reclaim); the bytes freed. */
  deleteUnusedImages(): Promise<number> {
    return this.freeSpace(Number.POSITIVE_INFINITY);
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.periodMs ?? IMAGE_GC_PERIOD_MS;
    let failing = false;
    while (!signal.aborted) {
      try {
        await this.garbageCollect();
        failing = false;
      } catch (e) {
        if (!failing) {
          this.o.log.warn('image garbage collection failed', { err: (e as Error).message });
          this.o.recorder.event(this.o.nodeRef, 'Warning', 'ImageGCFailed', (e as Error).message);
        }
        failing = true;
      }
      await this.clock.sleep(period, signal);
    }
  }
}
