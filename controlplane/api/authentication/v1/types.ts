/** authentication.k8s.io/v1: TokenReview, TokenRequest (serviceaccounts/token), SelfSubjectReview (`kubectl auth whoami`). */
import type { ObjectMeta, Time } from '../../../machinery/meta/types.js';
import type { TypedObject } from '../../core/v1/types.js';

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}
export interface TokenReview extends TypedObject {
  metadata?: ObjectMeta;
  spec: { token?: string; audiences?: string[] };
  status?: { authenticated?: boolean; user?: UserInfo; audiences?: string[]; error?: string };
}
export interface BoundObjectReference {
  kind?: 'Pod' | 'Secret' | 'Node' | string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}
export interface TokenRequest extends TypedObject {
  metadata?: ObjectMeta;
  spec: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: BoundObjectReference | null };
  status?: { token: string; expirationTimestamp: Time };
}
export interface SelfSubjectReview extends TypedObject {
  metadata?: ObjectMeta;
  status?: { userInfo?: UserInfo };
}
