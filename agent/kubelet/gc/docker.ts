/**
 * ImageService over the Docker engine. An image with several tags is
 * removed tag by tag (as dockershim's RemoveImage did; Docker refuses to
 * delete by id an image referenced by several repositories), a dangling one
 * by id; a 404 means someone else already removed it.
 */
import type Docker from 'dockerode';
import { dockerStatus } from '../runtime/docker/runtime.js';
import { statFs } from '../stats/fs.js';
import type { ImageInfo, ImageService } from './images.js';

export class DockerImageService implements ImageService {
  constructor(
    private readonly docker: Docker,
    /** Docker's data root (DockerRootDir). */
    private readonly dataRoot: () => Promise<string>,
  ) {}

  async listImages(): Promise<ImageInfo[]> {
    const list = await this.docker.listImages();
    return list.map((i) => ({ id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), size: i.Size ?? 0 }));
  }

  async imagesInUse(): Promise<Set<string>> {
    const list = await this.docker.listContainers({ all: true });
    return new Set(list.map((c) => c.ImageID).filter(Boolean));
  }

  async removeImage(img: ImageInfo): Promise<void> {
    const refs = img.tags.length ? img.tags : [img.id];
    for (const ref of refs) {
      try {
        await this.docker.getImage(ref).remove();
      } catch (e) {
        if (dockerStatus(e) !== 404) throw e;
      }
    }
  }

  async imageFs(): Promise<{ capacity: number; available: number } | undefined> {
    const fs = await statFs(await this.dataRoot());
    return fs ? { capacity: fs.capacityBytes, available: fs.availableBytes } : undefined;
  }
}
