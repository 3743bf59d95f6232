// The Secrets behind nginx auth-type basic and digest: each read once per object (a slot per Secret
// and auth-secret-type, and realm for digest: ingress-read-slots.ts), and turned into the BasicAuth
// or DigestAuth middleware of the routes of the Ingresses that name it. A Secret that is missing or
// unusable makes those routes refuse requests (503) instead: they must never serve unauthenticated.
// When a Secret's reading changes, the chains of its Ingresses are built again.
import type { SecretObject } from '../snapshot/model.ts';
import type { Engine, IngressEntry } from './engine.ts';
import type { Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { BasicAuthNeed } from './nginx/auth-basic.ts';
import { diagnostic } from './diagnostics.ts';
import { ingressReadSlots, type IngressReadKind } from './ingress-read-slots.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { readHtpasswd, sameHtpasswdReading, type HtpasswdReading } from './nginx/htpasswd.ts';
import { readHtdigest } from './nginx/htdigest.ts';

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const NOT_READ: HtpasswdReading = { problem: 'not read yet' };

const AUTH_SECRETS: IngressReadKind<BasicAuthNeed, SecretObject, HtpasswdReading> = {
  slotsOf: (engine) => engine.authSecrets,
  refOf: (options) => options.basicAuth,
  lookup: (snapshot, { namespace, name }) => snapshot.lookupOpaqueSecret(namespace, name),
  read: (secret, { scheme, type, name, realm }) => (scheme === 'basic' ? readHtpasswd(secret, type, name) : readHtdigest(secret, type, name, realm)),
  same: sameHtpasswdReading,
  forgetBuilt: (options) => { options.chains.clear(); },
  problemsOf,
};

export const authSecretSlots = ingressReadSlots(AUTH_SECRETS);

/** The middleware a route of an Ingress with auth-type basic or digest gets from its Secret as last read. */
export function basicAuthFilter(engine: Engine, need: BasicAuthNeed): Middleware {
  const reading = engine.authSecrets.get(need.slotKey)?.reading ?? NOT_READ;
  if ('problem' in reading) return { kind: 'Refuse', status: 503, reason: `${NGINX_PREFIX}auth-secret` };
  return { kind: need.scheme === 'basic' ? 'BasicAuth' : 'DigestAuth', realm: need.realm, users: reading.users };
}

function problemsOf(entry: IngressEntry, need: BasicAuthNeed, reading: HtpasswdReading): Diagnostic[] {
  const where = `annotation ${NGINX_PREFIX}auth-secret`;
  if ('problem' in reading) {
    const reason = reading.problem.endsWith('was not found') ? 'AuthSecretNotFound' : 'InvalidAuthSecret';
    return [diagnostic(entry.ref, reason, `${where}: ${reading.problem}. ${REFUSED}`)];
  }
  if (reading.unusable.length === 0) return [];
  const expected = need.scheme === 'basic' ? 'bcrypt, apr1-MD5 or SHA-1' : 'an MD5 HA1 (32 hex digits)';
  const message = `${where}: secret "${need.name}": users whose hash is not ${expected} cannot sign in: ${reading.unusable.join(', ')}`;
  return [diagnostic(entry.ref, 'InvalidAuthSecret', message)];
}
