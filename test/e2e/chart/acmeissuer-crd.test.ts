// The AcmeIssuer CRD on the real API server: defaults filled in, bad issuers rejected by the
// OpenAPI schema and the CEL rules with a message that names the field, printer columns, and
// a status subresource that spec writes cannot touch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubectl } from '../../harness/e2e-env.ts';
import { KubectlError } from '../../harness/kubectl.ts';
import { applyCrds, at, suffix } from './chart-e2e.ts';

const run = suffix();
const created: string[] = [];
const issuer = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'bollard.io/v1alpha1', kind: 'AcmeIssuer', metadata: { name: `${name}-${run}` }, spec,
});
const base = { directory: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ops@example.com' };
const tsigRef = { name: 'tsig', namespace: 'kube-system' };
const rfc2136 = { nameserver: '192.0.2.53:53', tsigKeyName: 'bollard', tsigSecretRef: tsigRef };

async function create(object: ReturnType<typeof issuer>): Promise<Record<string, unknown>> {
  const out = await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(object));
  created.push(object.metadata.name);
  return JSON.parse(out) as Record<string, unknown>;
}

/** The API server's rejection of an object (server-side dry run), or '' when it accepts it. */
async function rejection(object: ReturnType<typeof issuer>): Promise<string> {
  try {
    await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    return '';
  } catch (err: unknown) {
    if (err instanceof KubectlError) return err.stderr;
    throw err;
  }
}

beforeAll(async () => { await applyCrds(); }, 30_000);

afterAll(async () => {
  if (created.length > 0) await kubectl(['delete', 'acmeissuers', ...created, '--ignore-not-found', '--wait=false']);
});

describe('AcmeIssuer CRD', () => {
  it('is cluster-scoped, in the bollard category, with a status subresource', async () => {
    const crd = JSON.parse(await kubectl(['get', 'crd', 'acmeissuers.bollard.io', '-o', 'json'])) as Record<string, unknown>;
    expect(at(crd, 'spec', 'scope')).toBe('Cluster');
    expect(at(crd, 'spec', 'names', 'categories')).toEqual(['bollard']);
    expect(at(crd, 'spec', 'versions', 0, 'subresources')).toEqual({ status: {} });
  });

  it('accepts a minimal issuer and defaults key type and challenge', async () => {
    const got = await create(issuer('minimal', base));
    expect(at(got, 'spec')).toEqual({ ...base, keyType: 'ECDSA-P256', challenge: { type: 'http-01' } });
  });

  it('accepts dns-01 through RFC 2136 with external account binding', async () => {
    const got = await create(issuer('dns', {
      ...base, keyType: 'RSA-3072',
      externalAccountBinding: { keyID: 'kid-1', hmacKeySecretRef: { name: 'eab', namespace: 'kube-system' } },
      challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', rfc2136: { ...rfc2136, nameserver: '[2001:db8::53]:53' } } },
    }));
    expect(at(got, 'spec', 'challenge', 'dns01', 'rfc2136', 'tsigAlgorithm')).toBe('hmac-sha256');
    expect(at(got, 'spec', 'challenge', 'dns01', 'propagationTimeoutSeconds')).toBe(120);
    expect(at(got, 'spec', 'externalAccountBinding', 'hmacKeySecretRef', 'key')).toBe('hmacKey');
  });

  const bad: readonly [string, Record<string, unknown>, RegExp][] = [
    ['a plain-http directory', { ...base, directory: 'http://acme.example.com/directory' }, /directory must be an https:\/\/ URL/],
    ['a directory that is no URL', { ...base, directory: 'letsencrypt' }, /directory must be an https:\/\/ URL/],
    ['a malformed email', { ...base, email: 'ops-at-example.com' }, /email must be an address/],
    ['a missing email', { directory: base.directory }, /spec\.email: Required value/],
    ['an unknown key type', { ...base, keyType: 'DSA-1024' }, /spec\.keyType: Unsupported value: "DSA-1024"/],
    ['an unknown challenge type', { ...base, challenge: { type: 'tls-alpn-01' } }, /spec\.challenge\.type: Unsupported value/],
    ['dns-01 without its settings', { ...base, challenge: { type: 'dns-01' } }, /challenge type dns-01 needs challenge\.dns01 settings/],
    ['dns01 settings with http-01', { ...base, challenge: { type: 'http-01', dns01: { provider: 'rfc2136', rfc2136 } } }, /only used with challenge type dns-01/],
    ['rfc2136 without its settings', { ...base, challenge: { type: 'dns-01', dns01: { provider: 'rfc2136' } } }, /provider rfc2136 needs dns01\.rfc2136 settings/],
    ['a nameserver without a port', { ...base, challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', rfc2136: { ...rfc2136, nameserver: 'ns1.example.com' } } } }, /nameserver must be host:port/],
    ['a TSIG secret without namespace', { ...base, challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', rfc2136: { ...rfc2136, tsigSecretRef: { name: 'tsig' } } } } }, /tsigSecretRef\.namespace: Required value/],
    ['EAB without its key', { ...base, externalAccountBinding: { keyID: 'kid' } }, /externalAccountBinding\.hmacKeySecretRef: Required value/],
    ['an unknown field', { ...base, server: 'https://acme.example.com' }, /unknown field "spec\.server"/],
  ];
  it.each(bad)('rejects %s', async (_what, spec, message) => {
    expect(await rejection(issuer('bad', spec))).toMatch(message);
  });

  it('shows directory, email, challenge and readiness as columns; status is written only through /status', async () => {
    const name = `status-${run}`;
    await create(issuer('status', base));
    const condition = { type: 'Ready', status: 'True', reason: 'AccountRegistered', message: 'registered', lastTransitionTime: '2026-01-01T00:00:00Z' };
    await kubectl(['patch', 'acmeissuer', name, '--subresource=status', '--type=merge', '-p',
      JSON.stringify({ status: { accountURI: 'https://acme.example.com/acct/1', conditions: [condition] } })]);
    const table = await kubectl(['get', 'acmeissuer', name, '-o', 'wide']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+DIRECTORY\s+EMAIL\s+CHALLENGE\s+KEY\s+READY\s+ACCOUNT\s+AGE/);
    expect(table).toMatch(new RegExp(`${name}\\s+${base.directory}\\s+${base.email}\\s+http-01\\s+ECDSA-P256\\s+True\\s+https://acme.example.com/acct/1`));
    // A spec write carrying a status leaves the status alone.
    await kubectl(['patch', 'acmeissuer', name, '--type=merge', '-p', JSON.stringify({ spec: { email: 'new@example.com' }, status: { accountURI: 'overwritten' } })]);
    const after = JSON.parse(await kubectl(['get', 'acmeissuer', name, '-o', 'json'])) as Record<string, unknown>;
    expect(at(after, 'spec', 'email')).toBe('new@example.com');
    expect(at(after, 'status', 'accountURI')).toBe('https://acme.example.com/acct/1');
  });

  it('rejects a malformed status condition', async () => {
    const name = `badstatus-${run}`;
    await create(issuer('badstatus', base));
    const patch = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'Maybe', reason: 'x', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
    await expect(kubectl(['patch', 'acmeissuer', name, '--subresource=status', '--type=merge', '-p', patch])).rejects.toThrow(/Unsupported value: "Maybe"/);
  });
});
