/**
 * Errors from system calls made through koffi. `code` is the errno's name
 * (the stable value callers branch on), `op` names what was attempted
 * (`setns /run/netns/kt-1`, `TUNSETIFF kt0`), and the message reads
 * `<op>: <CODE>[: detail]`. Subclasses per subsystem (NetlinkError, TunError,
 * NetnsError) let callers catch by area; `instanceof` works across duplicated
 * module copies through a Symbol.for brand on each class.
 */
import { constants } from 'node:os';

const errnoNames: ReadonlyMap<number, string> = new Map(Object.entries(constants.errno).map(([name, num]) => [num, name] as const));

/** 'EEXIST' for 17 (or -17); `E<n>` for numbers Node doesn't name. */
export function errnoName(errno: number): string {
  return errnoNames.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

/** The errno for a name ('ENOENT' → 2); undefined when Node doesn't know it. */
export function errnoNumber(name: string): number | undefined {
  return (constants.errno as Record<string, number | undefined>)[name];
}

const sysBrand = Symbol.for('kubets.native.SysError');

export class SysError extends Error {
  /** Positive errno value. */
  readonly errno: number;
  /** The errno's name: the stable code callers branch on. */
  readonly code: string;
  /** What was attempted, e.g. `RTM_NEWROUTE 10.1.2.0/24` or `socket`. */
  readonly op: string;
  /** Extra text from the kernel (a netlink extended ack), when there was some. */
  readonly detail: string | undefined;

  constructor(op: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(detail ? `${op}: ${code}: ${detail}` : `${op}: ${code}`);
    this.name = 'SysError';
    this.errno = Math.abs(errno);
    this.code = code;
    this.op = op;
    this.detail = detail;
    Object.defineProperty(this, sysBrand, { value: true });
  }

  static override [Symbol.hasInstance](v: unknown): boolean {
    return brandCheck(this, v);
  }
}

/**
 * `instanceof` by brand: every subclass defines a `brand` static symbol and
 * instances carry every brand along their class chain.
 */
function brandCheck(cls: unknown, v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const brand = cls === SysError ? sysBrand : (cls as { readonly brand?: symbol }).brand;
  return brand !== undefined && (v as Record<symbol, unknown>)[brand] === true;
}

/** Declares a SysError subclass with its own name and brand. */
export function defineSysError(name: string): typeof SysError & { readonly brand: symbol } {
  const brand = Symbol.for(`kubets.native.${name}`);
  const cls = class extends SysError {
    static readonly brand = brand;
    constructor(op: string, errno: number, detail?: string) {
      super(op, errno, detail);
      this.name = name;
      Object.defineProperty(this, brand, { value: true });
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
