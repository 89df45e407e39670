/**
 * StatsRuntime over the Docker engine: the node's containers from the
 * runtime, each container's writable layer (overlay2 UpperDir) and json log
 * file from one inspect (remembered: they never change), the image
 * filesystem from `docker info` (DockerRootDir) and the images' total size
 * (re-listed at most every imagesPeriodMs).
 */
import type Docker from 'dockerode';
import type { RuntimeContainer } from '../types.js';
import type { StatsRuntime } from './provider.js';

export class DockerStatsRuntime implements StatsRuntime {
  private readonly files = new Map<string, { upperDir?: string; logPath?: string }>();
  private root?: string;
  private images?: { at: number; bytes: number };

  constructor(
    private readonly docker: Docker,
    private readonly listContainers: () => Promise<RuntimeContainer[]>,
    private readonly imagesPeriodMs = 30_000,
  ) {}

  async list(): Promise<RuntimeContainer[]> {
    const list = await this.listContainers();
    const ids = new Set(list.map((c) => c.id));
    for (const id of this.files.keys()) if (!ids.has(id)) this.files.delete(id);
    return list;
  }

  async containerFiles(id: string): Promise<{ upperDir?: string; logPath?: string } | undefined> {
    const known = this.files.get(id);
    if (known) return known;
    const i = await this.docker.getContainer(id).inspect();
    const data = i.GraphDriver?.Data as { UpperDir?: string } | undefined;
    const f = { upperDir: data?.UpperDir || undefined, logPath: i.LogPath || undefined };
    this.files.set(id, f);
    return f;
  }

  /** Docker's data root (DockerRootDir), asked once. */
  async dataRoot(): Promise<string> {
    if (!this.root) this.root = ((await this.docker.info()) as { DockerRootDir?: string }).DockerRootDir || '/var/lib/docker';
    return this.root;
  }

  async imageFs(): Promise<{ root: string; imagesBytes: number }> {
    const root = await this.dataRoot();
    const now = Date.now();
    if (!this.images || now - this.images.at >= this.imagesPeriodMs) {
      const list = await this.docker.listImages();
      this.images = { at: now, bytes: list.reduce((a, i) => a + (i.Size ?? 0), 0) };
    }
    return { root, imagesBytes: this.images.bytes };
  }
}
