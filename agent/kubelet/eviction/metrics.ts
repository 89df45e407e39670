/**
 * The kubelet's resource-management metrics on its /metrics: evictions per
 * signal (upstream `kubelet_evictions{eviction_signal}`), and what image and
 * container garbage collection removed. Registered on the registry the
 * kubelet's server renders, one per kubelet instance (tests run several).
 */
import { Counter, type Registry } from 'prom-client';

export class ResourceMetrics {
  readonly evictions: Counter<'eviction_signal'>;
  readonly imagesRemoved: Counter;
  readonly imageBytesFreed: Counter;
  readonly containersRemoved: Counter<'reason'>;

  constructor(registry: Registry) {
    this.evictions = new Counter({ name: 'kubelet_evictions', help: 'Cumulative number of pod evictions by eviction signal', labelNames: ['eviction_signal'], registers: [registry] });
    this.imagesRemoved = new Counter({ name: 'kubelet_image_garbage_collected_total', help: 'Total number of images garbage collected by the kubelet', registers: [registry] });
    this.imageBytesFreed = new Counter({ name: 'kubelet_image_garbage_collected_bytes_total', help: 'Total size in bytes of the images garbage collected by the kubelet', registers: [registry] });
    this.containersRemoved = new Counter({ name: 'kubelet_container_garbage_collected_total', help: 'Total number of dead containers removed by the kubelet, by cause (policy: the GC limits; eviction: reclaiming disk)', labelNames: ['reason'], registers: [registry] });
  }
}
