// DNS-01 end to end: an AcmeIssuer with challenge dns-01 through RFC 2136 (TSIG secret in a
// Secret), bind9 as the zone's server that Pebble resolves through, and an Ingress asking for a
// wildcard host: the wildcard certificate is issued, served, and written into the Ingress's
// TLS Secret.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client.ts';
import { watchCluster } from '../../../src/kube/watch-cluster.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { startBind, type Bind } from '../../harness/bind.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { REPO_ROOT } from '../../harness/repo.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from '../../feature/acme/etcd-fixture.ts';
import { decoded, getSecret, startAcmeReplica, tlsIngress, waitLeader, type AcmeReplica } from './acme-e2e.ts';

const ZONE = 'dns01-e2e.bollard.test';
let ns = '';
let dir = '';
let issuer = '';
let bind: Bind;
let pebble: Pebble;
let fx: EtcdFixture;
let replica: AcmeReplica | undefined;
const state = new ClusterState();
const stopWatch = new AbortController();
let watchDone: Promise<void> | undefined;

beforeAll(async () => {
  const e2e = await loadE2eEnv();
  const client = createKubeClient(loadKubeConfig(e2e.kubeconfig));
  await kubectl(['apply', '-f', `${REPO_ROOT}/crds/acmeissuers.bollard.io.yaml`]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=20s', 'crd/acmeissuers.bollard.io']);
  ns = await createTestNamespace('acme-dns01');
  issuer = `dns-${ns}`;
  dir = await mkdtemp(join(tmpdir(), 'bollard-e2e-dns01-'));
  await Promise.all(['bind', 'pebble'].map((d) => mkdir(join(dir, d))));
  bind = await startBind({ dir: join(dir, 'bind'), zone: ZONE });
  [pebble, fx] = await Promise.all([startPebble({ dir: join(dir, 'pebble'), validationPort: 9, dnsServer: bind.address }), startEtcdFixture()]);
  const caFile = join(dir, 'pebble-directory-ca.pem');
  await writeFile(caFile, pebble.caPem);
  await kubectl(['create', 'secret', 'generic', 'tsig', '-n', ns, `--from-literal=secret=${bind.secretBase64}`]);
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'bollard.io/v1alpha1', kind: 'AcmeIssuer', metadata: { name: issuer },
    spec: {
      directory: pebble.directoryUrl, email: 'dns@bollard.test',
      challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', propagationTimeoutSeconds: 10, rfc2136: { nameserver: bind.address, tsigKeyName: bind.keyName, tsigSecretRef: { name: 'tsig', namespace: ns } } } },
    },
  }));
  const watch = watchCluster({ client, state, log: silentLogger, onChange: () => { replica?.acme.update(); } }, [ns], stopWatch.signal);
  watchDone = watch.done;
  await watch.synced;
  replica = await startAcmeReplica({ client, state, etcdUrl: fx.url, directoryUrl: 'https://unused.invalid/directory', caFile, namespace: ns }, 'dns-a', { acmeIssuer: issuer });
}, 90_000);

afterAll(async () => {
  await replica?.acme.stop();
  stopWatch.abort();
  await watchDone;
  await pebble.stop();
  await bind.stop();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
  await kubectl(['delete', 'acmeissuer', issuer, '--ignore-not-found', '--wait=false']);
  await deleteTestNamespace(ns);
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
