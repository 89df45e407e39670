/**
 * The remote command protocol (exec and attach) shared by the WebSocket and
 * SPDY transports: protocol versions, the request options, the final Status
 * written on the error stream, and the resize messages.
 *
 * Versions (apimachinery util/remotecommand):
 * - channel.k8s.io (v1), v2: the error stream carries a plain message, only on failure.
 * - v3: adds the resize stream (tty).
 * - v4: the error stream carries a JSON metav1.Status; a non-zero exit is
 *   `reason: NonZeroExitCode` with the code in `details.causes[ExitCode]`.
 * - v5: v4 plus a CLOSE signal on WebSocket (`[255, id]`; `[255, 0]` is stdin EOF).
 *   Over SPDY a stream's FIN already says that, so v5 behaves as v4 there.
 */

export const PROTOCOL = {
  v1: 'channel.k8s.io',
  v2: 'v2.channel.k8s.io',
  v3: 'v3.channel.k8s.io',
  v4: 'v4.channel.k8s.io',
  v5: 'v5.channel.k8s.io',
  base64: 'base64.channel.k8s.io',
  v4base64: 'v4.base64.channel.k8s.io',
} as const;

/** What SPDY clients may negotiate (kubectl 1.27–1.29 offer v4…v1; 1.30+ falling back offer v5…v1). */
export const SPDY_PROTOCOLS: readonly string[] = [PROTOCOL.v5, PROTOCOL.v4, PROTOCOL.v3, PROTOCOL.v2, PROTOCOL.v1];

/** What WebSocket clients may negotiate (kubectl 1.30+ offers only v5; older JS clients use the others). */
export const WS_PROTOCOLS: readonly string[] = [PROTOCOL.v5, PROTOCOL.v4, PROTOCOL.v4base64, PROTOCOL.v1, PROTOCOL.base64];

/** Channel ids on WebSocket (and the SPDY `streamtype` names). */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The protocol's version number (1…5); base64 variants count as their binary twin. */
export function protocolVersion(p: string): number {
  switch (p) {
    case PROTOCOL.v5:
      return 5;
    case PROTOCOL.v4:
    case PROTOCOL.v4base64:
      return 4;
    case PROTOCOL.v3:
      return 3;
    case PROTOCOL.v2:
      return 2;
    default:
      return 1;
  }
}

export interface RemoteCommandOptions {
  /** exec only; attach has none. */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Go's strconv.ParseBool, which the kubelet's query decoding uses. */
export function parseBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(v)) return false;
  return undefined;
}

/**
 * The options of an exec/attach request. Upstream's API server rewrites the
 * flags to "1" before calling the kubelet; ours passes kubectl's `true`
 * through, so both spellings are accepted. A tty drops stderr (the terminal
 * merges it) rather than failing, as upstream does.
 */
export function parseRemoteCommandOptions(q: URLSearchParams, kind: 'exec' | 'attach'): { ok: true; opts: RemoteCommandOptions } | { ok: false; message: string } {
  // `command` is the name the API uses; `cmd` is the kubelet's own legacy spelling.
  const command = q.getAll('command').length ? q.getAll('command') : q.getAll('cmd');
  const flags: Partial<Record<'stdin' | 'stdout' | 'stderr' | 'tty', boolean>> = {};
  for (const k of ['stdin', 'stdout', 'stderr', 'tty'] as const) {
    const raw = q.get(k);
    const b = parseBool(raw);
    if (raw !== null && b === undefined) return { ok: false, message: `invalid value for ${k}: ${JSON.stringify(raw)}` };
    flags[k] = b ?? false;
  }
  const opts: RemoteCommandOptions = { command, stdin: flags.stdin ?? false, stdout: flags.stdout ?? false, stderr: flags.stderr ?? false, tty: flags.tty ?? false };
  if (opts.tty && opts.stderr) opts.stderr = false;
  if (kind === 'exec' && command.length === 0) return { ok: false, message: 'you must specify at least one command for the container' };
  if (!opts.stdin && !opts.stdout && !opts.stderr) return { ok: false, message: 'you must specify at least 1 of stdin, stdout, stderr' };
  return { ok: true, opts };
}

/** metav1.Status as Go's encoding/json writes it (field order and omitted empties matter to no one, but match upstream). */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function successStatus(): ExecStatus {
  return { metadata: {}, status: 'Success' };
}

/** The status kubectl turns into "command terminated with exit code N" and its own exit code N. */
export function exitCodeStatus(code: number, command: readonly string[]): ExecStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function internalErrorStatus(message: string): ExecStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
}

/**
 * What goes on the error stream for a protocol version: v4+ the JSON Status,
 * older versions only a failure's message (success writes nothing).
 */
export function encodeStatus(status: ExecStatus, version: number): Buffer | undefined {
  if (version >= 4) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? 'error');
}

export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * Decodes the resize stream: JSON objects `{"Width":W,"Height":H}` written
 * back to back (Go's json.Encoder adds a newline; nothing requires one), in
 * chunks that may split an object anywhere.
 */
export class ResizeDecoder {
  private buf = '';

  /** Feeds bytes; returns the sizes completed by them. */
  push(chunk: Buffer | string): TerminalSize[] {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const out: TerminalSize[] = [];
    for (;;) {
      const start = this.buf.search(/\S/);
      if (start < 0) {
        this.buf = '';
        return out;
      }
      const end = objectEnd(this.buf, start);
      if (end < 0) {
        if (this.buf.length > 4096) this.buf = ''; // garbage that never closes: drop it
        return out;
      }
      const text = this.buf.slice(start, end);
      this.buf = this.buf.slice(end);
      try {
        const v = JSON.parse(text) as { Width?: unknown; Height?: unknown };
        const width = Number(v.Width);
        const height = Number(v.Height);
        if (Number.isInteger(width) && Number.isInteger(height) && width >= 0 && height >= 0 && width < 65536 && height < 65536) out.push({ width, height });
      } catch {
        // not JSON: skip it, as upstream logs and carries on
      }
    }
  }
}

/** Index just past the JSON value starting at `start` (an object, scanned for braces outside strings), or -1 if incomplete. */
function objectEnd(s: string, start: number): number {
  if (s[start] !== '{') {
    const nl = s.indexOf('\n', start);
    return nl < 0 ? -1 : nl + 1; // not an object: skip the line
  }
  let depth = 0;
  let inStr = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** A push-fed async iterable (resize events to the runtime). */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void)[] = [];
  private ended = false;

  push(v: T): void {
    if (this.ended) return;
    const w = this.waiting.shift();
    if (w) w({ value: v, done: false });
    else this.items.push(v);
  }

  end(): void {
    this.ended = true;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const v = this.items.shift();
        if (v !== undefined) return Promise.resolve({ value: v, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
