/**
 * Field errors and API Status errors: the vocabulary every layer uses to say
 * what is wrong and where. Validation returns FieldError[] (never throws); the
 * registry turns a non-empty list into one 422 Invalid StatusError; the HTTP
 * layer renders StatusError as a metav1.Status. Callers branch on `reason`,
 * never on `message`.
 */

/** The field.ErrorType values of k8s.io/apimachinery/pkg/util/validation/field. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** One problem at one field path, e.g. `spec.containers[0].image: Required value`. */
export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with [i] / [key] subscripts: `spec.containers[0].image`. */
  field: string;
  /** The offending value, when there is one (rendered like Go's %#v-ish quoting). */
  value?: unknown;
  detail?: string;
  /** For NotSupported: the accepted values. */
  supported?: string[];
}

/** A field path builder, like field.NewPath("spec").Child("containers").Index(0). */
export class FieldPath {
  private constructor(private readonly parts: readonly string[]) {}
  static root(name?: string): FieldPath {
    return new FieldPath(name ? [name] : []);
  }
  child(...names: string[]): FieldPath {
    let parts = [...this.parts];
    for (const n of names) parts = parts.length === 0 ? [n] : [...parts, '.' + n];
    return new FieldPath(parts);
  }
  index(i: number): FieldPath {
    return new FieldPath([...this.parts, `[${i}]`]);
  }
  key(k: string): FieldPath {
    return new FieldPath([...this.parts, `[${k}]`]);
  }
  toString(): string {
    return this.parts.join('');
  }
}

const fe = (type: FieldErrorType) => (path: FieldPath | string, value?: unknown, detail?: string): FieldError => {
  const e: FieldError = { type, field: String(path) };
  if (value !== undefined) e.value = value;
  if (detail !== undefined) e.detail = detail;
  return e;
};

export const fieldErrors = {
  required: (path: FieldPath | string, detail?: string): FieldError => fe('FieldValueRequired')(path, undefined, detail),
  invalid: fe('FieldValueInvalid'),
  duplicate: (path: FieldPath | string, value: unknown): FieldError => fe('FieldValueDuplicate')(path, value),
  forbidden: (path: FieldPath | string, detail: string): FieldError => fe('FieldValueForbidden')(path, undefined, detail),
  notFound: (path: FieldPath | string, value: unknown): FieldError => fe('FieldValueNotFound')(path, value),
  tooLong: (path: FieldPath | string, value: unknown, max: number): FieldError =>
    fe('FieldValueTooLong')(path, value, `must have at most ${max} bytes`),
  tooMany: (path: FieldPath | string, actual: number, max: number): FieldError =>
    fe('FieldValueTooMany')(path, actual, `must have at most ${max} items`),
  notSupported: (path: FieldPath | string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field: String(path),
    value,
    supported,
  }),
  internal: (path: FieldPath | string, err: Error): FieldError => fe('InternalError')(path, undefined, err.message),
};

function quoteValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Renders like Go's field.Error.Error(): `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function formatFieldError(e: FieldError): string {
  let s = `${e.field}: ${TYPE_TEXT[e.type]}`;
  // Go's ErrorBody omits the value for exactly these four types; TooMany
  // does print the actual count ("Too many: 5: must have at most 3 items").
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'InternalError' || e.type === 'FieldValueTooLong') {
    if (e.detail) s += `: ${e.detail}`;
    return s;
  }
  if (e.value !== undefined) s += `: ${quoteValue(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.supported) {
    s += `: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}`;
  } else if (e.detail) {
    s += `: ${e.detail}`;
  }
  return s;
}

/** metav1.StatusReason values the API uses. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status as it goes on the wire. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

/** An API error with a stable reason and HTTP code; rendered once, at the HTTP boundary. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }

  static isStatusError(e: unknown): e is StatusError {
    return e instanceof StatusError;
  }
}

/** group-qualified resource for messages: `deployments.apps`, or `pods` for the core group. */
function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** Constructors that produce exactly the messages kubectl users know. */
export const apiErrors = {
  notFound: (group: string, resource: string, name: string): StatusError =>
    new StatusError(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, { name, group: group || undefined, kind: resource }),
  alreadyExists: (group: string, resource: string, name: string): StatusError =>
    new StatusError(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, { name, group: group || undefined, kind: resource }),
  conflict: (group: string, resource: string, name: string, why: string): StatusError =>
    new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, {
      name,
      group: group || undefined,
      kind: resource,
    }),
  invalid: (group: string, kind: string, name: string, errs: FieldError[]): StatusError => {
    const text = errs.length === 1 ? formatFieldError(errs[0]) : `[${errs.map(formatFieldError).join(', ')}]`;
    return new StatusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${text}`, {
      name,
      group: group || undefined,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: formatFieldError(e).slice(e.field.length + 2), field: e.field })),
    });
  },
  badRequest: (message: string): StatusError => new StatusError(400, 'BadRequest', message),
  gone: (message: string): StatusError => new StatusError(410, 'Expired', message),
  methodNotAllowed: (message: string): StatusError => new StatusError(405, 'MethodNotAllowed', message),
  unsupportedMediaType: (contentType: string): StatusError =>
    new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`),
  tooManyRequests: (message: string, retryAfterSeconds: number): StatusError =>
    new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds }),
  internal: (err: Error): StatusError => new StatusError(500, 'InternalError', `Internal error occurred: ${err.message}`),
  timeout: (message: string): StatusError => new StatusError(504, 'Timeout', message),
  forbidden: (message: string): StatusError => new StatusError(403, 'Forbidden', message),
  unauthorized: (message = 'Unauthorized'): StatusError => new StatusError(401, 'Unauthorized', message),
  serviceUnavailable: (message: string): StatusError => new StatusError(503, 'ServiceUnavailable', message),
};
