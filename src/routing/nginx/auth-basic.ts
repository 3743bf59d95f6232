// auth-type, auth-secret, auth-secret-type, auth-realm: what an Ingress asks of Basic or Digest
// authentication (both read their users from a Secret).
// The Secret itself is read when the chain is built (../auth-secrets.ts), so a change of the Secret
// alone reaches the routes. As in ingress-nginx, auth-secret without auth-type asks for nothing;
// every other unusable setting refuses the routes (503): ignoring it would open them.
import type { IngressObject } from '../../snapshot/model.ts';
import type { Middleware } from '../middleware.ts';
import type { Diagnostic } from '../types.ts';
import type { AnnotationReader } from './reader.ts';
import type { AuthSecretType } from './htpasswd.ts';
import { diagnostic } from '../diagnostics.ts';
import { NGINX_PREFIX } from './catalog.ts';

/** A Basic or Digest authentication whose users come from a Secret of the Ingress's namespace. */
export interface BasicAuthNeed {
  /** basic: htpasswd hashes; digest: htdigest lines (user:realm:MD5 of user:realm:password). */
  readonly scheme: AuthScheme;
  readonly namespace: string;
  readonly name: string;
  readonly type: AuthSecretType;
  readonly realm: string;
  /** One reading per Secret and type (and realm, for digest): "auth-file ns/name", "digest auth-file ns/name realm". */
  readonly slotKey: string;
}

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const SECRET_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

export type AuthScheme = 'basic' | 'digest';

export type BasicAuthReading = { readonly need: BasicAuthNeed } | { readonly refuse: Middleware } | undefined;

export function readBasicAuth(read: AnnotationReader, ingress: IngressObject, diagnostics: Diagnostic[]): BasicAuthReading {
  if (!read.has('auth-type')) return undefined;
  const { namespace } = ingress;
  const refuse = (key: string): BasicAuthReading => ({ refuse: { kind: 'Refuse', status: 503, reason: NGINX_PREFIX + key } });
  const type = read('auth-type', '"basic" or "digest"', parseScheme, REFUSED);
  if (type === undefined) return refuse('auth-type');
  const secret = read('auth-secret', 'the name of a Secret of the Ingress\'s namespace (or namespace/name with its own namespace)', (w) => parseSecretName(w, namespace), REFUSED);
  if (secret === undefined && read.has('auth-secret')) return refuse('auth-secret');
  if (secret === undefined) {
    diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', `annotation ${NGINX_PREFIX}auth-type is set without ${NGINX_PREFIX}auth-secret. ${REFUSED}`));
    return refuse('auth-type');
  }
  const kind = read('auth-secret-type', 'auth-file or auth-map', parseSecretType, REFUSED);
  if (kind === undefined && read.has('auth-secret-type')) return refuse('auth-secret-type');
  const realm = read('auth-realm', 'printable characters without a double quote', (w) => (/^[\x20-\x21\x23-\x7e]*$/.test(w) ? { value: w } : undefined))?.value ?? '';
  const secretType: AuthSecretType = kind?.value ?? 'auth-file';
  const scheme = type.value;
  return { need: { scheme, namespace, name: secret.value, type: secretType, realm, slotKey: slotKeyOf(scheme, secretType, `${namespace}/${secret.value}`, realm) } };
}

/** A digest Secret is read for one realm: its lines for other realms are not this route's users. */
function slotKeyOf(scheme: AuthScheme, type: AuthSecretType, secret: string, realm: string): string {
  return scheme === 'basic' ? `${type} ${secret}` : `digest ${type} ${secret} ${realm}`;
}

function parseScheme(written: string): { value: AuthScheme } | undefined {
  return written === 'basic' || written === 'digest' ? { value: written } : undefined;
}

function parseSecretType(written: string): { value: AuthSecretType } | undefined {
  return written === 'auth-file' || written === 'auth-map' ? { value: written } : undefined;
}

/** "name" or "namespace/name" where namespace is the Ingress's own: a Secret elsewhere is not read. */
export function parseSecretName(written: string, namespace: string): { value: string } | undefined {
  if (!SECRET_NAME.test(written)) return undefined;
  const at = written.indexOf('/');
  if (at < 0) return { value: written };
  return written.slice(0, at) === namespace ? { value: written.slice(at + 1) } : undefined;
}
