// The kube client over a real TLS socket: many requests share one keep-alive connection (client-node
// alone opens a new TLS connection per request), and a rotated client certificate is picked up.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient } from '../../../src/kube/client.ts';
import { generateTestPki, type TestPki } from '../../harness/tls-ca.ts';

let pki: TestPki;
/** Another CA's client certificate, which the server also trusts: a certificate rotated in place. */
let rotated: TestPki['client'];
let server: Server;
let url = '';
let dir = '';
/** Client certificates seen, one per TLS connection. */
const connections: string[] = [];

beforeAll(async () => {
  const other = await generateTestPki(['api.test']);
  pki = await generateTestPki(['api.test']);
  rotated = other.client;
  dir = await mkdtemp(join(tmpdir(), 'bollard-kube-client-'));
  server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ca: [pki.caPem, other.caPem], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ kind: 'Status', path: req.url }));
  });
  server.on('secureConnection', (socket) => { connections.push(socket.getPeerCertificate().fingerprint256); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  await rm(dir, { recursive: true, force: true });
});

/** A kubeconfig with the CA inline and the client certificate in files (as a kubelet's rotating one is). */
async function kubeconfig(cert: { certPem: string; keyPem: string }): Promise<KubeConfig> {
  await writeFile(join(dir, 'client.crt'), cert.certPem);
  await writeFile(join(dir, 'client.key'), cert.keyPem);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, caData: Buffer.from(pki.caPem).toString('base64'), tlsServerName: 'api.test', skipTLSVerify: false }],
    users: [{ name: 'u', certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('createKubeClient', () => {
  it('sends many requests over one TLS connection, and a new one once the client certificate file changes', async () => {
    connections.length = 0;
    const client = createKubeClient(await kubeconfig(pki.client));
    for (let i = 0; i < 20; i++) expect(await client.request('GET', `/api/v1/namespaces/n${String(i)}`)).toMatchObject({ path: `/api/v1/namespaces/n${String(i)}` });
    // undici may not yet count a connection free when the next request goes, and opens one more
    // then; never one per request (client-node alone: 20).
    expect(connections.length).toBeLessThanOrEqual(2);
    // Ten at once need about ten connections (HTTP/1.1); ten more at once reuse them.
    const burst = () => Promise.all(Array.from({ length: 10 }, (_, i) => client.request('PATCH', `/apis/x/${String(i)}/status`, { status: {} })));
    await burst();
    const pooled = connections.length;
    await burst();
    expect(connections.length - pooled).toBeLessThanOrEqual(1);
    expect(new Set(connections)).toEqual(new Set([connections[0]]));
    const before = connections.length;
    // A new certificate in the same files: the next requests open connections that present it.
    await writeFile(join(dir, 'client.crt'), rotated.certPem);
    await writeFile(join(dir, 'client.key'), rotated.keyPem);
    for (let i = 0; i < 5; i++) await client.request('GET', '/api');
    const fresh = connections.slice(before);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh.length).toBeLessThanOrEqual(2);
    expect(fresh.every((f) => f !== connections[0] && f === fresh[0])).toBe(true);
  });
});
