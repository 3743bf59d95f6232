// The ACME/etcd flags through the real config loader.
import { describe, expect, it } from '@jest/globals';
import { loadControllerConfig } from '../../../src/config/load.ts';

describe('ACME configuration', () => {
  it('defaults to ACME off, Let\'s Encrypt, /bollard/acme/', () => {
    const c = loadControllerConfig([], {});
    expect([c.acmeEnabled, c.acmeDirectory, c.etcdPrefix, c.etcdEndpoints, c.acmeLeaseTtlSeconds]).toEqual([
      false, 'https://acme-v02.api.letsencrypt.org/directory', '/bollard/acme/', [], 15,
    ]);
  });

  it('reads flags and BOLLARD_* variables', () => {
    const c = loadControllerConfig(['--acme-enabled', 'true', '--etcd-endpoints', 'https://10.0.0.1:2379, https://10.0.0.2:2379'], {
      BOLLARD_ACME_EMAIL: 'ops@example.com', BOLLARD_ETCD_CA_FILE: '/ca.pem',
    });
    expect([c.acmeEnabled, c.etcdEndpoints, c.acmeEmail, c.etcdCaFile]).toEqual([true, ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'], 'ops@example.com', '/ca.pem']);
  });

  it('refuses ACME without etcd, a bad email, a bad directory, a lone client certificate', () => {
    expect(() => loadControllerConfig(['--acme-enabled', 'true'], {})).toThrow(/acme-enabled needs etcd-endpoints/);
    expect(() => loadControllerConfig(['--acme-email', 'not-an-email'], {})).toThrow(/--acme-email/);
    expect(() => loadControllerConfig(['--acme-directory', 'ftp://x'], {})).toThrow(/--acme-directory/);
    expect(() => loadControllerConfig(['--etcd-cert-file', '/c.pem'], {})).toThrow(/go together/);
  });

  it('reads the AcmeIssuer name and the Secret-writing switch (defaults: flags issuer, writing on)', () => {
    const d = loadControllerConfig([], {});
    expect([d.acmeIssuer, d.acmeWriteTlsSecrets]).toEqual(['', true]);
    const c = loadControllerConfig(['--acme-issuer', 'letsencrypt'], { BOLLARD_ACME_WRITE_TLS_SECRETS: 'false' });
    expect([c.acmeIssuer, c.acmeWriteTlsSecrets]).toEqual(['letsencrypt', false]);
    expect(() => loadControllerConfig(['--acme-issuer', 'Not_A_Name'], {})).toThrow(/--acme-issuer/);
    expect(() => loadControllerConfig(['--acme-write-tls-secrets', 'yes'], {})).toThrow(/--acme-write-tls-secrets/);
  });
});
