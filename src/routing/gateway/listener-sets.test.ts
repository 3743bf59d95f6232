// ListenerSets in the Gateway API build, one case per scenario of the conformance suite's
// listenerset-*.yaml (v1.6.3), written from the same objects.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Json } from '../../kube/client.ts';
import { matchRoute } from '../match.ts';
import type { RequestFacts } from '../match.ts';
import type { BuildResult, RoutingTable } from '../types.ts';
import type { ConditionSpec, GatewayApiReport, ListenerReport } from './report.ts';
import {
  build, gateway, gatewayAllowing, gatewayClass, httpListener, httpRoute, listenerSet, namespace, service, tlsSecret,
} from '../../../test/support/routing/gateway-world.ts';

const facts = (proto: 'http' | 'https' = 'http'): RequestFacts => ({ method: 'GET', proto, header: () => undefined, queryParam: () => undefined });
const backendOf = (table: RoutingTable, host: string, path: string, proto: 'http' | 'https' = 'http'): string | undefined =>
  matchRoute(table, host, path, facts(proto))?.upstream.key;

const INFRA = 'infra';
const all = { namespaces: { from: 'All' } };
const listener = (name: string, hostname: string, extra: Json = {}): Json => httpListener({ name, hostname, allowedRoutes: all, ...extra });
const services = ['v1', 'v2', 'v3'].flatMap((v, i) => service(INFRA, v, 8080, [`10.0.0.${String(i + 1)}`]));
const lsRef = (name: string, extra: Json = {}): Json => ({ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', namespace: INFRA, name, ...extra });
const route = (ns: string, name: string, parentRefs: readonly Json[], path: string, backend: string): Json => httpRoute(ns, name, {
  parentRefs, rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: backend, namespace: INFRA, port: 8080 }] }],
});
const routeGrant: Json = {
  kind: 'ReferenceGrant', metadata: { namespace: INFRA, name: 'routes' },
  spec: { from: ['allowed', 'not-allowed', 'ls-ns'].map((ns) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ns })), to: [{ group: '', kind: 'Service' }] },
};

function report(result: BuildResult): GatewayApiReport {
  if (result.gatewayApi === undefined) throw new Error('no Gateway API report');
  return result.gatewayApi;
}
const conditionsOf = (conditions: readonly ConditionSpec[]): string[] => conditions.map((c) => `${c.type}=${c.status}:${c.reason}`);
const setOf = (r: GatewayApiReport, ns: string, name: string) => r.listenerSets.find((l) => l.ref.namespace === ns && l.ref.name === name);
const listenerOf = (listeners: readonly ListenerReport[] | undefined, name: string) => listeners?.find((l) => l.name === name);
const parentsOf = (r: GatewayApiReport, ns: string, name: string) =>
  r.routes.find((x) => x.ref.namespace === ns && x.ref.name === name)?.parents.map((p) => `${p.parentRef.kind}/${p.parentRef.name}/${p.parentRef.sectionName ?? ''} ${conditionsOf(p.conditions)[0] ?? ''}`);

const ACCEPTED_SET = ['Accepted=True:Accepted', 'Programmed=True:Programmed'];
const ACCEPTED_LISTENER = ['Accepted=True:Accepted', 'ResolvedRefs=True:ResolvedRefs', 'Programmed=True:Programmed', 'Conflicted=False:NoConflicts'];
const NOT_ALLOWED = ['Accepted=False:NotAllowed', 'Programmed=False:NotAllowed'];
const NOT_VALID = ['Accepted=False:ListenersNotValid', 'Programmed=False:ListenersNotValid'];

describe('ListenerSets: which Gateway takes them (allowedListeners)', () => {
  const lsIn = (ns: string, name: string) => listenerSet(ns, name, `${INFRA}/gw`, [listener(`${name}-l`, `${name}.test`)]);
  const ns = [namespace('selected', { allowed: 'ns' }), namespace('other', {}), namespace(INFRA, {})];

  it.each([
    ['unset (the default)', gateway(INFRA, 'gw', [listener('gw', 'gw.test')])],
    ['None', gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'None')],
  ])('allows none when allowedListeners is %s', (_case, gw) => {
    const r = report(build([gatewayClass(), gw, lsIn(INFRA, 'ls'), ...ns]));
    expect(conditionsOf(setOf(r, INFRA, 'ls')?.conditions ?? [])).toEqual(NOT_ALLOWED);
    expect(setOf(r, INFRA, 'ls')?.listeners).toEqual([]);
    expect(r.gateways[0]?.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
    // attachedListenerSets is written when the Gateway says anything about ListenerSets.
    expect(r.gateways[0]?.attachedListenerSets).toBe(_case === 'None' ? 0 : undefined);
  });

  it('Same: takes the ListenerSets of its namespace only', () => {
    const r = report(build([gatewayClass(), gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'Same'), lsIn(INFRA, 'same'), lsIn('other', 'far'), ...ns]));
    expect(conditionsOf(setOf(r, INFRA, 'same')?.conditions ?? [])).toEqual(ACCEPTED_SET);
    expect(conditionsOf(listenerOf(setOf(r, INFRA, 'same')?.listeners, 'same-l')?.conditions ?? [])).toEqual(ACCEPTED_LISTENER);
    expect(conditionsOf(setOf(r, 'other', 'far')?.conditions ?? [])).toEqual(NOT_ALLOWED);
    expect(r.gateways[0]?.attachedListenerSets).toBe(1);
    // The Gateway's status lists its own listeners only.
    expect(r.gateways[0]?.listeners.map((l) => l.name)).toEqual(['gw']);
  });

  it('Selector: takes the ListenerSets of namespaces whose labels match', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'Selector', { matchLabels: { allowed: 'ns' } });
    const r = report(build([gatewayClass(), gw, lsIn('selected', 'in'), lsIn('other', 'out'), ...ns]));
    expect(conditionsOf(setOf(r, 'selected', 'in')?.conditions ?? [])).toEqual(ACCEPTED_SET);
    expect(conditionsOf(setOf(r, 'other', 'out')?.conditions ?? [])).toEqual(NOT_ALLOWED);
    expect(r.gateways[0]?.attachedListenerSets).toBe(1);
  });

  it('a Gateway with no listener of its own accepted refuses its ListenerSets (ParentNotAccepted)', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [{ name: 'tcp', port: 9000, protocol: 'TCP' }], 'All');
    const r = report(build([gatewayClass(), gw, lsIn(INFRA, 'ls')]));
    expect(conditionsOf(setOf(r, INFRA, 'ls')?.conditions ?? [])).toEqual(['Accepted=False:ParentNotAccepted', 'Programmed=False:ParentNotAccepted']);
    expect(r.gateways[0]?.attachedListenerSets).toBe(0);
  });

  it('a ListenerSet whose parent is not a Gateway of ours gets no status from us, nor do routes naming it', () => {
    const r = report(build([
      gatewayClass(), gatewayClass('theirs', 'example.com/other'), { ...gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'All'), spec: { gatewayClassName: 'theirs', listeners: [listener('gw', 'gw.test')], allowedListeners: { namespaces: { from: 'All' } } } },
      lsIn(INFRA, 'ls'), listenerSet(INFRA, 'orphan', `${INFRA}/missing`, [listener('o', 'o.test')]), ...services,
      route(INFRA, 'r', [lsRef('ls'), lsRef('orphan')], '/', 'v1'),
    ]));
    expect(r.listenerSets).toEqual([]);
    expect(r.routes).toEqual([]);
  });
});

describe('ListenerSets: routes attached through their listeners', () => {
  it('allowedRoutes namespaces are relative to the ListenerSet (All, Same, Selector), and serve only what attached', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [listener('gateway-listener', 'gateway-listener.test')], 'All');
    const ls = listenerSet(INFRA, 'ls', `${INFRA}/gw`, [
      listener('all', 'all.test'),
      listener('same', 'same.test', { allowedRoutes: { namespaces: { from: 'Same' } } }),
      listener('selector', 'selector.test', { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { allowed: 'ns' } } } } }),
    ]);
    const cross = listenerSet('ls-ns', 'cross', `${INFRA}/gw`, [listener('cross-same', 'cross.test', { allowedRoutes: { namespaces: { from: 'Same' } } })]);
    const crossRef = { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', namespace: 'ls-ns', name: 'cross' };
    const result = build([
      gatewayClass(), gw, ls, cross, namespace('allowed', { allowed: 'ns' }), namespace('not-allowed', {}), namespace('ls-ns', {}), namespace(INFRA, {}), ...services, routeGrant,
      route(INFRA, 'same-ns', [lsRef('ls')], '/route-in-same-namespace', 'v1'),
      route('allowed', 'selected-ns', [lsRef('ls')], '/route-in-selected-namespace', 'v2'),
      route('not-allowed', 'other-ns', [lsRef('ls')], '/route-not-in-selected-namespace', 'v3'),
      route('ls-ns', 'in-ls-ns', [crossRef], '/route-in-listenerset-namespace', 'v1'),
      route(INFRA, 'in-gw-ns', [crossRef], '/route-in-gateway-namespace', 'v2'),
    ]);
    const r = report(result);
    expect(setOf(r, INFRA, 'ls')?.listeners.map((l) => [l.name, l.attachedRoutes, l.supportedKinds.map((k) => k.kind)])).toEqual([
      ['all', 3, ['HTTPRoute', 'GRPCRoute']], ['same', 1, ['HTTPRoute', 'GRPCRoute']], ['selector', 1, ['HTTPRoute', 'GRPCRoute']],
    ]);
    expect(setOf(r, 'ls-ns', 'cross')?.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['cross-same', 1]]);
    expect(parentsOf(r, INFRA, 'in-gw-ns')).toEqual(['ListenerSet/cross/ Accepted=False:NotAllowedByListeners']);
    expect(parentsOf(r, 'not-allowed', 'other-ns')).toEqual(['ListenerSet/ls/ Accepted=True:Accepted']);
    expect(r.gateways[0]?.attachedListenerSets).toBe(2);
    const { table } = result;
    expect(backendOf(table, 'all.test', '/route-in-same-namespace')).toBe('infra/v1:8080');
    expect(backendOf(table, 'all.test', '/route-in-selected-namespace')).toBe('infra/v2:8080');
    expect(backendOf(table, 'all.test', '/route-not-in-selected-namespace')).toBe('infra/v3:8080');
    expect(backendOf(table, 'same.test', '/route-in-same-namespace')).toBe('infra/v1:8080');
    expect(backendOf(table, 'same.test', '/route-in-selected-namespace')).toBeUndefined();
    expect(backendOf(table, 'selector.test', '/route-in-selected-namespace')).toBe('infra/v2:8080');
    expect(backendOf(table, 'selector.test', '/route-in-same-namespace')).toBeUndefined();
    expect(backendOf(table, 'cross.test', '/route-in-listenerset-namespace')).toBe('infra/v1:8080');
    expect(backendOf(table, 'cross.test', '/route-in-gateway-namespace')).toBeUndefined();
    expect(backendOf(table, 'gateway-listener.test', '/route-in-same-namespace')).toBeUndefined();
  });

  it('a listener of a protocol Bollard does not serve names no valid route kind (InvalidRouteKinds)', () => {
    const ls = listenerSet(INFRA, 'ls', `${INFRA}/gw`, [{ name: 'udp-only', port: 9000, protocol: 'UDP', hostname: 'udp.test', allowedRoutes: { ...all, kinds: [{ kind: 'HTTPRoute' }] } }]);
    const r = report(build([gatewayClass(), gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'All'), ls]));
    const l = listenerOf(setOf(r, INFRA, 'ls')?.listeners, 'udp-only');
    expect(l?.conditions.find((c) => c.type === 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidRouteKinds' });
    expect(l?.supportedKinds).toEqual([]);
    expect(conditionsOf(setOf(r, INFRA, 'ls')?.conditions ?? [])).toEqual(NOT_VALID);
  });

  it('HTTP routing: a Gateway parentRef reaches the Gateway\'s listeners, a ListenerSet parentRef that ListenerSet\'s (sectionName too)', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [listener('gateway-listener-1', 'gw-1.test'), listener('gateway-listener-2', 'gw-2.test')], 'All');
    const ls1 = listenerSet(INFRA, 'ls-1', `${INFRA}/gw`, [listener('ls-1-l-1', 'ls-1-1.test'), listener('ls-1-l-2', 'ls-1-2.test')]);
    const ls2 = listenerSet(INFRA, 'ls-2', `${INFRA}/gw`, [listener('ls-2-l-1', 'ls-2-1.test'), listener('ls-2-l-2', 'ls-2-2.test')]);
    const gwRef = { name: 'gw', namespace: INFRA };
    const result = build([
      gatewayClass(), gw, ls1, ls2, ...services,
      route(INFRA, 'everywhere', [gwRef, lsRef('ls-1'), lsRef('ls-2')], '/route', 'v1'),
      route(INFRA, 'gateway-route', [gwRef], '/gateway-route', 'v2'),
      route(INFRA, 'gateway-section-route', [{ ...gwRef, sectionName: 'gateway-listener-1' }], '/gateway-section-route', 'v3'),
      route(INFRA, 'ls-1-route', [lsRef('ls-1')], '/ls-1-route', 'v2'),
      route(INFRA, 'ls-1-section-route', [lsRef('ls-1', { sectionName: 'ls-1-l-1' })], '/ls-1-section-route', 'v3'),
      route(INFRA, 'ls-2-route', [lsRef('ls-2')], '/ls-2-route', 'v2'),
    ]);
    const r = report(result);
    expect(r.gateways[0]?.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['gateway-listener-1', 3], ['gateway-listener-2', 2]]);
    expect(setOf(r, INFRA, 'ls-1')?.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['ls-1-l-1', 3], ['ls-1-l-2', 2]]);
    expect(setOf(r, INFRA, 'ls-2')?.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['ls-2-l-1', 2], ['ls-2-l-2', 2]]);
    const hosts = ['gw-1.test', 'gw-2.test', 'ls-1-1.test', 'ls-1-2.test', 'ls-2-1.test', 'ls-2-2.test'];
    const served = (path: string) => hosts.map((h) => backendOf(result.table, h, path) ?? '-');
    expect(served('/route')).toEqual(Array(6).fill('infra/v1:8080'));
    expect(served('/gateway-route')).toEqual(['infra/v2:8080', 'infra/v2:8080', '-', '-', '-', '-']);
    expect(served('/gateway-section-route')).toEqual(['infra/v3:8080', '-', '-', '-', '-', '-']);
    expect(served('/ls-1-route')).toEqual(['-', '-', 'infra/v2:8080', 'infra/v2:8080', '-', '-']);
    expect(served('/ls-1-section-route')).toEqual(['-', '-', 'infra/v3:8080', '-', '-', '-']);
    expect(served('/ls-2-route')).toEqual(['-', '-', '-', '-', 'infra/v2:8080', 'infra/v2:8080']);
  });

  it('dual parentRefs are judged each on its own; a ListenerSet listener\'s name is no sectionName of the Gateway', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [httpListener({ name: 'gw-l', hostname: 'gw-dual.test' })], 'Same');
    const ls = listenerSet(INFRA, 'ls', `${INFRA}/gw`, [httpListener({ name: 'ls-l', hostname: 'ls-dual.test' })]);
    const gwRef = { name: 'gw', namespace: INFRA };
    const result = build([
      gatewayClass(), gw, ls, ...services,
      route(INFRA, 'both', [gwRef, lsRef('ls')], '/dualboth', 'v1'),
      route(INFRA, 'one', [{ ...gwRef, sectionName: 'ls-l' }, lsRef('ls', { sectionName: 'ls-l' })], '/dualone', 'v2'),
      route(INFRA, 'gw-only', [gwRef], '/gwonly', 'v1'),
      route(INFRA, 'ls-only', [lsRef('ls')], '/lsonly', 'v2'),
    ]);
    const r = report(result);
    expect(parentsOf(r, INFRA, 'both')).toEqual(['Gateway/gw/ Accepted=True:Accepted', 'ListenerSet/ls/ Accepted=True:Accepted']);
    expect(parentsOf(r, INFRA, 'one')).toEqual(['Gateway/gw/ls-l Accepted=False:NoMatchingParent', 'ListenerSet/ls/ls-l Accepted=True:Accepted']);
    // Status only for the parentRefs a route declares.
    expect(parentsOf(r, INFRA, 'gw-only')).toEqual(['Gateway/gw/ Accepted=True:Accepted']);
    expect(parentsOf(r, INFRA, 'ls-only')).toEqual(['ListenerSet/ls/ Accepted=True:Accepted']);
    expect(setOf(r, INFRA, 'ls')?.listeners[0]?.attachedRoutes).toBe(3);
    expect(backendOf(result.table, 'gw-dual.test', '/dualboth')).toBe('infra/v1:8080');
    expect(backendOf(result.table, 'ls-dual.test', '/dualboth')).toBe('infra/v1:8080');
    expect(backendOf(result.table, 'ls-dual.test', '/dualone')).toBe('infra/v2:8080');
    expect(backendOf(result.table, 'gw-dual.test', '/dualone')).toBeUndefined();
  });

  it('a route naming a ListenerSet its Gateway refused is not accepted there', () => {
    const r = report(build([
      gatewayClass(), gateway(INFRA, 'gw', [listener('gw', 'gw.test')]), listenerSet(INFRA, 'ls', `${INFRA}/gw`, [listener('l', 'l.test')]), ...services,
      route(INFRA, 'r', [lsRef('ls')], '/', 'v1'),
    ]));
    expect(parentsOf(r, INFRA, 'r')).toEqual(['ListenerSet/ls/ Accepted=False:NotAllowedByListeners']);
  });
});

describe('ListenerSets: conflicts with the Gateway\'s and each other\'s listeners (precedence)', () => {
  const at = (day: number) => ({ creationTimestamp: `2024-01-0${String(day)}T00:00:00Z` });
  const LOST = (reason: string) => [`Accepted=False:${reason}`, 'ResolvedRefs=True:ResolvedRefs', `Programmed=False:${reason}`, `Conflicted=True:${reason}`];

  it.each([
    ['HostnameConflict', (name: string, host: string): Json => listener(name, host)],
    ['ProtocolConflict', (name: string): Json => ({ name, port: 80, protocol: 'TCP', allowedRoutes: all })],
  ])('%s: the Gateway wins, then the older ListenerSet; a ListenerSet with no listener left is not accepted', (reason, conflicting) => {
    const gw = gatewayAllowing(INFRA, 'gw', [listener('gateway-listener', 'gateway-listener.test'), listener('with-gateway', 'with-gateway.test')], 'Same');
    const r = report(build([
      gatewayClass(), gw,
      listenerSet(INFRA, 'with-gateway-1', `${INFRA}/gw`, [listener('ls-1-l', 'ls-1.test'), conflicting('with-gateway', 'with-gateway.test'), listener('with-ls', 'with-ls.test')], at(1)),
      listenerSet(INFRA, 'with-gateway-2', `${INFRA}/gw`, [conflicting('with-gateway', 'with-gateway.test')], at(2)),
      listenerSet(INFRA, 'with-ls-1', `${INFRA}/gw`, [listener('ls-2-l', 'ls-2.test'), conflicting('with-ls', 'with-ls.test')], at(3)),
      listenerSet(INFRA, 'with-ls-2', `${INFRA}/gw`, [conflicting('with-ls', 'with-ls.test')], at(4)),
    ]));
    expect(r.gateways[0]?.listeners.map((l) => conditionsOf(l.conditions))).toEqual([ACCEPTED_LISTENER, ACCEPTED_LISTENER]);
    expect(r.gateways[0]?.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
    expect(r.gateways[0]?.attachedListenerSets).toBe(2);
    const listeners = (name: string) => Object.fromEntries((setOf(r, INFRA, name)?.listeners ?? []).map((l) => [l.name, conditionsOf(l.conditions)]));
    expect(listeners('with-gateway-1')).toEqual({ 'ls-1-l': ACCEPTED_LISTENER, 'with-gateway': LOST(reason), 'with-ls': ACCEPTED_LISTENER });
    expect(conditionsOf(setOf(r, INFRA, 'with-gateway-1')?.conditions ?? [])).toEqual(['Accepted=True:ListenersNotValid', 'Programmed=True:Programmed']);
    expect(listeners('with-gateway-2')).toEqual({ 'with-gateway': LOST(reason) });
    expect(conditionsOf(setOf(r, INFRA, 'with-gateway-2')?.conditions ?? [])).toEqual(NOT_VALID);
    expect(listeners('with-ls-1')).toEqual({ 'ls-2-l': ACCEPTED_LISTENER, 'with-ls': LOST(reason) });
    expect(conditionsOf(setOf(r, INFRA, 'with-ls-1')?.conditions ?? [])).toEqual(['Accepted=True:ListenersNotValid', 'Programmed=True:Programmed']);
    expect(conditionsOf(setOf(r, INFRA, 'with-ls-2')?.conditions ?? [])).toEqual(NOT_VALID);
  });

  it('between ListenerSets created at the same time, namespace/name decides', () => {
    const gw = gatewayAllowing(INFRA, 'gw', [listener('gw', 'gw.test')], 'Same');
    const r = report(build([gatewayClass(), gw, listenerSet(INFRA, 'b', `${INFRA}/gw`, [listener('x', 'x.test')]), listenerSet(INFRA, 'a', `${INFRA}/gw`, [listener('x', 'x.test')])]));
    expect(conditionsOf(setOf(r, INFRA, 'a')?.conditions ?? [])).toEqual(ACCEPTED_SET);
    expect(conditionsOf(setOf(r, INFRA, 'b')?.conditions ?? [])).toEqual(NOT_VALID);
  });
});

describe('ListenerSets: certificates and ReferenceGrants', () => {
  const pair = {
    certPem: readFileSync(new URL('../../../test/fixtures/tls/rsa-2048-a.crt', import.meta.url), 'utf8'),
    keyPem: readFileSync(new URL('../../../test/fixtures/tls/rsa-2048-a.key', import.meta.url), 'utf8'),
  };
  const https = (name: string, hostname: string): Json =>
    ({ name, port: 443, protocol: 'HTTPS', hostname, allowedRoutes: all, tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'certificate', namespace: 'web' }] } });
  const grantFrom = (kind: string, ns: string): Json => ({
    kind: 'ReferenceGrant', metadata: { namespace: 'web', name: `from-${kind}` },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind, namespace: ns }], to: [{ group: '', kind: 'Secret' }] },
  });

  it('a ListenerSet\'s certificate in another namespace needs a grant from ListenerSet (the Gateway\'s does not count), and is served once granted', () => {
    const result = build([
      gatewayClass(), gatewayAllowing(INFRA, 'gw', [https('gw', 'gw.test')], 'All'), tlsSecret('web', 'certificate', pair),
      grantFrom('Gateway', INFRA), grantFrom('ListenerSet', INFRA),
      listenerSet(INFRA, 'with-grant', `${INFRA}/gw`, [https('granted', 'granted.test')]),
      listenerSet('elsewhere', 'without-grant', `${INFRA}/gw`, [https('refused', 'refused.test')]),
      ...services, route(INFRA, 'r', [lsRef('with-grant')], '/', 'v1'),
    ]);
    const r = report(result);
    expect(conditionsOf(setOf(r, INFRA, 'with-grant')?.conditions ?? [])).toEqual(ACCEPTED_SET);
    expect(listenerOf(setOf(r, INFRA, 'with-grant')?.listeners, 'granted')?.conditions.find((c) => c.type === 'ResolvedRefs')?.status).toBe('True');
    expect(conditionsOf(setOf(r, 'elsewhere', 'without-grant')?.conditions ?? [])).toEqual(NOT_VALID);
    expect(listenerOf(setOf(r, 'elsewhere', 'without-grant')?.listeners, 'refused')?.conditions.find((c) => c.type === 'ResolvedRefs'))
      .toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(result.table.tls.hosts.get('granted.test')?.gatewayListener).toBe(`${INFRA}/gw/${INFRA}/with-grant/granted`);
    expect(result.table.tls.hosts.has('refused.test')).toBe(false);
    expect(backendOf(result.table, 'granted.test', '/', 'https')).toBe('infra/v1:8080');
  });
});
