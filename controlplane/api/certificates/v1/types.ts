/** certificates.k8s.io/v1: CertificateSigningRequest. */
import type { ListMeta, ObjectMeta, Time } from '../../../machinery/meta/types.js';
import type { ConditionStatus, TypedObject } from '../../core/v1/types.js';

export type KeyUsage =
  | 'signing' | 'digital signature' | 'content commitment' | 'key encipherment' | 'key agreement' | 'data encipherment'
  | 'cert sign' | 'crl sign' | 'encipher only' | 'decipher only' | 'any' | 'server auth' | 'client auth' | 'code signing'
  | 'email protection' | 's/mime' | 'ipsec end system' | 'ipsec tunnel' | 'ipsec user' | 'timestamping' | 'ocsp signing'
  | 'microsoft sgc' | 'netscape sgc';

export interface CertificateSigningRequestSpec {
  /** PEM-encoded PKCS#10 request, base64 on the wire. */
  request: string;
  signerName: string;
  expirationSeconds?: number;
  usages?: KeyUsage[];
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}
export interface CertificateSigningRequestCondition {
  type: 'Approved' | 'Denied' | 'Failed' | string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastUpdateTime?: Time;
  lastTransitionTime?: Time;
}
export interface CertificateSigningRequest extends TypedObject {
  metadata: ObjectMeta;
  spec: CertificateSigningRequestSpec;
  status?: { conditions?: CertificateSigningRequestCondition[]; certificate?: string };
}
export interface CertificateSigningRequestList extends TypedObject {
  metadata: ListMeta;
  items: CertificateSigningRequest[];
}
