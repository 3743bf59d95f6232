// nginx default-backend, custom-http-errors, service-upstream and server-alias over real sockets:
// Ingresses built by the real builder, real upstreams, and what each request reaches.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { parseFixture } from '../../support/routing/fixture-snapshot.ts';
import { buildFixture } from './annotated-table.ts';
import type { Endpoint } from '../../../src/routing/types.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

let plane: Awaited<ReturnType<typeof startPlane>>;
let app: TestUpstream;
let errors: TestUpstream;
let clusterIp: TestUpstream;
let base = '';

function ingress(name: string, host: string, service: string, annotations: Record<string, string> = {}, port = 80) {
  return {
    metadata: { namespace: 'shop', name, annotations },
    spec: { ingressClassName: 'bollard', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } }] } }] },
  };
}

/** A Service of one port (80 unless said) whose endpoints are `endpoints` (their port is the target port). */
function service(name: string, endpoints: readonly Endpoint[], clusterIP?: { readonly ip: string; readonly port: number }) {
  const spec = clusterIP === undefined ? { ports: [{ name: 'http', port: 80 }] } : { clusterIP: clusterIP.ip, ports: [{ name: 'http', port: clusterIP.port }] };
  return {
    service: { metadata: { namespace: 'shop', name }, spec },
    slices: endpoints.map((e, i) => ({
      metadata: { namespace: 'shop', name: `${name}-${i}`, labels: { 'kubernetes.io/service-name': name } },
      ports: [{ name: 'http', port: e.port }], endpoints: [{ addresses: [e.host] }],
    })),
  };
}

interface Answer { readonly status: number; readonly upstream: string; readonly body: { url?: string; method?: string; headers?: Record<string, string> } }

async function ask(host: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const res = await request(`${base}${path}`, { method, headers: { host, ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, upstream: String(res.headers['x-upstream']), body: text.startsWith('{') ? JSON.parse(text) as Answer['body'] : {} };
}

/** The app answers /missing with 404 and /boom with 500, anything else with an echo. */
function appHandler(name: string) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const status = req.url?.startsWith('/missing') === true ? 404 : req.url?.startsWith('/boom') === true ? 500 : 200;
    req.resume().on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }));
    });
  };
}

beforeAll(async () => {
  app = await startUpstream('app', appHandler('app'));
  clusterIp = await startUpstream('cluster-ip', appHandler('cluster-ip'));
  // The error backend answers with the status it is told (X-Code), as ingress-nginx expects of one.
  errors = await startUpstream('errors', (req, res) => {
    req.resume().on('end', () => {
      res.writeHead(Number(req.headers['x-code'] ?? '200'), { 'content-type': 'application/json', 'x-upstream': 'errors' });
      res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }));
    });
  });
  const dead = await deadEndpoint();
  plane = await startPlane();
  const services = [
    service('app', [app.endpoint]), service('errors', [errors.endpoint]), service('empty', []), service('dead', [dead]),
    // Its endpoint is the app server; its cluster IP and port reach the other server.
    service('direct', [app.endpoint], { ip: '127.0.0.1', port: clusterIp.endpoint.port }),
  ];
  const fallback = { [`${N}default-backend`]: 'errors' };
  const fixture = parseFixture({
    ingresses: [
      ingress('errors-app', 'errors.test', 'app', { ...fallback, [`${N}custom-http-errors`]: '404,502' }),
      ingress('dead-app', 'dead.test', 'dead', { ...fallback, [`${N}custom-http-errors`]: '502' }),
      ingress('fallback-app', 'fallback.test', 'empty', fallback),
      ingress('plain', 'plain.test', 'empty'),
      ingress('cluster', 'cluster.test', 'direct', { [`${N}service-upstream`]: 'true' }, clusterIp.endpoint.port),
      ingress('pods', 'pods.test', 'direct', {}, clusterIp.endpoint.port),
      ingress('aliased', 'main.test', 'app', { [`${N}server-alias`]: 'alias.test, other-alias.test' }),
    ],
    services: services.map((s) => s.service),
    endpointSlices: services.flatMap((s) => s.slices),
    requests: [], diagnostics: [], served: [],
  });
  const built = buildFixture(fixture);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await Promise.all([app.close(), errors.close(), clusterIp.close()]);
});

describe('custom-http-errors with default-backend', () => {
  it('passes answers with other statuses on', async () => {
    expect(await ask('errors.test', '/ok')).toMatchObject({ status: 200, upstream: 'app' });
    expect(await ask('errors.test', '/boom')).toMatchObject({ status: 500, upstream: 'app' });
  });

  it('replaces a listed status by the default backend\'s answer, asked for / with the X-* headers', async () => {
    const answer = await ask('errors.test', '/missing/page?q=1', { accept: 'application/json', 'x-request-id': 'req-7' }, 'DELETE');
    expect(answer).toMatchObject({ status: 404, upstream: 'errors', body: { url: '/', method: 'DELETE' } });
    expect(answer.body.headers).toMatchObject({
      host: 'errors.test', 'x-code': '404', 'x-format': 'application/json', 'x-original-uri': '/missing/page?q=1',
      'x-namespace': 'shop', 'x-ingress-name': 'errors-app', 'x-service-name': 'app', 'x-service-port': '80', 'x-request-id': 'req-7',
    });
  });

  it('replaces Bollard\'s own 502 when the upstream refuses connections', async () => {
    const answer = await ask('dead.test', '/');
    expect(answer).toMatchObject({ status: 502, upstream: 'errors', body: { url: '/' } });
    expect(answer.body.headers?.['x-code']).toBe('502');
  });
});

describe('default-backend alone', () => {
  it('serves the route, path kept and without X-Code, while the route\'s Service has no ready endpoints', async () => {
    const answer = await ask('fallback.test', '/some/path');
    expect(answer).toMatchObject({ status: 200, upstream: 'errors', body: { url: '/some/path' } });
    expect(answer.body.headers?.['x-code']).toBeUndefined();
  });

  it('without it, a route without ready endpoints answers 503', async () => {
    expect((await ask('plain.test', '/')).status).toBe(503);
  });
});

describe('service-upstream', () => {
  it('sends to the Service\'s cluster IP and port, not to its endpoints', async () => {
    expect(await ask('cluster.test', '/')).toMatchObject({ status: 200, upstream: 'cluster-ip' });
    expect(await ask('pods.test', '/')).toMatchObject({ status: 200, upstream: 'app' });
  });
});

describe('server-alias', () => {
  it('serves the aliases with the host\'s routes; other names get 404', async () => {
    expect(await ask('alias.test', '/x')).toMatchObject({ status: 200, upstream: 'app', body: { headers: { host: 'alias.test' } } });
    expect(await ask('OTHER-ALIAS.test', '/')).toMatchObject({ status: 200, upstream: 'app' });
    expect((await ask('unknown.test', '/')).status).toBe(404);
  });
});
