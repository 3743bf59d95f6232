// TLS connections routed by server name before any HTTP:
// - nginx ssl-passthrough (with --enable-ssl-passthrough): a TLS connection whose server name is
//   the host of a passthrough route is not terminated here. Its bytes, the ClientHello already read
//   included, go unchanged to an endpoint of the host's "/" route, as ingress-nginx sends them to
//   the backend of its "/" location.
// - Gateway API TLSRoutes (RoutingTable.tlsStreams of the table the connection arrived on):
//   Passthrough the same way; Terminate after the handshake, with the decrypted bytes. A name no
//   route takes on a port of TLS listeners only is refused (the connection is closed).
// The joined connection is a tunnel (../stream-relay.ts, ../tunnels.ts).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { lookupTlsStream, tableForConnection } from '../../routing/match.ts';
import type { Route, RoutingTable } from '../../routing/types.ts';
import { pickBackend } from '../request-facts.ts';
import { relay, type RelayDeps } from '../stream-relay.ts';
import { handshakeOf } from './handshake-record.ts';
import type { TableHolder } from '../table-holder.ts';

export interface TlsRoutingDeps extends RelayDeps {
  readonly tables: TableHolder;
  /** --enable-ssl-passthrough: honour nginx ssl-passthrough routes. */
  readonly nginx: boolean;
}

/**
 * What a TLS connection is, by its ClientHello: "taken" (passed through, or refused), "http" (TLS
 * ends here, HTTP follows), or a TLSRoute whose backend gets the plain bytes after the handshake.
 */
export type HelloVerdict = 'taken' | 'http' | { readonly stream: Route };

/** Called with `raw` paused and `hello` read off it. */
export type HelloRouter = (servername: string | undefined, raw: Socket, hello: Buffer) => HelloVerdict;

export interface TlsRouting {
  readonly routeHello: HelloRouter;
  /** A terminated TLSRoute connection: its plain bytes go to the route's backend. */
  readonly relayTerminated: (socket: TLSSocket, route: Route) => void;
}

/** The host's "/" route when the host passes TLS through: exact server names only, as ingress-nginx matches them. */
export function lookupPassthroughRoute(table: RoutingTable, servername: string): Route | undefined {
  const routes = table.hosts.get(servername);
  const root = routes?.prefix.get('/') ?? routes?.exact.get('/');
  return root?.options.sslPassthrough === true ? root : undefined;
}

/** The method of a routed connection's access-log line (it has no HTTP request). */
const PASSTHROUGH = 'TLS-PASSTHROUGH';
const TERMINATE = 'TLS-TERMINATE';

export function createTlsRouting(deps: TlsRoutingDeps): TlsRouting {
  const routeHello: HelloRouter = (servername, raw, hello) => {
    const table = deps.tables.current();
    const nginx = deps.nginx && servername !== undefined ? lookupPassthroughRoute(table, servername) : undefined;
    if (nginx !== undefined) {
      relay(deps, { route: nginx, client: raw, pending: hello, host: servername ?? '', method: PASSTHROUGH, peer: raw.remoteAddress ?? '' });
      return 'taken';
    }
    const stream = lookupTlsStream(tableForConnection(table, raw), servername);
    if (stream === undefined) return 'http';
    if (stream === 'refused') {
      deps.onOutcome('no_route');
      raw.destroy();
      return 'taken';
    }
    if (stream.mode === 'terminate') return { stream: stream.route };
    relay(deps, { route: pickBackend(stream.route), client: raw, pending: hello, host: servername ?? '', method: PASSTHROUGH, peer: raw.remoteAddress ?? '' });
    return 'taken';
  };
  return {
    routeHello,
    relayTerminated: (socket, route) => {
      const host = handshakeOf(socket)?.servername ?? '';
      relay(deps, { route: pickBackend(route), client: socket, pending: Buffer.alloc(0), host, method: TERMINATE, peer: socket.remoteAddress ?? '' });
    },
  };
}
