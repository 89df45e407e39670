/**
 * One DNS request → one response, whatever the transport: parse, answer the
 * cluster zone from the caches (synchronously: the common case costs no
 * promise), forward everything else, encode within the client's size.
 *
 * Malformed input: a message shorter than a header, or one that is itself a
 * response, is dropped (answering it could feed a loop); a readable header
 * with an unreadable body gets FORMERR; opcodes other than QUERY get NOTIMP;
 * anything but exactly one question gets FORMERR; EDNS versions other than 0
 * get BADVERS (RFC 6891 §6.1.3).
 */
import type { Logger } from '../../../machinery/log/index.js';
import { forward } from '../forward.js';
import type { DnsMetrics } from '../metrics.js';
import { resolve, type Zone } from '../records/resolve.js';
import type { ClusterState } from '../records/state.js';
import { routeFor, type DynamicConfig, type Nameserver } from '../upstream.js';
import { decodeHeader, decodeMessage } from '../wire/decode.js';
import { encodeMessage } from '../wire/encode.js';
import { canonical } from '../wire/names.js';
import { DnsWireError, rcodeName, optOf, optRecord, Opcode, Rcode, RRType, replyTo, typeName, UDP_CLASSIC_MAX, type Message } from '../wire/types.js';

export type Transport = 'udp' | 'tcp';

/** The size we accept and advertise over UDP with EDNS0 (a common, fragmentation-safe-enough choice). */
export const EDNS_UDP_SIZE = 4096;
const BADVERS = 16;
const KNOWN_TYPES = new Set<number>(Object.values(RRType));

export interface HandlerDeps {
  state: ClusterState;
  zone: Zone;
  metrics: DnsMetrics;
  /** The default upstreams (--nameservers or resolv.conf). */
  upstreams: () => readonly Nameserver[];
  /** The ConfigMap's stub domains and upstreams, as of now. */
  dynamic: () => DynamicConfig;
  forwardTimeoutMs: number;
  log: Logger;
}

export class DnsHandler {
  constructor(private readonly deps: HandlerDeps) {}

  /** The response bytes, synchronously for the cluster zone, as a promise when forwarding; undefined = send nothing. */
  handle(query: Buffer, proto: Transport): Buffer | undefined | Promise<Buffer | undefined> {
    const start = process.hrtime.bigint();
    const { metrics } = this.deps;
    let header;
    try {
      header = decodeHeader(query);
    } catch {
      metrics.malformed.inc();
      return undefined;
    }
    if (header.qr) {
      metrics.malformed.inc();
      return undefined;
    }
    let msg: Message;
    try {
      msg = decodeMessage(query);
    } catch (e) {
      if (!(e instanceof DnsWireError)) throw e;
      metrics.malformed.inc();
      const { qdcount: _q, ancount: _a, nscount: _n, arcount: _r, ...h } = header;
      const resp = replyTo({ header: h, questions: [], answers: [], authority: [], additional: [] }, Rcode.FORMERR);
      return this.finish(resp, proto, UDP_CLASSIC_MAX, start, 'cluster', 'unknown');
    }
    const qtype = msg.questions.length === 1 ? msg.questions[0].type : -1;
    const typeLabel = qtype < 0 ? 'none' : KNOWN_TYPES.has(qtype) ? typeName(qtype) : 'other';
    const opt = optOf(msg);
    const limit = proto === 'tcp' ? 0xffff : opt ? Math.max(UDP_CLASSIC_MAX, Math.min(opt.class, EDNS_UDP_SIZE)) : UDP_CLASSIC_MAX;

    if (msg.header.opcode !== Opcode.QUERY) return this.finish(this.reply(msg, Rcode.NOTIMP), proto, limit, start, 'cluster', typeLabel);
    if (msg.questions.length !== 1) return this.finish(this.reply(msg, Rcode.FORMERR), proto, limit, start, 'cluster', typeLabel);
    if (opt && ((opt.ttl >>> 16) & 0xff) !== 0) {
      const resp = replyTo(msg, 0);
      resp.additional.push({ ...optRecord(EDNS_UDP_SIZE), ttl: (BADVERS >> 4) << 24 });
      return this.finish(resp, proto, limit, start, 'cluster', typeLabel, 'BADVERS');
    }

    const q = msg.questions[0];
    const res = resolve(q, this.deps.state, this.deps.zone);
    if (res.kind === 'zone') {
      const resp = this.reply(msg, res.rcode);
      resp.header.aa = true;
      resp.answers = res.answers;
      resp.authority = res.authority;
      resp.additional.unshift(...res.additional);
      if (res.chase) return this.chase(resp, res.chase, proto, limit, start, typeLabel);
      return this.finish(resp, proto, limit, start, 'cluster', typeLabel);
    }
    return this.forward(query, msg, canonical(q.name), proto, limit, start, typeLabel);
  }

  /** An empty response, with an OPT record when the query had one. */
  private reply(q: Message, rcode: number): Message {
    const r = replyTo(q, rcode);
    if (optOf(q)) r.additional.push(optRecord(EDNS_UDP_SIZE));
    return r;
  }

  private finish(resp: Message, proto: Transport, limit: number, start: bigint, source: string, type: string, rcodeLabel?: string): Buffer {
    const out = encodeMessage(resp, { maxSize: limit });
    if (proto === 'udp' && (out.readUInt16BE(2) & 0x0200) !== 0 && !resp.header.tc) this.deps.metrics.truncated.inc();
    this.observe(proto, type, rcodeLabel ?? rcodeLabelOf(resp.header.rcode), source, start);
    return out;
  }

  private observe(proto: Transport, type: string, rcode: string, source: string, start: bigint): void {
    this.deps.metrics.observe(proto, type, rcode, source, Number(process.hrtime.bigint() - start) / 1e9);
  }

  /** An ExternalName outside the zone: look its target up where it would be forwarded and append what comes back. */
  private async chase(resp: Message, q: Message['questions'][number], proto: Transport, limit: number, start: bigint, type: string): Promise<Buffer> {
    const route = routeFor(q.name, this.deps.dynamic(), this.deps.upstreams());
    if (route.servers.length > 0) {
      const sub = encodeMessage({ header: { ...resp.header, qr: false, aa: false, ra: false, rcode: 0, rd: true }, questions: [q], answers: [], authority: [], additional: [] });
      const r = await forward(sub, route.servers, { timeoutMs: this.deps.forwardTimeoutMs, tcpFallback: proto === 'tcp' });
      if (r) {
        try {
          const m = decodeMessage(r.response);
          if (m.header.rcode === Rcode.NOERROR || m.header.rcode === Rcode.NXDOMAIN) resp.answers.push(...m.answers);
        } catch {
          // An unreadable upstream answer: the CNAME alone is still right.
        }
      }
    }
    return this.finish(resp, proto, limit, start, route.via, type);
  }

  private async forward(query: Buffer, msg: Message, name: string, proto: Transport, limit: number, start: bigint, type: string): Promise<Buffer | undefined> {
    const route = routeFor(name, this.deps.dynamic(), this.deps.upstreams());
    if (route.servers.length === 0) return this.finish(this.reply(msg, Rcode.SERVFAIL), proto, limit, start, route.via, type);
    const r = await forward(query, route.servers, { timeoutMs: this.deps.forwardTimeoutMs, tcpFallback: proto === 'tcp' });
    if (!r) {
      this.deps.metrics.forwardFailures.inc({ via: route.via });
      return this.finish(this.reply(msg, Rcode.SERVFAIL), proto, limit, start, route.via, type);
    }
    this.observe(proto, type, rcodeLabelOf(r.response.readUInt16BE(2) & 0xf), route.via, start);
    return r.response;
  }
}

const rcodeLabelOf = rcodeName;
