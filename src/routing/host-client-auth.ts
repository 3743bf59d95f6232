// nginx auth-tls belongs to a host, as ssl_verify_client belongs to an nginx server: each spec.tls
// host takes the settings of the oldest Ingress claiming it that sets auth-tls-secret (the order
// ingress-nginx fills in its servers), and every route of that host runs them, whichever Ingress
// gives the route. An Ingress claiming the host with other settings is reported (Conflict). The
// Secret is read once per object (a slot per Secret: read-slots.ts); while it is
// missing or unusable the host's handshakes ask for nothing and its routes refuse requests (503).
import type { ObjectRef, SecretObject } from '../snapshot/model.ts';
import type { Engine, HostClientAuth, HostState, IngressOptions, TlsEntry, TlsGroup } from './engine.ts';
import type { BuildState } from './state.ts';
import type { ClientCertificateValidation, Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { AuthTlsNeed } from './nginx/auth-tls.ts';
import type { ObjectReader, ReadSlot } from './read-slots.ts';
import { authTlsOf } from './nginx/auth-tls.ts';
import { readClientCa, sameClientCaReading, type ClientCaReading } from './nginx/client-ca.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { diagnostic } from './diagnostics.ts';
import { attachUser, detachUser, readSlot, refreshSlots } from './read-slots.ts';

const NOT_READ: ClientCaReading = { problem: 'not read yet', notFound: false };

type ClientCaSlot = ReadSlot<ObjectRef, SecretObject, ClientCaReading, TlsGroup>;

const CLIENT_CA_SECRETS: ObjectReader<ObjectRef, SecretObject, ClientCaReading> = {
  lookup: (snapshot, { namespace, name }) => snapshot.lookupSecret(namespace, name) ?? snapshot.lookupOpaqueSecret(namespace, name),
  read: (secret, { name }) => readClientCa(secret, name),
  same: sameClientCaReading,
};

/** Reads again the Secrets the snapshot replaced; the hosts of those whose reading changed are settled again. */
export function refreshClientCaSecrets(state: BuildState, groups: Set<TlsGroup>): void {
  refreshSlots(state.engine.clientCaSecrets, state.snapshot, CLIENT_CA_SECRETS, (slot) => {
    for (const group of slot.users) groups.add(group);
  });
}

/** The host's settings from its claims (oldest first), and what to report about them. */
export function settleClientAuth(state: BuildState, group: TlsGroup): readonly Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const winner = winnerOf(group, diagnostics);
  const slot = useSlot(state, group, winner?.need);
  if (winner === undefined || slot === undefined) {
    group.clientAuth = undefined;
    return diagnostics;
  }
  const reading = slot.reading ?? NOT_READ;
  if ('problem' in reading) diagnostics.push(secretProblem(group.host, winner.tls, reading));
  const ref = winner.tls.entry.ref;
  if (!unchanged(group.clientAuth, winner.need, reading, ref)) {
    group.clientAuth = { need: winner.need, ingress: ref, reading, validation: validationOf(winner.need, reading) };
  }
  return diagnostics;
}

interface Winner { readonly tls: TlsEntry; readonly need: AuthTlsNeed }

/** The oldest claim with settings; each other Ingress with different ones is reported once. */
function winnerOf(group: TlsGroup, diagnostics: Diagnostic[]): Winner | undefined {
  let winner: Winner | undefined;
  const reported = new Set<object>();
  for (const tls of group.claims) {
    const need = authTlsOf(tls.entry.ingress);
    if (need === undefined) continue;
    if (winner === undefined) winner = { tls, need };
    else if (need.key !== winner.need.key && tls.entry !== winner.tls.entry && !reported.has(tls.entry)) {
      reported.add(tls.entry);
      diagnostics.push(conflict(group.host, tls, winner.tls));
    }
  }
  return winner;
}

/** The same object is kept while nothing changed, so the host's routes are not settled again. */
function unchanged(previous: HostClientAuth | undefined, need: AuthTlsNeed, reading: ClientCaReading, ref: ObjectRef): boolean {
  return previous !== undefined && previous.need.key === need.key && previous.reading === reading &&
    previous.ingress.namespace === ref.namespace && previous.ingress.name === ref.name;
}

/** The host's settings, for the routes of a host level (exact and wildcard hosts as written in spec.tls). */
export function hostClientAuthOf(engine: Engine, host: HostState): HostClientAuth | undefined {
  if (host.level !== 'exact' && host.level !== 'wildcard') return undefined;
  return engine.tlsGroups.get(host.host)?.clientAuth;
}

/**
 * The middleware a route runs for its host's client certificates: the host's settings, or a
 * refusal while its Secret is unusable, or while the route's own Ingress asks for client
 * certificates on a host whose settings it could not give (not in its spec.tls). Never for the
 * default backend, which ingress-nginx serves from its catch-all server.
 */
export function clientAuthFilter(host: HostState, auth: HostClientAuth | undefined, ingress: IngressOptions, sslRedirect: boolean): Middleware | undefined {
  if (host.level === 'default') return undefined;
  if (auth === undefined) return ingress.authTls === undefined ? undefined : { kind: 'Refuse', status: 503, reason: `${NGINX_PREFIX}auth-tls-secret` };
  if ('problem' in auth.reading) return { kind: 'Refuse', status: 503, reason: `${NGINX_PREFIX}auth-tls-secret` };
  const { verify, errorPage, matchSubject, passCertificate } = auth.need;
  return { kind: 'ClientCertificateAuth', verify, errorPage, matchSubject, passCertificate, plainHttpRedirected: sslRedirect };
}

function validationOf(need: AuthTlsNeed, reading: ClientCaReading): ClientCertificateValidation | undefined {
  if ('problem' in reading || need.verify === 'off') return undefined;
  // The handshake only asks and records: the route's ClientCertificateAuth decides per request.
  return {
    caPem: reading.caPem, mode: 'AllowInsecureFallback', verifyDepth: need.verifyDepth,
    ...(reading.crlPem === undefined ? {} : { crlPem: reading.crlPem }),
  };
}

/** Moves the group to the slot of the winner's Secret (opening and reading it when new). */
function useSlot(state: BuildState, group: TlsGroup, need: AuthTlsNeed | undefined): ClientCaSlot | undefined {
  const { clientCaSecrets } = state.engine;
  const key = need === undefined ? undefined : `${need.namespace}/${need.name}`;
  if (group.clientCaKey !== key && group.clientCaKey !== undefined) detachUser(clientCaSecrets, group.clientCaKey, group);
  group.clientCaKey = key;
  if (need === undefined || key === undefined) return undefined;
  const slot = attachUser(clientCaSecrets, key, need, group);
  // The refresh ran before the hosts settle: a slot opened now is read here.
  if (slot.reading === undefined) readSlot(slot, state.snapshot, CLIENT_CA_SECRETS);
  return slot;
}

function conflict(host: string, loser: TlsEntry, winner: TlsEntry): Diagnostic {
  const older = `${winner.entry.ref.namespace}/${winner.entry.ref.name}`;
  const message = `host "${host}": its auth-tls annotations differ from those of Ingress ${older}, which is older; ` +
    'client certificates are checked on the whole host with the oldest Ingress\'s settings, as ingress-nginx does, and these are ignored';
  return diagnostic(loser.entry.ingress, 'Conflict', message);
}

function secretProblem(host: string, winner: TlsEntry, reading: { readonly problem: string; readonly notFound: boolean }): Diagnostic {
  const message = `annotation ${NGINX_PREFIX}auth-tls-secret: ${reading.problem}. Requests to host "${host}" are refused (503) until it is fixed`;
  return diagnostic(winner.entry.ingress, reading.notFound ? 'AuthSecretNotFound' : 'InvalidAuthSecret', message);
}
