import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ClusterState } from '../snapshot/cluster-state.ts';
import type { IngressObject, SecretObject } from '../snapshot/model.ts';
import { buildRoutingTable } from './build.ts';
import { BuildCache } from './cache.ts';
import { matchRoute } from './match.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const N = 'nginx.ingress.kubernetes.io/';
const pem = (file: string): Buffer => readFileSync(new URL(`../../test/fixtures/tls/${file}`, import.meta.url));

const ingress: IngressObject = {
  namespace: 'shop', name: 'front', uid: 'uid-front', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z',
  annotations: { [`${N}backend-protocol`]: 'HTTPS', [`${N}proxy-ssl-secret`]: 'shop/upstream-ca', [`${N}proxy-ssl-verify`]: 'on' },
  rules: [{ host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 443 } } } }] }],
  tls: [], statusLoadBalancer: [],
};
const ca = (file: string): SecretObject => ({ namespace: 'shop', name: 'upstream-ca', type: 'Opaque', data: { 'ca.crt': pem(file) } });

function state(): ClusterState {
  const s = new ClusterState();
  s.upsertIngressClass({ name: 'bollard', controller: CONTROLLER, isDefault: true });
  s.upsertService({ namespace: 'shop', name: 'web', type: 'ClusterIP', externalIPs: [], statusLoadBalancer: [], ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }] });
  return s;
}

describe('proxy-ssl-secret', () => {
  it('makes its Secret relevant, Opaque or kubernetes.io/tls', () => {
    const s = state();
    expect(s.upsertOpaqueSecret(ca('rsa-2048-a.crt'))).toBe(false);
    expect(s.upsertIngress(ingress)).toBe(true);
    expect(s.upsertOpaqueSecret(ca('rsa-2048-b.crt'))).toBe(true);
    expect(s.upsertSecret({ ...ca('rsa-2048-b.crt'), type: 'kubernetes.io/tls' })).toBe(true);
  });

  it('rebuilds the routes\' upstream TLS when only the Secret changes, as a fresh build would', () => {
    const s = state();
    s.upsertIngress(ingress);
    const cache = new BuildCache();
    const options = { controllerName: CONTROLLER };
    const tlsOf = (built: ReturnType<typeof buildRoutingTable>) => matchRoute(built.table, 'a.example.com', '/')?.options.upstreamTls;
    const missing = buildRoutingTable(s, options, cache);
    expect(tlsOf(missing)).toMatchObject({ verify: true, serverName: 'web.shop.svc', caPem: undefined });
    expect(missing.diagnostics.map((d) => d.reason)).toContain('InvalidProxySSLSecret');
    s.upsertOpaqueSecret(ca('rsa-2048-a.crt'));
    const first = buildRoutingTable(s, options, cache);
    expect(tlsOf(first)?.caPem).toBe(pem('rsa-2048-a.crt').toString());
    expect(first.diagnostics.map((d) => d.reason)).not.toContain('InvalidProxySSLSecret');
    s.upsertOpaqueSecret(ca('rsa-2048-b.crt'));
    const second = buildRoutingTable(s, options, cache);
    expect(tlsOf(second)?.caPem).toBe(pem('rsa-2048-b.crt').toString());
    expect(second.table).toEqual(buildRoutingTable(s, options).table);
  });
});
