// A TCP round robin on 127.0.0.1 in front of the replicas' HTTP ports, standing in for the load
// balancer Pebble's HTTP-01 validations go through: each connection goes to the next target, in
// the order the test set, and the front records which target served which request (request
// line, Host, response status), read from the first bytes each way.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface FrontTarget {
  readonly id: string;
  readonly port: number;
}

export interface ServedRequest {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly status: number;
}

export interface RoundRobinFront {
  readonly port: number;
  /** Connections go to these targets in turn, starting with the first. */
  setTargets(targets: readonly FrontTarget[]): void;
  readonly served: readonly ServedRequest[];
  close(): Promise<void>;
}

function parseRequest(head: string): { method: string; path: string; host: string } {
  const [line = '', ...headers] = head.split('\r\n');
  const [method = '', path = ''] = line.split(' ');
  const host = headers.find((h) => h.toLowerCase().startsWith('host:'))?.slice(5).trim() ?? '';
  return { method, path, host };
}

export async function startRoundRobinFront(): Promise<RoundRobinFront> {
  let targets: readonly FrontTarget[] = [];
  let turn = 0;
  const served: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = targets[turn++ % Math.max(1, targets.length)];
    if (!target) { client.destroy(); return; }
    const upstream = connect(target.port, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.once('close', () => sockets.delete(s)); s.on('error', () => { client.destroy(); upstream.destroy(); }); }
    client.once('data', (first: Buffer) => {
      const request = parseRequest(first.toString('latin1'));
      upstream.once('data', (answer: Buffer) => {
        const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(answer.toString('latin1'))?.[1] ?? 0);
        served.push({ id: target.id, ...request, status });
      });
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setTargets(next) { targets = next; turn = 0; },
    served,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => { resolve(); });
    }),
  };
}
