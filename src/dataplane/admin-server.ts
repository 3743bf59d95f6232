// The admin listener: /healthz (process alive), /readyz (synced and not draining), /metrics.
import { createServer, type Server } from 'node:http';

export interface Readiness {
  ready(): boolean;
}

export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export function createAdminServer(metrics: MetricsSource, readiness: Readiness): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      const ok = readiness.ready();
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
    }
    if (path === '/metrics') {
      metrics
        .text()
        .then((text) => { res.writeHead(200, { 'content-type': metrics.contentType }).end(text); })
        .catch(() => { res.writeHead(500).end(); });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}
