// `bollard migrate report --kubeconfig`: the real CLI process reads the Ingresses of an API server
// (here a stand-in on 127.0.0.1 that pages its list, as the real one does with `limit`/`continue`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnManaged } from '../../harness/processes.ts';
import { REPO_ROOT } from '../../harness/repo.ts';

const ingress = (namespace: string, name: string, annotations: Record<string, string>) => ({ metadata: { namespace, name, annotations }, spec: {} });
const PAGES: Readonly<Record<string, object>> = {
  '': { kind: 'IngressList', metadata: { continue: 'page-2' }, items: [ingress('web', 'a', { 'nginx.ingress.kubernetes.io/affinity': 'cookie' })] },
  'page-2': { kind: 'IngressList', metadata: {}, items: [ingress('web', 'b', { 'nginx.ingress.kubernetes.io/enable-opentelemetry': 'true' })] },
};

let server: Server;
let dir = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname} ${req.headers.authorization ?? ''}`);
    const page = url.pathname === '/apis/networking.k8s.io/v1/ingresses' ? PAGES[url.searchParams.get('continue') ?? ''] : undefined;
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(page ?? { kind: 'Status', reason: 'NotFound' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dir = await mkdtemp(join(tmpdir(), 'bollard-migrate-'));
  await writeFile(join(dir, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters: [{ name: test, cluster: { server: "http://127.0.0.1:' + String(port) + '", insecure-skip-tls-verify: true } }]',
    'users: [{ name: test, user: { token: secret-token } }]',
    'contexts: [{ name: test, context: { cluster: test, user: test } }]', '',
  ].join('\n'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  await rm(dir, { recursive: true, force: true });
});

describe('bollard migrate report --kubeconfig', () => {
  it('reads every page of the cluster\'s Ingresses with the kubeconfig\'s credentials', async () => {
    const proc = spawnManaged(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts', 'migrate', 'report', '--kubeconfig', join(dir, 'kubeconfig'), '-o', 'json'], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    proc.child.stdout?.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    proc.child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    expect({ how: await proc.exited, stderr }).toEqual({ how: 'exit code 0', stderr: '' });
    const report = JSON.parse(stdout) as { ingresses: { name: string }[]; summary: Record<string, number> };
    expect(report.ingresses.map((i) => i.name)).toEqual(['a', 'b']);
    expect(report.summary).toEqual({ honoured: 2, partly: 0, 'not yet': 0, never: 0, unknown: 0 });
    expect(seen).toEqual(['/apis/networking.k8s.io/v1/ingresses Bearer secret-token', '/apis/networking.k8s.io/v1/ingresses Bearer secret-token']);
  });

  it('exits 1 with one line when the API server refuses', async () => {
    const proc = spawnManaged(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts', 'migrate', 'report', '--kubeconfig', join(dir, 'kubeconfig'), '-n', 'absent'], { cwd: REPO_ROOT });
    let stderr = '';
    proc.child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    expect(await proc.exited).toBe('exit code 1');
    expect(stderr).toMatch(/^bollard: reading the cluster's Ingresses: .*\n$/);
  });
});
