/** controlplane/client: the only way daemons see and change cluster state. */
export * from './types.js';
export * from './clock.js';
export * from './ratelimit.js';
export * from './errors.js';
export * from './kubeconfig.js';
export * from './interfaces.js';
export * from './resources.js';
export * from './paths.js';
export { Transport, type TransportOptions, type RawResponse } from './transport.js';
export * from './rest.js';
export * from './indexer.js';
export * from './informer.js';
export * from './factory.js';
export * from './workqueue.js';
export * from './leaderelection.js';
export * from './events.js';
