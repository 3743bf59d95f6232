// DNS-01 end to end: an AcmeIssuer with challenge dns-01 through RFC 2136 (TSIG secret in a
// Secret), bind9 as the zone's server that Pebble resolves through, and an Ingress asking for a
// wildcard host: the wildcard certificate is issued, served, and written into the Ingress's
// TLS Secret.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBind, type Bind } from '../../harness/bind.ts';
import { dumpingOnFailure, kubectl } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { decoded, getSecret, startAcmeReplica, startAcmeWorld, tlsIngress, waitLeader, type AcmeReplica, type AcmeWorld } from './acme-e2e.ts';

const ZONE = 'dns01-e2e.bollard.test';
let w: AcmeWorld<undefined>;
let ns = '';
let bind: Bind;
let replica: AcmeReplica | undefined;

beforeAll(async () => {
  w = await startAcmeWorld({
    namespace: 'acme-dns01', tmpPrefix: 'bollard-e2e-dns01-', issuerPrefix: 'dns', directoryUrl: 'https://unused.invalid/directory',
    front: () => Promise.resolve(undefined), pebble: { validationPort: 9 }, pebbleSubdir: 'pebble',
    sidecar: async (dir) => {
      await mkdir(join(dir, 'bind'));
      bind = await startBind({ dir: join(dir, 'bind'), zone: ZONE });
      return { pebble: { dnsServer: bind.address }, stop: () => bind.stop() };
    },
    prepare: async ({ namespace, issuer: name, pebble }) => {
      await kubectl(['create', 'secret', 'generic', 'tsig', '-n', namespace, `--from-literal=secret=${bind.secretBase64}`]);
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'bollard.io/v1alpha1', kind: 'AcmeIssuer', metadata: { name },
        spec: {
          directory: pebble.directoryUrl, email: 'dns@bollard.test',
          challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', propagationTimeoutSeconds: 10, rfc2136: { nameserver: bind.address, tsigKeyName: bind.keyName, tsigSecretRef: { name: 'tsig', namespace } } } },
        },
      }));
    },
  });
  ns = w.namespace;
  replica = await startAcmeReplica(w.env, 'dns-a', { acmeIssuer: w.issuer });
  w.replicas.push(replica);
}, 90_000);

afterAll(async () => {
  await w.stop();
}, 60_000);

describe('DNS-01 AcmeIssuer', () => {
  it('issues a wildcard certificate through RFC 2136 and writes it into the Ingress\'s Secret', dumpingOnFailure(() => ns, async () => {
    const r = replica;
    if (!r) throw new Error('no replica');
    await waitLeader([r]);
    await waitFor(() => Promise.resolve(r.acme.issuerState()?.ready === true ? true : undefined), { what: 'issuer ready', timeoutMs: 15_000 });
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(tlsIngress(ns, 'wild', [{ hosts: [`*.apps.${ZONE}`], secretName: 'wild-tls' }])));
    const served = await waitFor(() => Promise.resolve(r.acme.certificates.lookup(`shop.apps.${ZONE}`)), { what: 'wildcard certificate served', timeoutMs: 30_000 });
    expect(new X509Certificate(served.certPem).subjectAltName).toBe(`DNS:*.apps.${ZONE}`);
    const secret = await waitFor(() => getSecret(ns, 'wild-tls'), { what: 'wild-tls', timeoutMs: 15_000 });
    expect(decoded(secret, 'tls.crt')).toBe(served.certPem);
    expect(await bind.txt(`_acme-challenge.apps.${ZONE}`)).toEqual([]);
  }), 50_000);
});
