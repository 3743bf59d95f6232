import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Json } from '../../kube/client.ts';
import { lookupCertificate } from '../match.ts';
import type { BuildResult } from '../types.ts';
import { build, caConfigMap, gateway, gatewayClass, httpListener, tlsSecret } from '../../../test/support/routing/gateway-world.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const serverPair = { certPem: fixture('rsa-2048-a.crt'), keyPem: fixture('rsa-2048-a.key') };
const CA_A = fixture('client-ca-a.crt');
const CA_B = fixture('client-ca-b.crt');

const https = (name = 'https', extra: Json = {}): Json =>
  ({ name, port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'server' }] }, ...extra });
const caRef = (name: string, extra: Json = {}): Json => ({ group: '', kind: 'ConfigMap', name, ...extra });
const validating = (name: string, frontend: Json, listeners: readonly Json[] = [https()]): Json => {
  const gw = gateway('gw', name, listeners);
  return { ...gw, spec: { ...(gw.spec as Json), tls: { frontend } } };
};
const base = [gatewayClass(), tlsSecret('gw', 'server', serverPair), caConfigMap('gw', 'ca-a', CA_A), caConfigMap('gw', 'ca-b', CA_B)];

const listenerConditions = (result: BuildResult, gw: string, listener = 'https') =>
  result.gatewayApi?.gateways.find((g) => g.ref.name === gw)?.listeners.find((l) => l.name === listener)?.conditions
    .filter((c) => c.type !== 'Conflicted').map((c) => `${c.type}=${c.status}:${c.reason}`);

describe('Gateway frontend client-certificate validation', () => {
  it('puts the default validation\'s CA bundle and mode on the listener\'s certificate', () => {
    const result = build([...base, validating('mtls', { default: { validation: { caCertificateRefs: [caRef('ca-a')] } }, perPort: [{ port: 8443, tls: { validation: { caCertificateRefs: [caRef('ca-b')] } } }] })]);
    const cert = result.table.tls.anyHost;
    expect(cert?.gatewayListener).toBe('gw/mtls/https');
    expect(cert?.clientValidation).toEqual({ caPem: `${CA_A.trim()}\n`, mode: 'AllowValidOnly' });
    expect(listenerConditions(result, 'mtls')).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=True:ResolvedRefs', 'Programmed=True:Programmed']);
    expect(result.gatewayApi?.gateways[0]?.conditions.map((c) => c.type)).toEqual(['Accepted', 'Programmed', 'ResolvedRefs']);
  });

  it('a perPort entry overrides the default for its port, with its own mode; the Gateway then reports insecure fallback', () => {
    const result = build([...base, validating('mtls', {
      default: { validation: { caCertificateRefs: [caRef('ca-a')] } },
      perPort: [{ port: 443, tls: { validation: { caCertificateRefs: [caRef('ca-b')], mode: 'AllowInsecureFallback' } } }],
    }, [https('https', { hostname: 'shop.example.com' })])]);
    expect(lookupCertificate(result.table.tls, 'shop.example.com')?.clientValidation).toEqual({ caPem: `${CA_B.trim()}\n`, mode: 'AllowInsecureFallback' });
    expect(result.gatewayApi?.gateways[0]?.conditions).toContainEqual(expect.objectContaining({ type: 'InsecureFrontendValidationMode', status: 'True', reason: 'ConfigurationChanged' }));
  });

  it('a perPort entry without validation turns the default off for its port', () => {
    const result = build([...base, validating('mtls', { default: { validation: { caCertificateRefs: [caRef('ca-a')] } }, perPort: [{ port: 443, tls: {} }] })]);
    expect(result.table.tls.anyHost?.clientValidation).toBeUndefined();
    expect(result.table.tls.anyHost?.gatewayListener).toBe('gw/mtls/https');
  });

  it('refuses a listener whose every CA reference is invalid, with the spec\'s reason for each kind of fault', () => {
    const result = build([
      ...base, caConfigMap('gw', 'garbage', 'not a certificate'), { kind: 'ConfigMap', metadata: { namespace: 'gw', name: 'no-key' }, data: { other: CA_A } },
      caConfigMap('elsewhere', 'ca', CA_A),
      validating('missing', { default: { validation: { caCertificateRefs: [caRef('does-not-exist')] } } }),
      validating('kind', { default: { validation: { caCertificateRefs: [{ group: '', kind: 'Service', name: 'infra-backend-v2' }] } } }),
      validating('grant', { default: { validation: { caCertificateRefs: [caRef('ca', { namespace: 'elsewhere' })] } } }),
      validating('garbage', { default: { validation: { caCertificateRefs: [caRef('garbage')] } } }),
      validating('nokey', { default: { validation: { caCertificateRefs: [caRef('no-key')] } } }),
    ]);
    const refused = (reason: string) => ['Accepted=False:NoValidCACertificate', `ResolvedRefs=False:${reason}`, 'Programmed=False:Invalid'];
    expect(listenerConditions(result, 'missing')).toEqual(refused('InvalidCACertificateRef'));
    expect(listenerConditions(result, 'kind')).toEqual(refused('InvalidCACertificateKind'));
    expect(listenerConditions(result, 'grant')).toEqual(refused('RefNotPermitted'));
    expect(listenerConditions(result, 'garbage')).toEqual(refused('InvalidCACertificateRef'));
    expect(listenerConditions(result, 'nokey')).toEqual(refused('InvalidCACertificateRef'));
    // None is served: no certificate of theirs answers, so no client gets in without validation.
    expect(result.table.tls.anyHost).toBeUndefined();
  });

  it('a ReferenceGrant lets a Gateway use another namespace\'s ConfigMap', () => {
    const result = build([
      ...base, caConfigMap('elsewhere', 'ca', CA_A),
      { kind: 'ReferenceGrant', metadata: { namespace: 'elsewhere', name: 'ca' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw' }], to: [{ group: '', kind: 'ConfigMap' }] } },
      validating('grant', { default: { validation: { caCertificateRefs: [caRef('ca', { namespace: 'elsewhere' })] } } }),
    ]);
    expect(listenerConditions(result, 'grant')).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=True:ResolvedRefs', 'Programmed=True:Programmed']);
    expect(result.table.tls.anyHost?.clientValidation?.caPem).toContain('BEGIN CERTIFICATE');
  });

  it('serves with the valid references when only some are invalid, and reports the others', () => {
    const result = build([...base, validating('mixed', { default: { validation: { caCertificateRefs: [caRef('does-not-exist'), caRef('ca-a'), caRef('ca-b')] } } })]);
    expect(listenerConditions(result, 'mixed')).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=False:InvalidCACertificateRef', 'Programmed=True:Programmed']);
    expect(result.table.tls.anyHost?.clientValidation?.caPem).toBe(`${CA_A.trim()}\n${CA_B.trim()}\n`);
  });

  it('reads ca.crt of a Secret too', () => {
    const secret = { kind: 'Secret', metadata: { namespace: 'gw', name: 'ca-secret' }, type: 'Opaque', data: { 'ca.crt': Buffer.from(CA_B).toString('base64') } };
    const result = build([...base, secret, validating('secret', { default: { validation: { caCertificateRefs: [{ group: '', kind: 'Secret', name: 'ca-secret' }] } } })]);
    expect(result.table.tls.anyHost?.clientValidation?.caPem).toBe(`${CA_B.trim()}\n`);
  });

  it('a listener with validation takes its name from an Ingress\'s certificate (without, the Ingress\'s stays)', () => {
    const ingress = (host: string): Json[] => [
      { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } },
      tlsSecret('gw', 'ingress-cert', { certPem: fixture('rsa-2048-b.crt'), keyPem: fixture('rsa-2048-b.key') }),
      { kind: 'Ingress', metadata: { namespace: 'gw', name: 'shop' }, spec: { ingressClassName: 'bollard', tls: [{ hosts: [host], secretName: 'ingress-cert' }], rules: [{ host }] } },
    ];
    const listener = (name: string) => https(name, { hostname: `${name}.example.com` });
    const result = build([...base, ...ingress('strict.example.com'), ...ingress('open.example.com').slice(2).map((o) => ({ ...o, metadata: { namespace: 'gw', name: 'open' } })),
      validating('mtls', { default: { validation: { caCertificateRefs: [caRef('ca-a')] } } }, [listener('strict')]),
      gateway('gw', 'plain', [listener('open')])]);
    expect(lookupCertificate(result.table.tls, 'strict.example.com')?.gatewayListener).toBe('gw/mtls/strict');
    expect(lookupCertificate(result.table.tls, 'open.example.com')?.secret.name).toBe('ingress-cert');
  });

  it('a Gateway\'s certificates joining the shared table keep the auth-tls of Ingress hosts served by ACME, and their names', () => {
    const acmeHost = 'acme.example.com';
    const ingress: Json[] = [
      { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } },
      { kind: 'Secret', metadata: { namespace: 'gw', name: 'client-ca' }, type: 'Opaque', data: { 'ca.crt': Buffer.from(CA_A).toString('base64') } },
      {
        kind: 'Ingress', metadata: { namespace: 'gw', name: 'mtls', annotations: { 'nginx.ingress.kubernetes.io/auth-tls-secret': 'client-ca' } },
        spec: { ingressClassName: 'bollard', tls: [{ hosts: [acmeHost] }], rules: [{ host: acmeHost }] },
      },
    ];
    const listeners = [https('open', { hostname: 'open.example.com' }), https('same', { hostname: acmeHost })];
    const result = build([...base, ...ingress, gateway('gw', 'plain', listeners)], { acme: true });
    expect(lookupCertificate(result.table.tls, 'open.example.com')?.gatewayListener).toBe('gw/plain/open');
    expect(result.table.tls.clientValidations?.hosts.get(acmeHost)?.caPem).toContain('BEGIN CERTIFICATE');
    // A listener's certificate without validation would answer the name's handshakes without asking for the client's.
    expect(lookupCertificate(result.table.tls, acmeHost)).toBeUndefined();
  });

  it('an invalid default leaves HTTP listeners alone (validation is for HTTPS)', () => {
    const result = build([...base, validating('both', { default: { validation: { caCertificateRefs: [caRef('does-not-exist')] } }, perPort: [{ port: 80, tls: { validation: { caCertificateRefs: [caRef('ca-a')] } } }] }, [https(), httpListener()])]);
    expect(listenerConditions(result, 'both', 'http')).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=True:ResolvedRefs', 'Programmed=True:Programmed']);
    expect(listenerConditions(result, 'both', 'https')).toEqual(['Accepted=False:NoValidCACertificate', 'ResolvedRefs=False:InvalidCACertificateRef', 'Programmed=False:Invalid']);
  });
});
