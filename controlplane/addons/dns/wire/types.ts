/**
 * The DNS message vocabulary (RFC 1035 §4, RFC 2782 SRV, RFC 3596 AAAA,
 * RFC 6891 EDNS0): what wire/decode.ts produces and wire/encode.ts consumes.
 *
 * Names are absolute, dotted, with the trailing dot ('kubernetes.default.svc.cluster.local.',
 * the root is '.'), in the case they were received: DNS compares names
 * case-insensitively but echoes the question's case (clients may randomise it).
 * A label holding '.' or '\' or a non-printable byte is written with the
 * master-file escapes `\.`, `\\`, `\DDD` (names.ts).
 */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, CH: 3, ANY: 255 } as const;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export const Opcode = { QUERY: 0 } as const;

/** The name of a type for logs and metric labels ('TYPE65' for the unknown, as RFC 3597 writes them). */
const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));

export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RCODE${r}`;
}

/** Without EDNS0, a UDP message is at most 512 bytes (RFC 1035 §4.2.1). */
export const UDP_CLASSIC_MAX = 512;

export interface Header {
  id: number;
  /** Response (true) or query. */
  qr: boolean;
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated: the client should retry over TCP. */
  tc: boolean;
  /** Recursion desired (copied from query to response). */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** Authentic data / checking disabled (RFC 4035), carried through. */
  ad: boolean;
  cd: boolean;
  /** The low four bits; EDNS0 extends it in the OPT record. */
  rcode: number;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface SoaData {
  kind: 'SOA';
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** Record data, by kind; anything this codec does not parse stays 'RAW'. */
export type RData =
  | { kind: 'A'; address: string }
  | { kind: 'AAAA'; address: string }
  | { kind: 'CNAME'; target: string }
  | { kind: 'PTR'; target: string }
  | { kind: 'NS'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | SoaData
  | { kind: 'TXT'; texts: string[] }
  /** EDNS0 options, kept as their raw bytes (we set none, we pass them through). */
  | { kind: 'OPT'; options: Uint8Array }
  | { kind: 'RAW'; bytes: Uint8Array };

/**
 * One resource record. For OPT (RFC 6891 §6.1.2) the fields are overloaded as
 * on the wire: name '.', class = the sender's UDP payload size, ttl = extended
 * rcode (8 bits) | version (8) | DO flag (1) | zero (15).
 */
export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface Message {
  header: Header;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** A decoding failure: the message is malformed ('FormErr') or cut short ('Truncated'). */
export class DnsWireError extends Error {
  override readonly name = 'DnsWireError';
  constructor(
    readonly code: 'FormErr' | 'Truncated' | 'NameTooLong' | 'BadPointer' | 'BadRData',
    message: string,
  ) {
    super(message);
  }
}

/** An empty response to `q`: same id, opcode, RD and CD, the question echoed, QR set. */
export function replyTo(q: Message, rcode: number = Rcode.NOERROR): Message {
  return {
    header: { id: q.header.id, qr: true, opcode: q.header.opcode, aa: false, tc: false, rd: q.header.rd, ra: true, ad: false, cd: q.header.cd, rcode },
    questions: q.questions.map((x) => ({ ...x })),
    answers: [],
    authority: [],
    additional: [],
  };
}

/** The EDNS0 OPT record of a message, if it carries one. */
export function optOf(m: Message): ResourceRecord | undefined {
  return m.additional.find((r) => r.type === RRType.OPT);
}

/** An OPT record advertising `udpSize` (no options, version 0). */
export function optRecord(udpSize: number, dnssecOk = false): ResourceRecord {
  return { name: '.', type: RRType.OPT, class: udpSize, ttl: dnssecOk ? 0x8000 : 0, data: { kind: 'OPT', options: new Uint8Array(0) } };
}
