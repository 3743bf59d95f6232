// A reference contestant, not a product: the least a Node.js reverse proxy can do — node:http in
// front, one undici Pool dispatch() per request, upstream headers relayed minus hop-by-hop ones. No
// routing, logging, metrics or header rewriting. Its speed is the ceiling for a Node proxy on the
// machine, so Bollard's gap to nginx can be split into "Node" and "Bollard's own work".
// Run as `node bench/lib/minimal-proxy.ts <upstream host:port>`; prints {"port":N} when listening.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

class Relay implements Dispatcher.DispatchHandler {
  private readonly res: ServerResponse;

  constructor(res: ServerResponse) {
    this.res = res;
  }

  onRequestStart(): void {
    // nothing to keep: no retries, no aborts
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const out: IncomingHttpHeaders = {};
    for (const name in headers) if (!HOP.has(name)) out[name] = headers[name];
    this.res.writeHead(status, out);
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      c.pause();
      this.res.once('drain', () => { c.resume(); });
    }
  }

  onResponseEnd(): void {
    this.res.end();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    process.stderr.write(`minimal-proxy: ${err.message}\n`);
    if (this.res.headersSent) this.res.destroy(err);
    else this.res.writeHead(502).end();
  }
}

const upstream = process.argv[2] ?? '';
const pool = new Pool(`http://${upstream}`, { connections: 256 });
const server = createServer((req, res) => {
  const headers: IncomingHttpHeaders = {};
  for (const name in req.headers) if (!HOP.has(name)) headers[name] = req.headers[name];
  pool.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: headers as Record<string, string>, body: null }, new Relay(res));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});
// Nothing to drain in a benchmark: exit at once (which also writes a --cpu-prof profile).
process.once('SIGTERM', () => { process.exit(0); });
