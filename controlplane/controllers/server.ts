/** The controller manager's status endpoint (--address/--port, 10252): the shared one of machinery/debug/statusserver.ts. */
export { startStatusServer as startServer, type RunningStatusServer as RunningServer, type StatusServerOptions as ServerOptions } from '../machinery/debug/statusserver.js';
