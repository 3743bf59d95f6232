// TlsTable.clientValidations across incremental builds: an auth-tls host served by ACME (its spec.tls
// entry names no Secret) is listed there; once its entry names a usable Secret the validation
// travels on the certificate instead, and back again.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Json } from '../../kube/client.ts';
import { buildRoutingTable } from '../build.ts';
import { createBuildCache } from '../cache.ts';
import { lookupCertificate } from '../match.ts';
import { tlsSecret, upsertInto, world } from '../../../test/support/routing/gateway-world.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const HOST = 'mtls.example.com';
const OPTIONS = { controllerName: 'bollard.io/ingress-controller', acme: true };

const ingress = (secretName?: string): Json => ({
  kind: 'Ingress', metadata: { namespace: 'shop', name: 'mtls', annotations: { 'nginx.ingress.kubernetes.io/auth-tls-secret': 'client-ca' } },
  spec: { ingressClassName: 'bollard', tls: [{ hosts: [HOST], ...(secretName === undefined ? {} : { secretName }) }], rules: [{ host: HOST }] },
});

describe('TlsTable.clientValidations', () => {
  it('moves to the certificate when the host gets a Secret, and back when it loses it', () => {
    const state = world([
      { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } },
      { kind: 'Secret', metadata: { namespace: 'shop', name: 'client-ca' }, type: 'Opaque', data: { 'ca.crt': Buffer.from(fixture('client-ca-a.crt')).toString('base64') } },
      tlsSecret('shop', 'server', { certPem: fixture('rsa-2048-a.crt'), keyPem: fixture('rsa-2048-a.key') }),
      ingress(),
    ]);
    const cache = createBuildCache();
    const acmeOnly = buildRoutingTable(state, OPTIONS, cache);
    expect(acmeOnly.table.tls.clientValidations?.hosts.get(HOST)?.mode).toBe('AllowInsecureFallback');
    expect(lookupCertificate(acmeOnly.table.tls, HOST)).toBeUndefined();

    upsertInto(state, ingress('server'));
    const withSecret = buildRoutingTable(state, OPTIONS, cache);
    expect(withSecret.table.tls.clientValidations).toBeUndefined();
    expect(lookupCertificate(withSecret.table.tls, HOST)?.clientValidation).toEqual(acmeOnly.table.tls.clientValidations?.hosts.get(HOST));

    upsertInto(state, ingress());
    const back = buildRoutingTable(state, OPTIONS, cache);
    expect([...back.table.tls.clientValidations?.hosts.keys() ?? []]).toEqual([HOST]);
    expect(lookupCertificate(back.table.tls, HOST)).toBeUndefined();
  });
});
