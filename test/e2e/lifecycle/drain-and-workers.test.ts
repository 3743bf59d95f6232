// Process-level behaviour of the real controller: SIGTERM draining (readiness off at once,
// in-flight requests finish, exit 0) and multi-process serving with --workers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { signal } from '../../harness/processes.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend, get } from '../../support/http.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

let ns = '';
let kubeconfig = '';
let web: Backend;

beforeAll(async () => {
  const env = await loadE2eEnv();
  kubeconfig = env.kubeconfig;
  ns = await createTestNamespace('lifecycle');
  web = await startBackend('web');
  await kubectl(['apply', '-f', '-'], list(
    ingressClass('bollard', 'bollard.io/ingress-controller'),
    service(ns, 'web', [{ port: 80 }]),
    endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]),
    ingress(ns, 'web', { className: 'bollard', host: 'life.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
  ));
}, 30_000);

afterAll(async () => {
  await web.stop();
  await deleteTestNamespace(ns);
});

/** A request on a new connection, never a pooled one. */
async function freshGet(base: string, path: string): Promise<{ status: number }> {
  const agent = new Agent();
  try {
    const r = await request(`${base}${path}`, { headers: { host: 'life.example.test' }, dispatcher: agent });
    await r.body.dump();
    return { status: r.statusCode };
  } finally {
    await agent.close();
  }
}

const start = (args: string[]): Promise<BollardProcess> =>
  startBollard({ kubeconfig, args: ['--watch-namespaces', ns, '--election-namespace', ns, '--election-id', `lease-${args.join('').length}`, ...args] });

describe('SIGTERM', () => {
  it('turns /readyz 503 at once, keeps serving through the drain, finishes in-flight requests, exits 0', async () => {
    const bollard = await start(['--drain-seconds', '2', '--workers', '1']);
    await eventually(bollard.httpUrl, 'life.example.test', '/', fromBackend('web'), 'route');
    const inFlight = request(`${bollard.httpUrl}/slow?delay=1500`, { headers: { host: 'life.example.test' } }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    // The slow request is in flight once Bollard counts an open client connection.
    await waitFor(async () => (/^bollard_active_connections\{listener="http"\} [1-9]/m.test(await (await fetch(`${bollard.adminUrl}/metrics`)).text()) ? true : undefined), { what: 'request in flight', timeoutMs: 5_000, intervalMs: 20 });
    expect(signal(bollard.pid, 'SIGTERM')).toBe(true);
    await waitFor(async () => ((await fetch(`${bollard.adminUrl}/readyz`)).status === 503 ? true : undefined), { what: 'readyz 503', timeoutMs: 1_000, intervalMs: 20 });
    expect((await get(bollard.httpUrl, 'life.example.test', '/during-drain')).status).toBe(200);
    expect((await inFlight).status).toBe(200);
    expect(await bollard.exited).toBe('exit code 0');
  }, 30_000);
});

describe('--workers 2', () => {
  let bollard: BollardProcess;
  beforeAll(async () => { bollard = await start(['--workers', '2']); }, 30_000);
  afterAll(async () => { await bollard.stop(); });

  it('serves from both worker processes and aggregates their metrics', async () => {
    await eventually(bollard.httpUrl, 'life.example.test', '/', fromBackend('web'), 'route through workers');
    for (let i = 0; i < 40; i++) {
      const r = await request(`${bollard.httpUrl}/n${i}`, { headers: { host: 'life.example.test', connection: 'close' } });
      await r.body.dump();
      expect(r.statusCode).toBe(200);
    }
    const workers = new Set(bollard.logs.filter((l) => l.msg === 'request' && typeof l.worker === 'number').map((l) => l.worker));
    expect([...workers].sort()).toEqual([0, 1]);
    const metrics = await (await fetch(`${bollard.adminUrl}/metrics`)).text();
    const served = [...metrics.matchAll(/^bollard_requests_total\{[^}]*status_class="2xx"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(served).toBeGreaterThanOrEqual(41);
    expect(metrics).toMatch(/^bollard_table_build_duration_seconds_count \d+/m);
  }, 30_000);

  it('restarts a worker that dies, and keeps serving meanwhile', async () => {
    const first = bollard.logs.find((l) => l.msg === 'worker ready' && l.worker === 0);
    expect(typeof first?.pid).toBe('number');
    const pid = Number(first?.pid);
    expect(signal(pid, 'SIGKILL')).toBe(true);
    await waitFor(() => Promise.resolve(signal(pid, 0) ? undefined : true), { what: 'worker 0 gone', timeoutMs: 5_000, intervalMs: 10 });
    // Connections the dead worker held are reset (as with any crashed process); new ones go to the living.
    for (let i = 0; i < 10; i++) expect((await freshGet(bollard.httpUrl, '/meanwhile')).status).toBe(200);
    await waitFor(() => Promise.resolve(bollard.logs.filter((l) => l.msg === 'worker ready' && l.worker === 0).length === 2 ? true : undefined), { what: 'worker 0 restarted', timeoutMs: 10_000 });
    expect((await freshGet(bollard.httpUrl, '/after')).status).toBe(200);
  }, 30_000);
});
