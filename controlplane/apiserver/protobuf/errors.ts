/**
 * The one error type of the protobuf codec. Callers branch on `code`, never on `message`:
 * the HTTP layer turns a decode failure into 400 BadRequest, and an encode failure
 * (`UnknownKind`, `UnknownField`) into "answer this one in JSON instead".
 */
export type ProtobufErrorCode =
  /** The body does not start with the 4 bytes "k8s\0". */
  | 'BadMagic'
  /** A varint, length or field runs past the end of its buffer. */
  | 'Truncated'
  /** A wire type the codec cannot skip (groups) or one that does not fit the field's schema. */
  | 'BadWireType'
  /** No schema for this apiVersion/kind. */
  | 'UnknownKind'
  /** encode: the object has a field the schema does not know, so encoding would lose it. */
  | 'UnknownField'
  /** A value of the wrong JSON type, a bad timestamp, invalid base64, invalid embedded JSON… */
  | 'InvalidValue'
  /** An envelope feature we do not implement (contentEncoding, a non-protobuf raw content type). */
  | 'Unsupported';

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
  constructor(
    readonly code: ProtobufErrorCode,
    message: string,
    /** The JSON path of the field being handled, e.g. `spec.template.spec.containers[0].ports`. */
    readonly path = '',
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}
