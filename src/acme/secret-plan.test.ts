import { describe, expect, it } from '@jest/globals';
import type { ClusterSnapshot, IngressObject } from '../snapshot/model.ts';
import { planTlsSecrets } from './secret-plan.ts';

const ingress = (namespace: string, name: string, tls: IngressObject['tls']): IngressObject => ({
  namespace, name, uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', annotations: {}, rules: [], tls, statusLoadBalancer: [],
});
const snapshot = (ingresses: IngressObject[]): ClusterSnapshot => ({
  ingresses: () => ingresses, ingressClasses: () => [], lookupService: () => undefined, lookupEndpointSlices: () => [], lookupSecret: () => undefined, lookupOpaqueSecret: () => undefined,
});

describe('planTlsSecrets', () => {
  it('writes a Secret named for one ACME host, from every Ingress that names it', () => {
    const s = snapshot([
      ingress('shop', 'a', [{ hosts: ['Web.example.com'], secretName: 'web-tls' }]),
      ingress('shop', 'b', [{ hosts: ['web.example.com'], secretName: 'web-tls' }]),
      ingress('shop', 'c', [{ hosts: ['other.example.com'], secretName: 'other-tls' }]),
      ingress('shop', 'd', [{ hosts: ['web.example.com'] }]),
    ]);
    expect(planTlsSecrets(s, new Set(['web.example.com']))).toEqual({
      targets: [{ secret: { namespace: 'shop', name: 'web-tls' }, name: 'web.example.com', ingresses: [{ namespace: 'shop', name: 'a' }, { namespace: 'shop', name: 'b' }] }],
      shared: [],
    });
  });

  it('reports a Secret shared by several hosts (in one entry or across Ingresses) instead of writing it', () => {
    const s = snapshot([
      ingress('shop', 'a', [{ hosts: ['a.example.com', 'www.a.example.com'], secretName: 'a-tls' }]),
      ingress('shop', 'b', [{ hosts: ['b.example.com'], secretName: 'b-tls' }]),
      ingress('shop', 'c', [{ hosts: ['c.example.com'], secretName: 'b-tls' }]),
      ingress('other', 'b', [{ hosts: ['b.example.com'], secretName: 'b-tls' }]),
    ]);
    const plan = planTlsSecrets(s, new Set(['a.example.com', 'www.a.example.com', 'b.example.com']));
    expect(plan.targets.map((t) => `${t.secret.namespace}/${t.secret.name}:${t.name}`)).toEqual(['other/b-tls:b.example.com']);
    expect(plan.shared.map((x) => `${x.secret.namespace}/${x.secret.name}:${x.hosts.join(',')}`)).toEqual([
      'shop/a-tls:a.example.com,www.a.example.com', 'shop/b-tls:b.example.com,c.example.com',
    ]);
  });

  it('considers only served Ingresses', () => {
    const s = snapshot([ingress('shop', 'a', [{ hosts: ['a.example.com'], secretName: 'x' }]), ingress('shop', 'b', [{ hosts: ['b.example.com'], secretName: 'x' }])]);
    expect(planTlsSecrets(s, new Set(['a.example.com']), new Set(['shop/a'])).targets.map((t) => t.name)).toEqual(['a.example.com']);
  });
});
