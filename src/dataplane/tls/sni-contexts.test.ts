import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { ClientCertificateValidation, TlsCertificate, TlsTable } from '../../routing/types.ts';
import { SniContexts, type ServerContext } from './sni-contexts.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const acme: TlsCertificate = { secret: { namespace: 'acme', name: 'store' }, certPem: fixture('rsa-2048-a.crt'), keyPem: fixture('rsa-2048-a.key') };
const validation: ClientCertificateValidation = { mode: 'AllowInsecureFallback', caPem: fixture('client-ca-a.crt') };
const table = (hosts: string[]): TlsTable => ({
  hosts: new Map(), wildcards: new Map(), clientValidations: { hosts: new Map(hosts.map((h) => [h, validation])), wildcards: new Map() },
});

function contexts(): SniContexts {
  return new SniContexts({ minVersion: 'TLSv1.2', ciphers: undefined }, (secret, err) => { throw new Error(`${secret}: ${String(err)}`); }, () => acme);
}

describe('SniContexts with ACME certificates', () => {
  it('puts the host\'s auth-tls on the ACME certificate, made once: every handshake gets the same context and entry', () => {
    const sni = contexts();
    sni.update(table(['mtls.test']));
    const first = sni.lookup('mtls.test') as ServerContext;
    const second = sni.lookup('mtls.test') as ServerContext;
    expect(first.entry?.clientValidation).toBe(validation);
    expect(first.extra).toBe(true);
    expect(second.context).toBe(first.context);
    expect(second.entry).toBe(first.entry);
  });

  it('asks nothing of a host without auth-tls, with a context of its own', () => {
    const sni = contexts();
    sni.update(table(['mtls.test']));
    const plain = sni.lookup('plain.test') as ServerContext;
    expect(plain.entry).toBeUndefined();
    expect(plain.context).not.toBe((sni.lookup('mtls.test') as ServerContext).context);
  });
});

describe('SniContexts with a table wildcard over an auth-tls host', () => {
  it('asks for the client certificate on the wildcard certificate\'s handshake for that host only', () => {
    const wildcard: TlsCertificate = { secret: { namespace: 'shop', name: 'wildcard' }, certPem: fixture('rsa-2048-b.crt'), keyPem: fixture('rsa-2048-b.key') };
    const sni = contexts();
    sni.update({ ...table(['mtls.example.test']), wildcards: new Map([['example.test', wildcard]]) });
    const mtls = sni.lookup('mtls.example.test') as ServerContext;
    const other = sni.lookup('other.example.test') as ServerContext;
    expect(mtls.entry?.clientValidation).toBe(validation);
    expect(mtls.entry?.certPem).toBe(wildcard.certPem);
    expect(other.entry).toBe(wildcard);
    expect((sni.lookup('mtls.example.test') as ServerContext).context).toBe(mtls.context);
  });
});
