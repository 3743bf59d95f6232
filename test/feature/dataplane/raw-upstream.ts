// A raw TCP upstream for the upgrade tests: it records every byte each connection delivers,
// answers each request head with whatever the test's function returns, and never closes a
// connection itself, so anything a proxy later sends on it would be seen.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../../../src/routing/types.ts';

export interface RawConnection {
  /** Everything received so far, latin1. */
  readonly received: () => string;
  /** Resolves when the proxy closed the connection. */
  readonly closed: Promise<void>;
}

export interface RawUpstream {
  readonly endpoint: Endpoint;
  readonly connections: RawConnection[];
  /** The connection that carried the request for `target` (path and query: make it unique). */
  carrying(target: string): RawConnection | undefined;
  close(): Promise<void>;
}

/** `answer` gets one request head (up to the blank line) and returns the bytes to send back. */
export async function startRawUpstream(answer: (head: string) => string): Promise<RawUpstream> {
  const connections: RawConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let received = '';
    let unanswered = '';
    const closed = new Promise<void>((resolve) => { socket.once('close', () => { sockets.delete(socket); resolve(); }); });
    socket.on('error', () => undefined);
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      received += chunk;
      unanswered += chunk;
      for (let end = unanswered.indexOf('\r\n\r\n'); end !== -1; end = unanswered.indexOf('\r\n\r\n')) {
        socket.write(answer(unanswered.slice(0, end)), 'latin1');
        unanswered = unanswered.slice(end + 4);
      }
    });
    connections.push({ received: () => received, closed });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    connections,
    carrying: (target) => connections.find((c) => c.received().includes(`GET ${target} HTTP/1.1\r\n`)),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => { resolve(); });
    }),
  };
}

/** The Sec-WebSocket-Accept a well-behaved upstream answers to the key in `head`. */
export function acceptFor(head: string): string {
  const key = /\r\nsec-websocket-key: *([^\r]*)/i.exec(head)?.[1] ?? '';
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** The path (without the query) of the request line of `head`. */
export const pathOf = (head: string): string => (head.split(' ', 2)[1] ?? '').split('?', 1)[0] ?? '';

/** What `connection` received from the request for `target` on. */
export const receivedFrom = (connection: RawConnection, target: string): string => {
  const all = connection.received();
  return all.slice(all.indexOf(`GET ${target} HTTP/1.1\r\n`));
};
