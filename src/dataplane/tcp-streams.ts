// Gateway API TCP listeners: each connection accepted on a TCP listener's port (port-listeners.ts)
// goes, unread, to an endpoint of the TCPRoute bound to that port's table (RoutingTable.tcpRoute,
// chosen by the address and port it arrived on), as a tunnel like a TLS passthrough
// (stream-relay.ts); with no route bound, the connection is closed.
import { Server, type Socket } from 'node:net';
import { tableForConnection } from '../routing/match.ts';
import { pickBackend } from './request-facts.ts';
import { relay, type RelayDeps } from './stream-relay.ts';
import type { TableHolder } from './table-holder.ts';

export interface TcpStreamDeps extends RelayDeps {
  readonly tables: TableHolder;
}

/** The method of a TCP connection's access-log line. */
const METHOD = 'TCP';

/** A server that never listens itself: the TCP listeners' ports hand it their connections. */
export function createTcpStreamServer(deps: TcpStreamDeps): Server {
  const server = new Server({ noDelay: true });
  server.on('connection', (socket: Socket) => {
    const route = tableForConnection(deps.tables.current(), socket).tcpRoute;
    if (route === undefined) {
      deps.onOutcome('no_route');
      socket.destroy();
      return;
    }
    relay(deps, { route: pickBackend(route), client: socket, pending: Buffer.alloc(0), host: '', method: METHOD, peer: socket.remoteAddress ?? '' });
  });
  return server;
}
