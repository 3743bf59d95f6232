import { describe, expect, it } from '@jest/globals';
import { readyCondition } from './issuer-resource.ts';
import { parseIssuerSpec } from './issuer-spec.ts';
import { managedSecretOf, pairDigest } from './managed-secrets.ts';

const base = { directory: 'https://acme.example.com/directory', email: 'ops@example.com' };
const rfc2136 = { nameserver: '192.0.2.53:53', tsigKeyName: 'bollard', tsigSecretRef: { name: 'tsig', namespace: 'kube-system' } };

describe('parseIssuerSpec', () => {
  it('fills the CRD defaults', () => {
    expect(parseIssuerSpec(base)).toEqual({ ok: true, spec: { directoryUrl: base.directory, email: base.email, keyType: 'ECDSA-P256', challenge: { type: 'http-01' } } });
  });

  it('reads EAB and dns-01 through RFC 2136 with their defaults', () => {
    const got = parseIssuerSpec({
      ...base, keyType: 'RSA-2048',
      externalAccountBinding: { keyID: 'kid-1', hmacKeySecretRef: { name: 'eab', namespace: 'ops' } },
      challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', rfc2136 } },
    });
    expect(got).toEqual({ ok: true, spec: {
      directoryUrl: base.directory, email: base.email, keyType: 'RSA-2048',
      externalAccountBinding: { keyId: 'kid-1', hmacKeySecretRef: { name: 'eab', namespace: 'ops', key: 'hmacKey' } },
      challenge: { type: 'dns-01', propagationTimeoutSeconds: 120, rfc2136: { ...rfc2136, zone: '', tsigAlgorithm: 'hmac-sha256', ttlSeconds: 60, tsigSecretRef: { ...rfc2136.tsigSecretRef, key: 'secret' } } },
    } });
  });

  it.each([
    ['a plain-http directory', { ...base, directory: 'http://acme.example.com/dir' }, /spec\.directory: directory must be an https/],
    ['a malformed email', { ...base, email: 'ops-at-example.com' }, /spec\.email: email must be an address/],
    ['an unknown key type', { ...base, keyType: 'DSA-1024' }, /spec\.keyType/],
    ['dns-01 without settings', { ...base, challenge: { type: 'dns-01' } }, /needs challenge\.dns01 settings/],
    ['dns01 settings with http-01', { ...base, challenge: { type: 'http-01', dns01: { provider: 'rfc2136', rfc2136 } } }, /only used with challenge type dns-01/],
    ['no spec at all', undefined, /spec/],
  ])('refuses %s', (_what, spec, message) => {
    const got = parseIssuerSpec(spec);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.message).toMatch(message);
  });
});

describe('readyCondition', () => {
  const now = new Date('2026-05-01T10:00:00.123Z');
  it('moves lastTransitionTime only when the status flips', () => {
    const old = [{ type: 'Ready', status: 'False' as const, reason: 'DirectoryUnreachable', message: 'x', lastTransitionTime: '2026-04-01T00:00:00Z' }];
    expect(readyCondition(old, { ready: false, reason: 'DirectoryInvalid', message: 'y', generation: 2 }, now).lastTransitionTime).toBe('2026-04-01T00:00:00Z');
    expect(readyCondition(old, { ready: true, reason: 'AccountReady', message: 'z', generation: 2 }, now)).toEqual({
      type: 'Ready', status: 'True', reason: 'AccountReady', message: 'z', observedGeneration: 2, lastTransitionTime: '2026-05-01T10:00:00Z',
    });
  });
});

describe('managedSecretOf', () => {
  const raw = (labels: Record<string, string>, type = 'kubernetes.io/tls') => ({
    type, metadata: { namespace: 'shop', name: 'web-tls', resourceVersion: '7', labels },
    data: { 'tls.crt': Buffer.from('CERT').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') },
  });
  it('knows a Secret by the managed-by label and digests its pair', () => {
    expect(managedSecretOf(raw({ 'app.kubernetes.io/managed-by': 'bollard' }))).toEqual({ namespace: 'shop', name: 'web-tls', resourceVersion: '7', digest: pairDigest('CERT', 'KEY') });
    expect(managedSecretOf(raw({ 'app.kubernetes.io/managed-by': 'Helm' }))).toBeUndefined();
    expect(managedSecretOf(raw({ 'app.kubernetes.io/managed-by': 'bollard' }, 'Opaque'))).toBeUndefined();
  });
});
