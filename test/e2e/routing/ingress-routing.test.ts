// Ingress v1 routing end to end: real kube-apiserver, real Bollard process, real backends in a
// network namespace. One controller per spec file, watching only this spec's namespace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend, get, rawGet, withStatus } from '../../support/http.ts';
import { endpointSlice, externalNameService, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const STATUS_IP = '192.0.2.10';
let ns = '';
let bollard: BollardProcess;
const backends: Record<string, Backend> = {};
const url = (): string => bollard.httpUrl;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('routing');
  const [web, api, web2] = await Promise.all([
    startBackend('web'), startBackend('api'), startBackend('web-2', { address: env.addresses[1] ?? env.addresses[0] ?? '' }),
  ]);
  Object.assign(backends, { web, api, web2 });
  await apply(ingressClass('bollard', CONTROLLER), ingressClass('other', 'example.com/other'));
  await apply(
    service(ns, 'web', [{ name: 'http', port: 80, targetPort: 'web-port' }]),
    endpointSlice(ns, 'web-1', 'web', { name: 'http', port: web.port }, [{ ip: web.ip }]),
    service(ns, 'api', [{ port: 8080 }]),
    endpointSlice(ns, 'api-1', 'api', { port: api.port }, [{ ip: api.ip }]),
  );
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: ['--watch-namespaces', ns, '--publish-status-address', STATUS_IP, '--election-namespace', ns, '--election-id', 'bollard'],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await Promise.all(Object.values(backends).map((b) => b.stop()));
  await deleteTestNamespace(ns);
});

describe('paths', () => {
  spec('Exact, Prefix (element-wise), trailing slash and longest match', async () => {
    await apply(ingress(ns, 'paths', {
      className: 'bollard', host: 'paths.example.test',
      paths: [
        { path: '/exact', pathType: 'Exact', service: 'web', port: 'http' },
        { path: '/app', pathType: 'Prefix', service: 'api', port: 8080 },
        { path: '/app/admin/', pathType: 'Prefix', service: 'web', port: 80 },
        { path: '/legacy', pathType: 'ImplementationSpecific', service: 'api', port: 8080 },
      ],
    }));
    const h = 'paths.example.test';
    await eventually(url(), h, '/exact', fromBackend('web'), 'exact route');
    expect((await get(url(), h, '/exact/')).status).toBe(404);
    expect((await get(url(), h, '/app')).echo?.backend).toBe('api');
    expect((await get(url(), h, '/app/x?q=1')).echo?.url).toBe('/app/x?q=1');
    expect((await get(url(), h, '/appx')).status).toBe(404);
    expect((await get(url(), h, '/app/admin')).echo?.backend).toBe('web');
    expect((await get(url(), h, '/app/admin/users')).echo?.backend).toBe('web');
    expect((await get(url(), h, '/legacy/thing')).echo?.backend).toBe('api');
    expect((await get(url(), h, '/app/admin/../x')).echo?.backend).toBe('api');
  });
});

describe('hosts', () => {
  spec('exact and one-label wildcard hosts', async () => {
    await apply(
      ingress(ns, 'exact-host', { className: 'bollard', host: 'shop.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
      ingress(ns, 'wildcard-host', { className: 'bollard', host: '*.wild.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api', port: 8080 }] }),
    );
    await eventually(url(), 'shop.example.test', '/', fromBackend('web'), 'exact host');
    await eventually(url(), 'foo.wild.example.test', '/', fromBackend('api'), 'wildcard host');
    expect((await get(url(), 'SHOP.example.test:80', '/')).echo?.backend).toBe('web');
    expect((await get(url(), 'wild.example.test', '/')).status).toBe(404);
    expect((await get(url(), 'a.b.wild.example.test', '/')).status).toBe(404);
    expect((await get(url(), 'unknown.example.test', '/')).status).toBe(404);
  });
});

describe('backends', () => {
  spec('named target port resolved through the EndpointSlice, round-robin over endpoints', async () => {
    const { web, web2 } = backends as { web: Backend; web2: Backend };
    await apply(
      service(ns, 'rr', [{ name: 'http', port: 80, targetPort: 'http-alt' }]),
      endpointSlice(ns, 'rr-a', 'rr', { name: 'http', port: web.port }, [{ ip: web.ip }]),
      endpointSlice(ns, 'rr-b', 'rr', { name: 'http', port: web2.port }, [{ ip: web2.ip }]),
      ingress(ns, 'rr', { className: 'bollard', host: 'rr.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'rr', port: 'http' }] }),
    );
    await eventually(url(), 'rr.example.test', '/', (r) => r.status === 200, 'round-robin route');
    await eventually(url(), 'rr.example.test', '/', fromBackend('web-2'), 'second endpoint');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await get(url(), 'rr.example.test', '/')).echo?.backend ?? '');
    expect([...seen].sort()).toEqual(['web', 'web-2']);
  });

  spec('ExternalName Service', async () => {
    const { api } = backends as { api: Backend };
    await apply(
      externalNameService(ns, 'ext', api.ip, api.port),
      ingress(ns, 'ext', { className: 'bollard', host: 'ext.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'ext', port: api.port }] }),
    );
    await eventually(url(), 'ext.example.test', '/', fromBackend('api'), 'ExternalName route');
  });

  spec('forwards bodies and X-Forwarded-* headers, strips hop-by-hop headers', async () => {
    await apply(ingress(ns, 'fwd', { className: 'bollard', host: 'fwd.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api', port: 8080 }] }));
    await eventually(url(), 'fwd.example.test', '/', fromBackend('api'), 'fwd route');
    const r = await get(url(), 'fwd.example.test', '/submit', { method: 'POST', body: 'x'.repeat(100_000), headers: { 'x-custom': 'kept' } });
    expect(r.echo?.body.length).toBe(100_000);
    expect(r.echo?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(r.echo?.headers['x-forwarded-proto']).toBe('http');
    expect(r.echo?.headers['x-forwarded-host']).toBe('fwd.example.test');
    expect(r.echo?.headers['x-custom']).toBe('kept');
    const raw = await rawGet(url(), { host: 'fwd.example.test', connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', 'x-secret': 's', 'proxy-connection': 'x' });
    expect(Object.keys(raw.headers).filter((h) => ['keep-alive', 'x-secret', 'proxy-connection'].includes(h))).toEqual([]);
  });

  spec('endpoints scaled to zero answer 503, and 200 again when back', async () => {
    const { web } = backends as { web: Backend };
    await apply(
      service(ns, 'scale', [{ port: 80 }]),
      endpointSlice(ns, 'scale-1', 'scale', { port: web.port }, [{ ip: web.ip }]),
      ingress(ns, 'scale', { className: 'bollard', host: 'scale.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'scale', port: 80 }] }),
    );
    await eventually(url(), 'scale.example.test', '/', fromBackend('web'), 'scaled up');
    await apply(endpointSlice(ns, 'scale-1', 'scale', { port: web.port }, []));
    await eventually(url(), 'scale.example.test', '/', withStatus(503), 'scaled to zero');
    await apply(endpointSlice(ns, 'scale-1', 'scale', { port: web.port }, [{ ip: web.ip, ready: false }]));
    expect((await get(url(), 'scale.example.test', '/')).status).toBe(503);
    await apply(endpointSlice(ns, 'scale-1', 'scale', { port: web.port }, [{ ip: web.ip }]));
    await eventually(url(), 'scale.example.test', '/', fromBackend('web'), 'scaled back up');
  });
});

describe('defaults, classes, status and lifecycle', () => {
  spec('spec.defaultBackend serves requests no rule matches', async () => {
    await apply(ingress(ns, 'fallback', { className: 'bollard', defaultBackend: { service: 'api', port: 8080 } }));
    await eventually(url(), 'nothing.example.test', '/anything', fromBackend('api'), 'default backend');
    await kubectl(['delete', 'ingress', 'fallback', '-n', ns]);
    await eventually(url(), 'nothing.example.test', '/anything', withStatus(404), 'default backend removed');
  });

  spec('class selection: another class is not served and gets no status; the legacy annotation is', async () => {
    await apply(
      ingress(ns, 'theirs', { className: 'other', host: 'theirs.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
      ingress(ns, 'legacy', { annotations: { 'kubernetes.io/ingress.class': 'bollard' }, host: 'legacy.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
    );
    await eventually(url(), 'legacy.example.test', '/', fromBackend('web'), 'legacy annotation');
    await kubectl(['wait', '-n', ns, 'ingress/legacy', `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${STATUS_IP}`, '--timeout=15s']);
    expect((await get(url(), 'theirs.example.test', '/')).status).toBe(404);
    const theirs = JSON.parse(await kubectl(['get', 'ingress', 'theirs', '-n', ns, '-o', 'json'])) as { status?: { loadBalancer?: { ingress?: unknown[] } } };
    expect(theirs.status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  spec('status is set, then cleared when the Ingress moves to another class', async () => {
    await apply(ingress(ns, 'mover', { className: 'bollard', host: 'mover.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }));
    await kubectl(['wait', '-n', ns, 'ingress/mover', `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${STATUS_IP}`, '--timeout=15s']);
    await apply(ingress(ns, 'mover', { className: 'other', host: 'mover.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }));
    await waitFor(async () => {
      const out = await kubectl(['get', 'ingress', 'mover', '-n', ns, '-o', 'jsonpath={.status.loadBalancer.ingress}']);
      return out.trim() === '' ? true : undefined;
    }, { what: 'status of mover cleared', timeoutMs: 15_000 });
    await eventually(url(), 'mover.example.test', '/', withStatus(404), 'no longer served');
  });

  spec('an invalid Ingress becomes an Event while the rest keeps serving', async () => {
    await apply(
      ingress(ns, 'broken', { className: 'bollard', host: 'broken.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'missing', port: 80 }] }),
      ingress(ns, 'healthy', { className: 'bollard', host: 'healthy.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
    );
    await eventually(url(), 'healthy.example.test', '/', fromBackend('web'), 'healthy route');
    await eventually(url(), 'broken.example.test', '/', withStatus(503), 'broken route answers 503');
    const reasons = await waitFor(async () => {
      const out = await kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=broken', '-o', 'jsonpath={.items[*].reason}']);
      return out.includes('ServiceNotFound') ? out : undefined;
    }, { what: 'ServiceNotFound event on broken', timeoutMs: 15_000 });
    expect(reasons).toContain('ServiceNotFound');
    const logged = bollard.logs.some((l) => l.msg === 'ingress problem' && l.reason === 'ServiceNotFound' && l.ingress === `${ns}/broken`);
    expect(logged).toBe(true);
  });

  spec('a deleted Ingress answers 404', async () => {
    await apply(ingress(ns, 'doomed', { className: 'bollard', host: 'doomed.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }));
    await eventually(url(), 'doomed.example.test', '/', fromBackend('web'), 'doomed route');
    await kubectl(['delete', 'ingress', 'doomed', '-n', ns]);
    await eventually(url(), 'doomed.example.test', '/', withStatus(404), 'deleted route');
  });
});
