/** metrics.k8s.io/v1beta1 served natively by kube-apiserver (no aggregation): `kubectl top`. */
export { MetricsApi, isMetricsPath, type MetricsApiOptions, type MetricsObjects } from './handler.js';
export { withMetricsDiscovery, metricsGroupDoc, metricsResourceList, METRICS_RESOURCES } from './discovery.js';
export { nodeMetrics, podMetrics, METRICS_GROUP, METRICS_VERSION, METRICS_API_VERSION, type Summary, type NodeMetrics, type PodMetrics } from './convert.js';
export { formatCPU, formatMemory } from './quantity.js';
