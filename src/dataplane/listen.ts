// Listener plumbing shared by the HTTP, HTTPS and admin servers: listen, and a graceful close
// that stops accepting, closes idle keep-alive connections (HTTP/1) and sends GOAWAY (HTTP/2),
// lets in-flight requests finish, and destroys what is left after a deadline.
import type { ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Server as AnyServer, Socket } from 'node:net';

const tracked = new WeakMap<AnyServer, { sockets: Set<Socket>; sessions: Set<ServerHttp2Session> }>();

/** `reusePort`: several processes bind the same port and the kernel spreads connections. */
export async function listen(server: AnyServer, port: number, host: string, reusePort = false): Promise<number> {
  const sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();
  tracked.set(server, { sockets, sessions });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, reusePort }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function closeGracefully(server: AnyServer, deadlineMs = 30_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
  const t = tracked.get(server);
  // Our listeners and node:http's admin server can close idle keep-alive connections.
  (server as AnyServer & { closeIdleConnections?: () => void }).closeIdleConnections?.();
  for (const session of t?.sessions ?? []) session.close();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      for (const socket of t?.sockets ?? []) socket.destroy();
      resolve();
    }, deadlineMs);
    timer.unref();
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
}
