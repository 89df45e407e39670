/** The logger shape backends use (a subset of machinery's Logger, so tests can pass a plain object). */
export interface BackendLog {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** The errno name (`EEXIST`) of a NetlinkError, or undefined. */
export function errnoOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Runs a netlink call, treating the listed errno names as success. */
export async function ignoring(codes: readonly string[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!codes.includes(errnoOf(e) ?? '')) throw e;
  }
}
