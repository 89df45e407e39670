/**
 * A tiny authoritative DNS server on loopback UDP for tests and the bench:
 * fixed A records by name, NXDOMAIN for the rest. It records what it was asked,
 * so a test can see that a query was forwarded to it and not answered elsewhere.
 */
import { createSocket, type Socket } from 'node:dgram';
import { decodeMessage } from '../../../../controlplane/addons/dns/wire/decode.js';
import { encodeMessage } from '../../../../controlplane/addons/dns/wire/encode.js';
import { canonical } from '../../../../controlplane/addons/dns/wire/names.js';
import { RRClass, RRType, Rcode, replyTo } from '../../../../controlplane/addons/dns/wire/types.js';

export interface FakeUpstream {
  port: number;
  /** Canonical names asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function startFakeUpstream(records: Readonly<Record<string, string>>): Promise<FakeUpstream> {
  const sock: Socket = createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (buf, rinfo) => {
    let q;
    try {
      q = decodeMessage(buf);
    } catch {
      return;
    }
    const question = q.questions[0];
    if (!question) return;
    const name = canonical(question.name);
    asked.push(name);
    const ip = records[name];
    const r = replyTo(q, ip ? Rcode.NOERROR : Rcode.NXDOMAIN);
    if (ip && (question.type === RRType.A || question.type === RRType.ANY)) r.answers.push({ name: question.name, type: RRType.A, class: RRClass.IN, ttl: 300, data: { kind: 'A', address: ip } });
    sock.send(encodeMessage(r, { maxSize: 512 }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: sock.address().port,
    asked,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}
