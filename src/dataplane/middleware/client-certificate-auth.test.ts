import { describe, expect, it } from '@jest/globals';
import { escapeComponent, rfc2253 } from './client-certificate-auth.ts';

describe('rfc2253', () => {
  it('lists node:crypto\'s lines last first, comma-separated, as nginx\'s $ssl_client_s_dn', () => {
    expect(rfc2253('C=DE\nO=Bollard Test\nCN=client-c')).toBe('CN=client-c,O=Bollard Test,C=DE');
    expect(rfc2253('CN=a + UID=7')).toBe('CN=a+UID=7');
    expect(rfc2253(undefined)).toBe('');
  });

  it('writes bytes beyond ASCII as \\XX, as OpenSSL\'s RFC 2253 flags do (and a header value can carry)', () => {
    expect(rfc2253('O=Müller\nCN=x')).toBe('CN=x,O=M\\C3\\BCller');
  });
});

describe('escapeComponent', () => {
  it('keeps letters, digits and -._~, and writes every other byte as %XX (nginx\'s $ssl_client_escaped_cert)', () => {
    expect(escapeComponent('-----BEGIN CERTIFICATE-----\nAb+/=\n')).toBe('-----BEGIN%20CERTIFICATE-----%0AAb%2B%2F%3D%0A');
    expect(escapeComponent('a.b_c~d')).toBe('a.b_c~d');
  });
});
