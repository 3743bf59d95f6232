// GatewayClasses of ours and their Gateways' listeners: which listeners Bollard can serve and why
// not (ports, protocols, TLS certificates and client-certificate validation, conflicts). Bollard
// has one HTTP and one HTTPS listener per replica, so a Gateway listener maps onto one of them by
// protocol and port:
//   HTTP on port 80 → the HTTP listener, HTTPS on port 443 → the HTTPS listener (TLS terminated).
// A Gateway with an address of its own (--gateway-addresses) may also use any other port: Bollard
// opens that port on the Gateway's address (RoutingTable.portListeners), except Bollard's own ports.
//   TLS on port 443 → the HTTPS listener too: its TLSRoutes take connections by server name before
//   any HTTP (Passthrough: the bytes go to the backend unopened; Terminate: TLS ends here and the
//   plain stream goes to the backend); other names are left to the HTTPS listener's certificates.
//   TCP, with --gateway-addresses, on a port of its own (any but Bollard's and 80/443): every
//   connection to that port goes to the oldest TCPRoute attached to the listener.
// Any other port or protocol is not served (Accepted False: PortUnavailable / UnsupportedProtocol).
// The listeners of ListenerSets the Gateway admits (listener-sets.ts) compile here too, after the
// Gateway's own: the same ports, protocols and certificates, and conflicts by the spec's precedence.
import { refKey, type ClusterSnapshot, type ObjectRef } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, GatewayClassObject, GatewayObject, Listener, ListenerSetObject, RouteKindRef } from '../../snapshot/gateway-model.ts';
import type { SecretObject } from '../../snapshot/model.ts';
import type { TlsCertificate } from '../types.ts';
import { loadTlsSecret, type TlsSecretResult } from '../tls-secret.ts';
import { resolveFrontendValidation } from './frontend-validation.ts';
import { referencePermitted } from './grants.ts';
import { invalidParameters, refuseForParameters } from './infrastructure.ts';
import { admission, listenerSetsByParent, type ListenerSetEntry } from './listener-sets.ts';
import { condition, type ConditionSpec, type GatewayClassReport } from './report.ts';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** The route kinds each served protocol takes. */
const ROUTE_KINDS: Readonly<Record<string, readonly string[]>> = { HTTP: ['HTTPRoute', 'GRPCRoute'], HTTPS: ['HTTPRoute', 'GRPCRoute'], TLS: ['TLSRoute'], TCP: ['TCPRoute'] };
/** The port of Bollard's listener a protocol is served on; TCP has none (ports of their own only). */
const PORT_OF: Readonly<Record<string, number | undefined>> = { HTTP: 80, HTTPS: 443, TLS: 443, TCP: undefined };
/** Protocols that may share a port: both are TLS, told apart by server name. */
const TLS_PROTOCOLS: ReadonlySet<string> = new Set(['HTTPS', 'TLS']);

/** How a TLS listener's TLSRoutes are served ('passthrough', 'terminate'), or a TCP listener's TCPRoutes ('tcp'). */
export type StreamMode = 'passthrough' | 'terminate' | 'tcp';

/** A listener as compiled: served (with its certificate) or not, with its conditions. */
export interface ListenerState {
  readonly gateway: GatewayObject;
  /** The ListenerSet the listener comes from; undefined for the Gateway's own. */
  readonly listenerSet?: ListenerSetObject;
  readonly listener: Listener;
  /** Accepted (a protocol and port Bollard serves): routes may attach and count in attachedRoutes. */
  attachable: boolean;
  /** Accepted and programmed: attached routes are served. */
  served: boolean;
  readonly proto: 'http' | 'https';
  /** A TLS listener (its TLSRoutes' connections passed through or terminated here) or a TCP one; undefined for HTTP and HTTPS. */
  readonly stream: StreamMode | undefined;
  /** Served on a port of its own on the Gateway's address, not on Bollard's HTTP or HTTPS listener. */
  readonly ownPort: boolean;
  readonly supportedKinds: readonly RouteKindRef[];
  readonly certificate: TlsCertificate | undefined;
  readonly conditions: ConditionSpec[];
  attachedRoutes: number;
}

export interface GatewayState {
  readonly gateway: GatewayObject;
  /** Its own listeners, then those of the ListenerSets it admitted, in precedence order. */
  readonly listeners: readonly ListenerState[];
  /** The ListenerSets naming it, admitted or not, in precedence order. */
  readonly listenerSets: readonly ListenerSetEntry[];
}

/** Where a listener is written: its Gateway, or a ListenerSet of the Gateway (ReferenceGrants are asked for it). */
interface ListenerOwner {
  readonly gateway: GatewayObject;
  readonly listenerSet?: ListenerSetObject;
}

export function ourClasses(api: GatewayApiSnapshot, controllerName: string): { names: ReadonlySet<string>; reports: GatewayClassReport[] } {
  const ours = api.gatewayClasses.filter((c: GatewayClassObject) => c.controllerName === controllerName);
  return {
    names: new Set(ours.map((c) => c.name)),
    reports: ours.map((c) => ({ name: c.name, generation: c.generation, conditions: [condition('Accepted', true, 'Accepted')] })),
  };
}

/** Which ports a listener may use besides 80 (HTTP) and 443 (HTTPS). */
export interface ListenerPorts {
  /** Gateways get addresses of their own (--gateway-addresses): any other port is opened there. */
  readonly own: boolean;
  /** Bollard's own ports (HTTP, HTTPS, admin), which the Gateways' addresses already use or may. */
  readonly reserved: ReadonlySet<number>;
}

export function compileGateways(
  api: GatewayApiSnapshot,
  classes: ReadonlySet<string>,
  snapshot: ClusterSnapshot,
  readings: WeakMap<SecretObject, TlsSecretResult>,
  ports: ListenerPorts,
): GatewayState[] {
  const sets = listenerSetsByParent(api);
  return api.gateways.filter((g) => classes.has(g.gatewayClassName)).map((gateway) => {
    const compile = (owner: ListenerOwner, l: Listener) => compileListener(owner, l, api, snapshot, readings, ports);
    const own = gateway.listeners.map((l) => compile({ gateway }, l));
    const parameters = invalidParameters(gateway);
    if (parameters !== undefined) refuseForParameters(own, parameters);
    const parentAccepted = own.some((l) => l.attachable);
    const listenerSets = (sets.get(refKey(gateway)) ?? []).map((ls) => admission(gateway, parentAccepted, ls, api));
    const joined = listenerSets.filter((e) => e.refused === undefined).flatMap(({ listenerSet }) => listenerSet.listeners.map((l) => compile({ gateway, listenerSet }, l)));
    const listeners = [...own, ...joined];
    markConflicts(listeners);
    return { gateway, listeners, listenerSets };
  });
}

function compileListener(
  owner: ListenerOwner, listener: Listener, api: GatewayApiSnapshot, snapshot: ClusterSnapshot, readings: WeakMap<SecretObject, TlsSecretResult>,
  ports: ListenerPorts,
): ListenerState {
  const { gateway, listenerSet } = owner;
  const known = Object.hasOwn(PORT_OF, listener.protocol);
  // A protocol Bollard does not serve supports no route kind at all: every kind it names is invalid.
  const { kinds, invalidKinds } = known ? supportedKinds(listener) : { kinds: [], invalidKinds: listener.allowedKinds.map((k) => k.kind) };
  const proto = TLS_PROTOCOLS.has(listener.protocol) ? 'https' : 'http';
  const stream = streamModeOf(listener);
  const acceptance = acceptedCondition(listener, ports);
  const needsCertificate = proto === 'https' && stream !== 'passthrough';
  const tls = needsCertificate ? resolveListenerTls(owner, listener, acceptance, api, snapshot, readings) : { ...NO_TLS, acceptance };
  const accepted = tls.acceptance.status === 'True';
  const conditions: ConditionSpec[] = [tls.acceptance];
  if (tls.problem !== undefined) conditions.push(condition('ResolvedRefs', false, tls.problem.reason, tls.problem.message));
  else if (invalidKinds.length > 0) conditions.push(condition('ResolvedRefs', false, 'InvalidRouteKinds', `route kinds not supported: ${invalidKinds.join(', ')}`));
  else conditions.push(condition('ResolvedRefs', true, 'ResolvedRefs'));
  const served = accepted && (!needsCertificate || tls.certificate !== undefined);
  conditions.push(served ? condition('Programmed', true, 'Programmed') : condition('Programmed', false, 'Invalid', 'the listener is not served'));
  const ownPort = PORT_OF[listener.protocol] !== listener.port;
  return { gateway, ...(listenerSet === undefined ? {} : { listenerSet }), listener, attachable: accepted, served, proto, stream, ownPort, supportedKinds: kinds, certificate: tls.certificate, conditions, attachedRoutes: 0 };
}

interface ListenerTls {
  readonly acceptance: ConditionSpec;
  /** With the listener's identity and client validation; undefined when it cannot be served. */
  readonly certificate: TlsCertificate | undefined;
  /** The first unresolved reference: the certificate's, else a CA's. */
  readonly problem: { reason: string; message: string } | undefined;
}

const NO_TLS = { certificate: undefined, problem: undefined };

/**
 * An accepted HTTPS listener's certificate and frontend validation (frontend-validation.ts).
 * Without any valid CA the listener is refused, not served without the validation it asks for.
 */
function resolveListenerTls(
  owner: ListenerOwner, listener: Listener, acceptance: ConditionSpec, api: GatewayApiSnapshot, snapshot: ClusterSnapshot, readings: WeakMap<SecretObject, TlsSecretResult>,
): ListenerTls {
  if (acceptance.status !== 'True') return { ...NO_TLS, acceptance };
  const { gateway, listenerSet } = owner;
  const tls = resolveCertificate(owner, listener, api, snapshot, readings);
  const frontend = resolveFrontendValidation(gateway, listener, api, snapshot);
  if (frontend.noValidCa) return { acceptance: condition('Accepted', false, 'NoValidCACertificate', frontend.problem?.message ?? ''), certificate: undefined, problem: tls.problem ?? frontend.problem };
  const certificate = tls.certificate === undefined ? undefined : {
    ...tls.certificate, gatewayListener: `${refKey(gateway)}/${listenerSet === undefined ? '' : `${refKey(listenerSet)}/`}${listener.name}`,
    ...(frontend.validation === undefined ? {} : { clientValidation: frontend.validation }),
  };
  return { acceptance, certificate, problem: tls.problem ?? frontend.problem };
}

/**
 * Accepted when Bollard serves the listener's protocol on its port: its main port (80 or 443), or,
 * with --gateway-addresses, a port of its own that none of Bollard's listeners holds. TCP has no
 * main port: ports of its own only.
 */
function acceptedCondition(listener: Listener, ports: ListenerPorts): ConditionSpec {
  if (!Object.hasOwn(PORT_OF, listener.protocol) || (listener.protocol === 'HTTPS' && listener.tlsMode === 'Passthrough')) {
    return condition('Accepted', false, 'UnsupportedProtocol', `protocol ${listener.protocol}${listener.tlsMode === 'Passthrough' ? ' (Passthrough)' : ''} is not served: use HTTP, HTTPS (Terminate), TLS or TCP`);
  }
  const main = PORT_OF[listener.protocol];
  if (main === listener.port) return condition('Accepted', true, 'Accepted');
  if (!ports.own) {
    const why = main === undefined
      ? `${listener.protocol} listeners need ports of their own: --gateway-addresses (docs/gateway-api.md)`
      : `without --gateway-addresses Bollard serves ${listener.protocol} on port ${String(main)} only (docs/gateway-api.md)`;
    return condition('Accepted', false, 'PortUnavailable', why);
  }
  if (ports.reserved.has(listener.port) || Object.values(PORT_OF).includes(listener.port)) {
    return condition('Accepted', false, 'PortUnavailable', `port ${String(listener.port)} is taken by Bollard's own listeners`);
  }
  return condition('Accepted', true, 'Accepted');
}

/** TLS listeners: Passthrough, or Terminate (the spec's default); TCP listeners. */
function streamModeOf(listener: Listener): StreamMode | undefined {
  if (listener.protocol === 'TCP') return 'tcp';
  if (listener.protocol !== 'TLS') return undefined;
  return listener.tlsMode === 'Passthrough' ? 'passthrough' : 'terminate';
}

function supportedKinds(listener: Listener): { kinds: RouteKindRef[]; invalidKinds: string[] } {
  const served = ROUTE_KINDS[listener.protocol] ?? [];
  if (listener.allowedKinds.length === 0) return { kinds: served.map((kind) => ({ group: GATEWAY_GROUP, kind })), invalidKinds: [] };
  const kinds: RouteKindRef[] = [];
  const invalidKinds: string[] = [];
  for (const k of listener.allowedKinds) {
    if (k.group === GATEWAY_GROUP && served.includes(k.kind)) kinds.push(k);
    else invalidKinds.push(k.kind);
  }
  return { kinds, invalidKinds };
}

type CertificateResult = { certificate: TlsCertificate | undefined; problem: { reason: string; message: string } | undefined };

/**
 * The first certificateRef (Bollard serves one certificate per listener); another namespace needs a
 * ReferenceGrant from the listener's owner (a ListenerSet's own, not its Gateway's).
 */
function resolveCertificate(
  owner: ListenerOwner, listener: Listener, api: GatewayApiSnapshot, snapshot: ClusterSnapshot, readings: WeakMap<SecretObject, TlsSecretResult>,
): CertificateResult {
  const ref = listener.certificateRefs[0];
  if (ref === undefined) return { certificate: undefined, problem: { reason: 'InvalidCertificateRef', message: 'an HTTPS listener needs tls.certificateRefs' } };
  if (ref.group !== '' || ref.kind !== 'Secret') {
    return { certificate: undefined, problem: { reason: 'InvalidCertificateRef', message: `certificateRef ${ref.kind} "${ref.name}" is not a core Secret` } };
  }
  const from = owner.listenerSet ?? owner.gateway;
  const namespace = ref.namespace ?? from.namespace;
  const permitted = referencePermitted(api.referenceGrants, {
    fromGroup: GATEWAY_GROUP, fromKind: owner.listenerSet === undefined ? 'Gateway' : 'ListenerSet', fromNamespace: from.namespace, toGroup: '', toKind: 'Secret', toNamespace: namespace, toName: ref.name,
  });
  if (!permitted) return { certificate: undefined, problem: { reason: 'RefNotPermitted', message: `no ReferenceGrant in "${namespace}" allows Secret "${ref.name}"` } };
  const result = loadTlsSecret(snapshot.lookupSecret(namespace, ref.name), namespace, ref.name, readings);
  if (!result.ok) return { certificate: undefined, problem: { reason: 'InvalidCertificateRef', message: result.problem } };
  return { certificate: result.certificate, problem: undefined };
}

/**
 * Listeners of one Gateway (with its ListenerSets') on the same port: a protocol clash or the same
 * hostname twice is Conflicted. Among the Gateway's own both lose. A ListenerSet's listener loses
 * to any of the Gateway's and to any ListenerSet listener before it in precedence that kept its
 * port (the older ListenerSet's, or an earlier one of its own).
 */
function markConflicts(listeners: readonly ListenerState[]): void {
  const own = listeners.filter((l) => l.listenerSet === undefined);
  const kept: ListenerState[] = [];
  for (const a of listeners) {
    const rivals = a.listenerSet === undefined ? own : [...own, ...kept];
    const clash = rivals.find((b) => b !== a && b.listener.port === a.listener.port &&
      (!compatibleProtocols(a.listener, b.listener) || (b.listener.hostname ?? '') === (a.listener.hostname ?? '')));
    if (clash === undefined) {
      a.conditions.push(condition('Conflicted', false, 'NoConflicts'));
      if (a.listenerSet !== undefined) kept.push(a);
      continue;
    }
    const reason = compatibleProtocols(a.listener, clash.listener) ? 'HostnameConflict' : 'ProtocolConflict';
    const message = `listener "${clash.listener.name}"${clash.listenerSet === undefined ? '' : ` of ListenerSet ${refKey(clash.listenerSet)}`} uses the same port`;
    a.conditions.push(condition('Conflicted', true, reason, message));
    if (a.listenerSet === undefined) replaceProgrammed(a);
    else refuseConflicted(a, reason, message);
  }
}

/** The same protocol, or HTTPS and TLS (in either TLS mode): connections are told apart by server name. */
function compatibleProtocols(a: Listener, b: Listener): boolean {
  return a.protocol === b.protocol || (TLS_PROTOCOLS.has(a.protocol) && TLS_PROTOCOLS.has(b.protocol));
}

/** A ListenerSet's listener that lost its port is not accepted: no route attaches to it. */
function refuseConflicted(state: ListenerState, reason: string, message: string): void {
  for (const [i, c] of state.conditions.entries()) {
    if (c.type === 'Accepted' || c.type === 'Programmed') state.conditions[i] = condition(c.type, false, reason, message);
  }
  state.attachable = false;
  state.served = false;
}

function replaceProgrammed(state: ListenerState): void {
  const i = state.conditions.findIndex((c) => c.type === 'Programmed');
  if (i >= 0) state.conditions[i] = condition('Programmed', false, 'Invalid', 'the listener conflicts with another');
  state.served = false;
}

export function gatewayRef(g: GatewayObject): ObjectRef {
  return { namespace: g.namespace, name: g.name };
}
