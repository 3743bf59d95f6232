import { describe, expect, it } from '@jest/globals';
import type { ClusterSnapshot, IngressObject, SecretObject } from '../snapshot/model.ts';
import { selectAcmeNames } from './names.ts';

const ingress = (name: string, tls: IngressObject['tls'], annotations: Record<string, string> = {}, namespace = 'shop'): IngressObject => ({
  namespace, name, uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', annotations, rules: [], tls, statusLoadBalancer: [],
});
const snapshot = (ingresses: IngressObject[], secrets: SecretObject[] = []): ClusterSnapshot => ({
  ingresses: () => ingresses,
  ingressClasses: () => [],
  lookupService: () => undefined,
  lookupEndpointSlices: () => [],
  lookupSecret: (ns, n) => secrets.find((s) => s.namespace === ns && s.name === n),
  lookupOpaqueSecret: () => undefined,
});
const secret = (name: string): SecretObject => ({ namespace: 'shop', name, type: 'kubernetes.io/tls', data: {} });

describe('selectAcmeNames', () => {
  it('takes spec.tls hosts whose Secret is absent, not those with a Secret', () => {
    const s = snapshot([ingress('a', [{ hosts: ['A.example.com', 'b.example.com'], secretName: 'missing' }, { hosts: ['c.example.com'], secretName: 'present' }])], [secret('present')]);
    expect(selectAcmeNames(s, { issued: new Set() }).names).toEqual([
      { name: 'a.example.com', ingresses: [{ namespace: 'shop', name: 'a' }], secret: { namespace: 'shop', name: 'missing' } },
      { name: 'b.example.com', ingresses: [{ namespace: 'shop', name: 'a' }], secret: { namespace: 'shop', name: 'missing' } },
    ]);
  });

  it('takes every tls host with the opt-in annotation, and keeps issued names after their Secret appears', () => {
    const s = snapshot([
      ingress('opt', [{ hosts: ['opt.example.com'], secretName: 'present' }], { 'bollard.io/acme': 'true' }),
      ingress('kept', [{ hosts: ['kept.example.com'], secretName: 'present' }]),
    ], [secret('present')]);
    expect(selectAcmeNames(s, { issued: new Set(['kept.example.com']) }).names.map((n) => n.name)).toEqual(['kept.example.com', 'opt.example.com']);
  });

  it('merges Ingresses asking for one name, skips wildcards and invalid hosts, honours served', () => {
    const s = snapshot([
      ingress('one', [{ hosts: ['same.example.com', '*.wild.example.com', 'bad_host'] }]),
      ingress('two', [{ hosts: ['same.example.com'] }]),
      ingress('other-class', [{ hosts: ['x.example.com'] }]),
    ]);
    const sel = selectAcmeNames(s, { issued: new Set(), served: new Set(['shop/one', 'shop/two']) });
    expect(sel.names).toEqual([{ name: 'same.example.com', ingresses: [{ namespace: 'shop', name: 'one' }, { namespace: 'shop', name: 'two' }] }]);
    expect(sel.skipped.map((k) => `${k.host}:${k.reason}`)).toEqual(['*.wild.example.com:WildcardNeedsDns01', 'bad_host:InvalidHost']);
  });

  it('keeps the hosts of a Secret Bollard manages (the label tells), though no certificate is in storage', () => {
    const s = snapshot([ingress('web', [{ hosts: ['web.example.com'], secretName: 'web-tls' }]), ingress('own', [{ hosts: ['own.example.com'], secretName: 'own-tls' }])], [secret('web-tls'), secret('own-tls')]);
    expect(selectAcmeNames(s, { issued: new Set(), managedSecrets: new Set(['shop/web-tls']) }).names.map((n) => n.name)).toEqual(['web.example.com']);
  });

  it('orders wildcards when the issuer uses DNS-01, and still refuses invalid ones', () => {
    const s = snapshot([ingress('wild', [{ hosts: ['*.wild.example.com', '*.bad_label.example.com'] }])]);
    const sel = selectAcmeNames(s, { issued: new Set(), dns01: true });
    expect(sel.names.map((n) => n.name)).toEqual(['*.wild.example.com']);
    expect(sel.skipped.map((k) => `${k.host}:${k.reason}`)).toEqual(['*.bad_label.example.com:InvalidHost']);
  });
});
