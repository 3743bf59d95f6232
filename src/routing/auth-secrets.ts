// The Secrets behind nginx auth-type basic and digest: each read once per object (a slot per Secret
// and auth-secret-type, and realm for digest, checked against the snapshot on every build, like TLS
// Secrets), and turned into the BasicAuth or DigestAuth middleware of the routes of the Ingresses that name it. A Secret that is missing or
// unusable makes those routes refuse requests (503) instead: they must never serve unauthenticated.
// When a Secret's reading changes, the chains of its Ingresses are built again.
import type { AuthSecretSlot, Engine, IngressEntry } from './engine.ts';
import type { BuildState } from './state.ts';
import type { Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { BasicAuthNeed } from './nginx/auth-basic.ts';
import { clearDiagnostics, setDiagnostics, touch } from './state.ts';
import { diagnostic } from './diagnostics.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { readHtpasswd, sameHtpasswdReading, type HtpasswdReading } from './nginx/htpasswd.ts';
import { readHtdigest } from './nginx/htdigest.ts';
import { findGroup } from './route-groups.ts';

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const NOT_READ: HtpasswdReading = { problem: 'not read yet' };

/** An Ingress that stopped being served lets go of its Secret. */
export function unlinkAuthSecret(state: BuildState, entry: IngressEntry): void {
  const need = entry.options?.basicAuth;
  if (need === undefined) return;
  clearDiagnostics(state, need);
  state.engine.authSecrets.get(need.slotKey)?.users.delete(entry);
}

/** A newly served Ingress with auth-type basic or digest takes (or opens) the slot of its Secret. */
export function linkAuthSecret(state: BuildState, entry: IngressEntry): void {
  const need = entry.options?.basicAuth;
  if (need === undefined) return;
  const { authSecrets } = state.engine;
  let slot = authSecrets.get(need.slotKey);
  if (slot === undefined) {
    slot = { need, users: new Set(), secret: undefined, reading: undefined };
    authSecrets.set(need.slotKey, slot);
  }
  slot.users.add(entry);
  // Chains kept from an earlier time the Ingress was served may hold an older reading.
  entry.options?.chains.clear();
  if (slot.reading !== undefined) setDiagnostics(state, need, problemsOf(entry, need, slot.reading));
}

/** Drops slots nothing uses; reads again the Secrets the snapshot replaced and rebuilds their users' chains. */
export function refreshAuthSecrets(state: BuildState): void {
  const { authSecrets } = state.engine;
  for (const [key, slot] of authSecrets) {
    if (slot.users.size === 0) {
      authSecrets.delete(key);
      continue;
    }
    if (!reread(state, slot)) continue;
    for (const entry of slot.users) rebuildChains(state, entry, slot);
  }
}

/** The middleware a route of an Ingress with auth-type basic or digest gets from its Secret as last read. */
export function basicAuthFilter(engine: Engine, need: BasicAuthNeed): Middleware {
  const reading = engine.authSecrets.get(need.slotKey)?.reading ?? NOT_READ;
  if ('problem' in reading) return { kind: 'Refuse', status: 503, reason: `${NGINX_PREFIX}auth-secret` };
  return { kind: need.scheme === 'basic' ? 'BasicAuth' : 'DigestAuth', realm: need.realm, users: reading.users };
}

function reread(state: BuildState, slot: AuthSecretSlot): boolean {
  const { namespace, name, type, scheme, realm } = slot.need;
  const secret = state.snapshot.lookupOpaqueSecret(namespace, name);
  if (slot.reading !== undefined && secret === slot.secret) return false;
  slot.secret = secret;
  const next = scheme === 'basic' ? readHtpasswd(secret, type, name) : readHtdigest(secret, type, name, realm);
  if (slot.reading !== undefined && sameHtpasswdReading(slot.reading, next)) return false;
  slot.reading = next;
  return true;
}

function rebuildChains(state: BuildState, entry: IngressEntry, slot: AuthSecretSlot): void {
  const { options } = entry;
  if (options?.basicAuth === undefined || slot.reading === undefined) return;
  setDiagnostics(state, options.basicAuth, problemsOf(entry, options.basicAuth, slot.reading));
  options.chains.clear();
  for (const claim of entry.claims?.items ?? []) {
    const group = findGroup(state.engine, claim);
    if (group !== undefined) touch(state, group);
  }
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
