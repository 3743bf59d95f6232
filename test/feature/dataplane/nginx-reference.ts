// Debian's nginx as a reference proxy for differential tests: an unprivileged-style instance with
// its own prefix directory and config, on 127.0.0.1 at a free port, routing Ingress-style prefix
// and exact paths the way ingress-nginx writes them (Prefix "/p" → `location /p/` plus
// `location = /p`), with `proxy_pass` without a URI, so upstreams get the request URI as nginx
// does for ingress-nginx. Stopped by PID.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from '../../../src/routing/types.ts';
import { acceptsConnections } from '../../harness/accepts.ts';
import { freePort } from '../../harness/free-port.ts';
import { spawnManaged } from '../../harness/processes.ts';
import { waitUntilReady } from '../../harness/readiness.ts';

export interface ReferenceRoute {
  readonly pathType: 'Exact' | 'Prefix';
  readonly path: string;
  readonly endpoint: Endpoint;
}

export interface NginxReference {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function locations(r: ReferenceRoute): string[] {
  const pass = `{ proxy_pass http://${r.endpoint.host}:${r.endpoint.port}; }`;
  if (r.pathType === 'Exact') return [`location = ${r.path} ${pass}`];
  if (r.path === '/') return [`location / ${pass}`];
  return [`location ${r.path}/ ${pass}`, `location = ${r.path} ${pass}`];
}

/**
 * `httpDirectives`: more lines for the http block, as ingress-nginx writes its ConfigMap settings
 * there (gzip, …); `mainDirectives`: for the main context (load_module).
 */
export function buildReferenceConfig(dir: string, port: number, routes: readonly ReferenceRoute[], httpDirectives: readonly string[] = [], mainDirectives: readonly string[] = []): string {
  return [
    ...mainDirectives,
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    ...httpDirectives.map((d) => `  ${d}`),
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t}_temp;`),
    '  server {',
    `    listen 127.0.0.1:${port};`,
    ...routes.flatMap(locations).map((l) => `    ${l}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startNginxReference(routes: readonly ReferenceRoute[], httpDirectives: readonly string[] = [], mainDirectives: readonly string[] = []): Promise<NginxReference> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, buildReferenceConfig(dir, port, routes, httpDirectives, mainDirectives));
  const logFile = join(dir, 'stderr.log');
  const proc = spawnManaged('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { logFile });
  await waitUntilReady(proc, () => acceptsConnections(port), { what: 'nginx (reference)', timeoutMs: 10_000, intervalMs: 20, logFile });
  return {
    port, pid: proc.pid,
    stop: async () => { await proc.stop(); await rm(dir, { recursive: true, force: true }); },
  };
}
