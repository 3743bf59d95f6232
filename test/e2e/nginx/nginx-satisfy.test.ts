// nginx satisfy any end to end: real kube-apiserver, one real Bollard process trusting 127.0.0.1 as
// a proxy (--trusted-proxies), so a request's client address is its peer's (127.0.0.1) or, with
// X-Forwarded-For, the address that header names; a real backend in a network namespace. An
// allowlist and basic auth on one route: with satisfy any, the allowlisted address passes without
// credentials and another one needs them; with satisfy all (the default), both checks apply.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { eventually, fromBackend, get, withStatus } from '../../support/http.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const N = 'nginx.ingress.kubernetes.io/';
/** An address outside the allowlist (TEST-NET-1), sent as X-Forwarded-For through the trusted peer. */
const ELSEWHERE = { 'x-forwarded-for': '192.0.2.7' };
let ns = '';
let bollard: BollardProcess;
let web: Backend | undefined;
const url = (): string => bollard.httpUrl;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** An Ingress of one host whose "/" goes to web:80: 127.0.0.1 allowlisted, basic auth, satisfy as given (names without the prefix). */
const guarded = (name: string, host: string, more: Record<string, string>) => ingress(ns, name, {
  className: 'bollard', host, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }],
  annotations: Object.fromEntries(Object.entries({
    'whitelist-source-range': '127.0.0.1/32', 'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-realm': 'Staff only', ...more,
  }).map(([k, v]) => [N + k, v])),
});

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('satisfy');
  web = await startBackend('web');
  const sha1 = createHash('sha1').update('s3cret').digest('base64');
  await apply(ingressClass('bollard', CONTROLLER));
  await apply(
    service(ns, 'web', [{ port: 80 }]), endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]),
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'htpasswd' }, type: 'Opaque', stringData: { auth: `ann:{SHA}${sha1}\n` } },
  );
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: ['--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard', '--trusted-proxies', '127.0.0.1/32'],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await web?.stop();
  await deleteTestNamespace(ns);
});

describe('satisfy', () => {
  spec('any: the allowlisted address passes without credentials; another address gets the Basic challenge and passes with the password', async () => {
    await apply(guarded('either', 'either.example.test', { satisfy: 'any' }));
    const allowed = await eventually(url(), 'either.example.test', '/', fromBackend('web'), 'allowlisted client without credentials');
    expect(allowed.echo?.headers.authorization).toBeUndefined();
    const challenged = await get(url(), 'either.example.test', '/', { headers: ELSEWHERE });
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toMatch(/^Basic realm="Staff only"/);
    expect((await get(url(), 'either.example.test', '/', { headers: { ...ELSEWHERE, authorization: basic('ann', 'wrong') } })).status).toBe(401);
    const passed = await get(url(), 'either.example.test', '/', { headers: { ...ELSEWHERE, authorization: basic('ann', 's3cret') } });
    expect(passed.echo?.backend).toBe('web');
  });

  spec('all (the default): the allowlisted address needs the password too, and the password does not let another address in', async () => {
    await apply(guarded('both', 'both.example.test', {}));
    await eventually(url(), 'both.example.test', '/', withStatus(401), 'allowlisted client without credentials challenged');
    const passed = await get(url(), 'both.example.test', '/', { headers: { authorization: basic('ann', 's3cret') } });
    expect(passed.echo?.backend).toBe('web');
    expect((await get(url(), 'both.example.test', '/', { headers: { ...ELSEWHERE, authorization: basic('ann', 's3cret') } })).status).toBe(403);
  });
});
