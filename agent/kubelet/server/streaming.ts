/**
 * The streaming routes, served on upgraded connections: exec and attach
 * (WebSocket or SPDY) and port-forward (SPDY, or SPDY tunnelled in a
 * WebSocket). Everything that can fail before the upgrade — bad options, an
 * unknown pod or container, no common protocol — is answered with a plain
 * HTTP error on the socket, which kubectl shows as "unable to upgrade
 * connection: …" (a failed WebSocket upgrade makes kubectl 1.30+ retry with
 * SPDY, which then reports the same error).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { HttpError, rawResponse, rawStatus } from './http.js';
import { findPod } from './logs.js';
import type { PortDialer } from './portforward/dial.js';
import { PORT_FORWARD_PROTOCOL, servePortForward } from './portforward/spdy.js';
import { SPDY_PROTOCOLS, WS_PROTOCOLS, exitCodeStatus, internalErrorStatus, parseRemoteCommandOptions, successStatus, type ExecStatus, type RemoteCommandOptions } from './remotecommand/protocol.js';
import { spdyRemoteStreams } from './remotecommand/spdy.js';
import type { RemoteStreams } from './remotecommand/streams.js';
import { wsRemoteStreams } from './remotecommand/ws.js';
import { isSpdyRequest, negotiateStreamProtocol, writeSpdyAccept } from './spdy/upgrade.js';
import type { ContainerAttacher, ContainerLocator, PodsSource, ServerRuntime } from './types.js';
import { WebSocketConn } from './websocket/conn.js';
import { checkHandshake, headerList, isWebSocketRequest, negotiateSubprotocol, writeWsAccept } from './websocket/handshake.js';
import { WebSocketByteStream } from './websocket/stream.js';

/** The WebSocket subprotocol of SPDY tunnelled port-forward (client-go WebsocketsSPDYTunnelingPrefix + protocol). */
export const TUNNELED_PORT_FORWARD = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export interface StreamingDeps {
  runtime: ServerRuntime;
  locator: ContainerLocator;
  pods: PodsSource;
  attacher?: ContainerAttacher;
  dialer: PortDialer;
  /** Upstream's streamCreationTimeout: how long a client has to open its streams. */
  streamCreationTimeoutMs: number;
  /** --streaming-connection-idle-timeout; 0 disables. */
  idleTimeoutMs: number;
  log: Logger;
}

/** Drops the connection after `ms` without traffic either way (net.Socket and TLSSocket have setTimeout). */
function applyIdleTimeout(socket: Duplex, ms: number): void {
  const s = socket as Duplex & { setTimeout?: (ms: number, cb: () => void) => void };
  if (ms > 0 && s.setTimeout) s.setTimeout(ms, () => socket.destroy());
}

function describeError(e: unknown): { code: number; message: string } {
  if (e instanceof HttpError) return { code: e.code, message: e.message };
  return { code: 500, message: (e as Error).message ?? String(e) };
}

/**
 * Upgrades to WebSocket or SPDY and returns the session's streams, or
 * answers the socket with an error and returns undefined.
 */
async function upgradeRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, deps: StreamingDeps): Promise<RemoteStreams | undefined> {
  if (isWebSocketRequest(req)) {
    const hs = checkHandshake(req);
    if (!hs.ok) {
      rawStatus(socket, hs.code, hs.message);
      return undefined;
    }
    const offered = headerList(req, 'sec-websocket-protocol');
    // No subprotocol offered: upstream's wsstream falls back to channel.k8s.io, without echoing one.
    const protocol = offered.length ? negotiateSubprotocol(offered, WS_PROTOCOLS) : undefined;
    if (offered.length && !protocol) {
      rawStatus(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${WS_PROTOCOLS.join(' ')}]`);
      return undefined;
    }
    writeWsAccept(socket, hs.key, protocol);
    applyIdleTimeout(socket, deps.idleTimeoutMs);
    return wsRemoteStreams(new WebSocketConn(socket, head), protocol ?? 'channel.k8s.io', opts);
  }
  if (isSpdyRequest(req)) {
    const n = negotiateStreamProtocol(req, SPDY_PROTOCOLS);
    if (!n.ok) {
      rawResponse(socket, n.code, n.message + '\n', n.headers, 'text/plain; charset=utf-8');
      return undefined;
    }
    writeSpdyAccept(socket, n.protocol);
    applyIdleTimeout(socket, deps.idleTimeoutMs);
    try {
      return await spdyRemoteStreams(socket, head, n.protocol, opts, { streamCreationTimeoutMs: deps.streamCreationTimeoutMs });
    } catch (e) {
      deps.log.warn('exec/attach: SPDY streams not set up', { err: (e as Error).message });
      socket.destroy();
      return undefined;
    }
  }
  rawStatus(socket, 400, 'Upgrade request required');
  return undefined;
}

/** exec or attach on an upgrade request: /exec|attach/{ns}/{pod}/{container}. */
export async function serveRemoteCommand(kind: 'exec' | 'attach', req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, podName: string, container: string, q: URLSearchParams, deps: StreamingDeps): Promise<void> {
  const parsed = parseRemoteCommandOptions(q, kind);
  if (!parsed.ok) return rawStatus(socket, 400, parsed.message);
  const opts = parsed.opts;
  let id: string;
  try {
    if (!findPod(deps.pods, namespace, podName)) throw new HttpError(404, 'pod does not exist');
    if (kind === 'attach' && !deps.attacher) throw new HttpError(501, 'attach is not supported by this runtime');
    const found = await deps.locator.find(namespace, podName, container, {});
    // Upstream looks among running containers only, and says so in these words.
    const state = found ? (await deps.runtime.inspect(found.id))?.state : undefined;
    if (!found || state !== 'running') throw new HttpError(404, `container not found (${JSON.stringify(container)})`);
    id = found.id;
  } catch (e) {
    const d = describeError(e);
    return rawStatus(socket, d.code, d.message);
  }

  const streams = await upgradeRemoteCommand(req, socket, head, opts, deps);
  if (!streams) return;
  void streams.gone.then(() => deps.log.v(4).info(`${kind} session closed`, { pod: `${namespace}/${podName}`, container }));

  let status: ExecStatus;
  try {
    const runtimeStreams = { stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr, tty: opts.tty, resize: streams.resize };
    const code = kind === 'exec' ? await deps.runtime.exec(id, opts.command, runtimeStreams) : await deps.attacher!.attach(id, runtimeStreams);
    status = code === 0 || kind === 'attach' ? successStatus() : exitCodeStatus(code, opts.command);
  } catch (e) {
    const msg = kind === 'exec' ? `error executing command in container: ${(e as Error).message}` : `error attaching to container: ${(e as Error).message}`;
    deps.log.warn(msg, { pod: `${namespace}/${podName}`, container });
    status = internalErrorStatus(msg);
  }
  await streams.finish(status);
}

/** port-forward on an upgrade request: /portForward/{ns}/{pod}. */
export async function servePortForwardRequest(req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, podName: string, deps: StreamingDeps): Promise<void> {
  let netns: string | undefined;
  let uid = '';
  try {
    const pod = findPod(deps.pods, namespace, podName);
    if (!pod) throw new HttpError(404, 'pod does not exist');
    uid = pod.metadata.uid ?? '';
    netns = await deps.locator.sandboxNetns(namespace, podName);
    if (!netns) throw new HttpError(404, `failed to find the network namespace of pod ${JSON.stringify(podName)}: its sandbox is not running`);
  } catch (e) {
    const d = describeError(e);
    return rawStatus(socket, d.code, d.message);
  }
  const target = { pod: podName, uid, netns };
  const pf = { dialer: deps.dialer, streamCreationTimeoutMs: deps.streamCreationTimeoutMs, onError: (m: string) => deps.log.v(2).info('port-forward: ' + m, { pod: `${namespace}/${podName}` }) };

  if (isWebSocketRequest(req)) {
    const hs = checkHandshake(req);
    if (!hs.ok) return rawStatus(socket, hs.code, hs.message);
    // Only the SPDY tunnel (kubectl 1.31+); the legacy channel protocol is not served, and kubectl then falls back to SPDY.
    const protocol = negotiateSubprotocol(headerList(req, 'sec-websocket-protocol'), [TUNNELED_PORT_FORWARD]);
    if (!protocol) return rawStatus(socket, 400, `port forwarding over WebSocket needs the ${TUNNELED_PORT_FORWARD} subprotocol`);
    writeWsAccept(socket, hs.key, protocol);
    applyIdleTimeout(socket, deps.idleTimeoutMs);
    const tunnel = new WebSocketByteStream(new WebSocketConn(socket, head));
    return servePortForward(tunnel, Buffer.alloc(0), target, pf);
  }
  if (isSpdyRequest(req)) {
    const n = negotiateStreamProtocol(req, [PORT_FORWARD_PROTOCOL]);
    if (!n.ok) return rawResponse(socket, n.code, n.message + '\n', n.headers, 'text/plain; charset=utf-8');
    writeSpdyAccept(socket, n.protocol);
    applyIdleTimeout(socket, deps.idleTimeoutMs);
    return servePortForward(socket, head, target, pf);
  }
  return rawStatus(socket, 400, 'Upgrade request required');
}
