/** autoscaling/v1 defaulting. Mutates. (The 80% CPU target is the controller's default, not the API's.) */
import { setDefault } from '../../defaulting.js';
import type { HorizontalPodAutoscaler } from './types.js';

export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  if (hpa.spec) setDefault(hpa.spec, 'minReplicas', 1);
}
