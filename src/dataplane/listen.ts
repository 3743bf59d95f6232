// Listener plumbing shared by the HTTP, HTTPS and admin servers: listen, and a graceful close
// that stops accepting, has the server close its idle connections (keep-alive HTTP/1; GOAWAY to
// HTTP/2 sessions, see servers.ts), lets in-flight requests finish, and destroys what is left
// after a deadline.
import { createServer, type AddressInfo, type Server as AnyServer, type Server, type Socket } from 'node:net';

const tracked = new WeakMap<AnyServer, Set<Socket>>();

/** `reusePort`: several processes bind the same port and the kernel spreads connections. */
export async function listen(server: AnyServer, port: number, host: string, reusePort = false): Promise<number> {
  const sockets = new Set<Socket>();
  tracked.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await bind(server, port, host, reusePort);
  return (server.address() as AddressInfo).port;
}

/** server.listen as a promise that rejects on the listen error (EADDRINUSE, EACCES). */
function bind(server: AnyServer, port: number, host: string, reusePort: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, reusePort }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Listens on one more address for `server`: each connection accepted there is handed to it, as
 * its own listening socket's would be (Gateways' own addresses, --gateway-addresses). Close the
 * returned server before `server`.
 */
export async function listenAlso(server: AnyServer, port: number, host: string, reusePort = false): Promise<Server> {
  const extra = createServer((socket) => { server.emit('connection', socket); });
  await bind(extra, port, host, reusePort);
  return extra;
}

export async function closeGracefully(server: AnyServer, deadlineMs = 30_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
  const sockets = tracked.get(server);
  // Our listeners (idle HTTP/1 connections, GOAWAY to HTTP/2 sessions) and node:http's admin server.
  (server as AnyServer & { closeIdleConnections?: () => void }).closeIdleConnections?.();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      for (const socket of sockets ?? []) socket.destroy();
      resolve();
    }, deadlineMs);
    timer.unref();
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
}
