// The controller's global forward auth end to end (--global-auth-url, ingress-nginx's global-auth-url):
// real kube-apiserver, one real Bollard process started with the flag, a real backend in a network
// namespace and the authentication service in this process. Every Ingress route asks the service
// first; an Ingress with nginx.ingress.kubernetes.io/enable-global-auth: "false" opts out, and the
// service is then not asked for its requests.
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { eventually, fromBackend, get, withStatus } from '../../support/http.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const N = 'nginx.ingress.kubernetes.io/';
let ns = '';
let bollard: BollardProcess;
let authService: Server;
let web: Backend | undefined;
/** The requests the authentication service got. */
const asked: IncomingHttpHeaders[] = [];
const url = (): string => bollard.httpUrl;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };

/** An Ingress of one host whose "/" goes to web:80, with nginx annotations (names without the prefix). */
const annotated = (name: string, host: string, annotations: Record<string, string>) => ingress(ns, name, {
  className: 'bollard', host, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }],
  annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v])),
});

/** "Bearer good" passes with X-Auth-User, anything else gets 401 with a challenge. */
async function startAuthService(): Promise<Server> {
  const server = createServer((req, res) => {
    asked.push(req.headers);
    if (req.headers.authorization === 'Bearer good') res.writeHead(200, { 'x-auth-user': 'ann' }).end();
    else res.writeHead(401, { 'www-authenticate': 'Bearer realm="global"' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const askedFor = (host: string): number => asked.filter((h) => h['x-forwarded-host'] === host).length;

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('global-auth');
  web = await startBackend('web');
  authService = await startAuthService();
  const { port } = authService.address() as AddressInfo;
  await apply(ingressClass('bollard', CONTROLLER));
  await apply(service(ns, 'web', [{ port: 80 }]), endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]));
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: [
      '--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard',
      '--global-auth-url', `http://127.0.0.1:${port}/verify`, '--global-auth-response-headers', 'X-Auth-User',
    ],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await web?.stop();
  await new Promise<void>((resolve) => { authService.closeAllConnections(); authService.close(() => { resolve(); }); });
  await deleteTestNamespace(ns);
});

describe('--global-auth-url', () => {
  spec('guards an Ingress without annotations: the service\'s 401 is passed on, its 2xx lets the request through with its headers', async () => {
    await apply(annotated('guarded', 'guarded.example.test', {}));
    const refused = await eventually(url(), 'guarded.example.test', '/', withStatus(401), 'global auth refusal');
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="global"');
    const passed = await get(url(), 'guarded.example.test', '/', { headers: { authorization: 'Bearer good' } });
    expect(passed.echo?.backend).toBe('web');
    expect(passed.echo?.headers['x-auth-user']).toBe('ann');
    expect(askedFor('guarded.example.test')).toBeGreaterThanOrEqual(2);
  });

  spec('enable-global-auth "false" opts an Ingress out: served without credentials, the service not asked', async () => {
    await apply(annotated('public', 'public.example.test', { 'enable-global-auth': 'false' }));
    await eventually(url(), 'public.example.test', '/', fromBackend('web'), 'opted-out Ingress served');
    for (let i = 0; i < 3; i++) expect((await get(url(), 'public.example.test', '/')).echo?.backend).toBe('web');
    expect(askedFor('public.example.test')).toBe(0);
  });

  spec('opting out takes effect on a served Ingress, and opting back in guards it again', async () => {
    await apply(annotated('switched', 'switched.example.test', {}));
    await eventually(url(), 'switched.example.test', '/', withStatus(401), 'guarded at first');
    await apply(annotated('switched', 'switched.example.test', { 'enable-global-auth': 'false' }));
    await eventually(url(), 'switched.example.test', '/', fromBackend('web'), 'opted out');
    await apply(annotated('switched', 'switched.example.test', { 'enable-global-auth': 'true' }));
    await eventually(url(), 'switched.example.test', '/', withStatus(401), 'guarded again');
  });
});
