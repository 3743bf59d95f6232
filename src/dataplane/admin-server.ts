// The admin listener: /healthz (process alive), /readyz (synced and not draining), /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready(): boolean;
}

export function createAdminServer(registry: Registry, readiness: Readiness): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      const ok = readiness.ready();
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
    }
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => { res.writeHead(200, { 'content-type': registry.contentType }).end(text); })
        .catch(() => { res.writeHead(500).end(); });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}
