// The listener Pebble sends HTTP-01 validations to: it hands each request to one of the replica
// handlers the test chose (round robin) and records which replica answered 200.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReplicaHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface ValidationFront {
  readonly port: number;
  /** Replicas (by id) that receive validations next, in turn. */
  route(replicas: readonly { id: string; handle: ReplicaHandler }[]): void;
  /** Replica ids that answered a validation with 200, per request path. */
  readonly answered: { id: string; path: string; host: string; status: number }[];
  close(): Promise<void>;
}

export async function startValidationFront(): Promise<ValidationFront> {
  let targets: readonly { id: string; handle: ReplicaHandler }[] = [];
  let turn = 0;
  const answered: ValidationFront['answered'] = [];
  const server: Server = createServer((req, res) => {
    const target = targets[turn++ % Math.max(1, targets.length)];
    if (!target) { res.writeHead(503).end(); return; }
    res.on('finish', () => { answered.push({ id: target.id, path: req.url ?? '', host: req.headers.host ?? '', status: res.statusCode }); });
    if (!target.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    route(r) { targets = r; },
    answered,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}
