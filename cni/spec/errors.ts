/**
 * CNI error result and the well-known error codes of the CNI specification
 * (SPEC.md "Error"): 1-99 are reserved by the spec, 100+ are plugin-specific.
 * A plugin that fails prints this JSON on stdout and exits non-zero.
 */
export const CniCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  ContainerUnknown: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodingFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  Internal: 999,
} as const;
export type CniCode = (typeof CniCode)[keyof typeof CniCode];

/** The error JSON a plugin writes to stdout: { cniVersion, code, msg, details }. */
export interface CniErrorResult {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends Error {
  override readonly name = 'CniError';
  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(msg);
  }
  toResult(cniVersion: string): CniErrorResult {
    const r: CniErrorResult = { cniVersion, code: this.code, msg: this.message };
    if (this.details) r.details = this.details;
    return r;
  }
}

/** Any thrown value as a CniError: CniErrors pass through, anything else is Internal (999) — the reference skel does the same. */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof Error) return new CniError(CniCode.Internal, e.message);
  return new CniError(CniCode.Internal, String(e));
}

/** A configuration problem (code 7), the usual answer to a bad field. */
export function invalidConfig(msg: string, details?: string): CniError {
  return new CniError(CniCode.InvalidNetworkConfig, msg, details);
}
