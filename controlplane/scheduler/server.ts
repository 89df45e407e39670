/** The scheduler's status endpoint (--address/--port, 10251): the shared one of machinery/debug/statusserver.ts. */
export { startStatusServer as startServer, type RunningStatusServer as RunningServer, type StatusServerOptions as ServerOptions } from '../machinery/debug/statusserver.js';
