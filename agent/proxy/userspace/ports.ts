/**
 * Proxy ports for the userspace mode (--proxy-port-range). With a range,
 * ports are handed out from it starting at a random offset (v1.8's
 * rangeAllocator picks randomly too, so restarts do not reuse ports that may
 * still be in TIME_WAIT); without one (0-0) the kernel picks (port 0).
 */
import type { PortRange } from '../../../controlplane/machinery/flags/types.js';

export class PortsExhaustedError extends Error {
  readonly code = 'PortsExhausted';
  constructor(range: PortRange) {
    super(`no free port in --proxy-port-range ${range.base}-${range.base + range.size - 1}`);
    this.name = 'PortsExhaustedError';
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();

  constructor(
    private readonly range: PortRange,
    private readonly rand: () => number = Math.random,
  ) {}

  get hasRange(): boolean {
    return this.range.size > 0;
  }

  /** A free port of the range, marked used; 0 (kernel's choice) without a range. */
  allocate(): number {
    if (!this.hasRange) return 0;
    const start = Math.floor(this.rand() * this.range.size);
    for (let i = 0; i < this.range.size; i++) {
      const p = this.range.base + ((start + i) % this.range.size);
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    throw new PortsExhaustedError(this.range);
  }

  /** Marks a port the kernel chose (or one found busy) so it is released later. */
  release(port: number): void {
    this.used.delete(port);
  }
}
