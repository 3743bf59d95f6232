// Ports Bollard opens on Gateways' own addresses for Gateway listeners on other ports than 80 and
// 443 (RoutingTable.portListeners). A connection accepted there goes to the HTTP or HTTPS server,
// as one accepted on its own port would; the table it is served from is picked by the address and
// port it arrived on (match.ts tableForConnection). Ports follow the table: opened when a listener
// appears, closed (with the connections they accepted) when it goes. A port that cannot be opened
// is counted and logged, and tried again at the next table and every `retryMs` while one fails.
import type { Server, Socket } from 'node:net';
import { listenAlso } from './listen.ts';
import type { PortListener } from '../routing/types.ts';

export interface PortListenerDeps {
  /** The servers a connection is handed to, by the listener's protocol. */
  readonly servers: Readonly<Record<PortListener['proto'], Server>>;
  readonly reusePort: boolean;
  readonly retryMs: number;
  readonly onOpen: (listener: PortListener, open: number) => void;
  readonly onClose: (listener: PortListener, open: number) => void;
  readonly onError: (listener: PortListener, err: NodeJS.ErrnoException) => void;
}

interface OpenPort {
  readonly listener: PortListener;
  readonly server: Server;
  readonly sockets: Set<Socket>;
}

const keyOf = (l: PortListener): string => `${l.proto} ${l.address} ${String(l.port)}`;

export class PortListeners {
  private readonly deps: PortListenerDeps;
  private readonly open = new Map<string, OpenPort>();
  private wanted: readonly PortListener[] = [];
  /** One reconcile at a time; an update during one is picked up when it ends. */
  private running: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(deps: PortListenerDeps) {
    this.deps = deps;
  }

  /** The ports the current table asks for. Settles when they are open (or failed) and the rest closed. */
  update(wanted: readonly PortListener[]): Promise<void> {
    this.wanted = wanted;
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.reconcileUntilSettled().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Settles when the ports of the latest update are open (or failed) and the others closed. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Closes every port and the connections accepted there. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.running;
    await Promise.all([...this.open.values()].map((p) => this.closePort(p)));
  }

  private async reconcileUntilSettled(): Promise<void> {
    do {
      this.again = false;
      await this.reconcile();
    } while (this.updatedMeanwhile());
  }

  private updatedMeanwhile(): boolean {
    return this.again && !this.closed;
  }

  private async reconcile(): Promise<void> {
    const wanted = new Map(this.closed ? [] : this.wanted.map((l) => [keyOf(l), l]));
    await Promise.all([...this.open].filter(([key]) => !wanted.has(key)).map(([, p]) => this.closePort(p)));
    const failed = await Promise.all([...wanted].filter(([key]) => !this.open.has(key)).map(([key, l]) => this.openPort(key, l)));
    clearTimeout(this.retry);
    this.retry = undefined;
    if (failed.includes(true) && !this.closed) {
      this.retry = setTimeout(() => { void this.update(this.wanted); }, this.deps.retryMs);
      this.retry.unref();
    }
  }

  /** @returns true when the port could not be opened. */
  private async openPort(key: string, listener: PortListener): Promise<boolean> {
    let server: Server;
    try {
      server = await listenAlso(this.deps.servers[listener.proto], listener.port, listener.address, this.deps.reusePort);
    } catch (err) {
      this.deps.onError(listener, err as NodeJS.ErrnoException);
      return true;
    }
    // The connections it accepts, so they end with the port (listenAlso hands each to the server).
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    this.open.set(key, { listener, server, sockets });
    this.deps.onOpen(listener, this.open.size);
    return false;
  }

  private async closePort(port: OpenPort): Promise<void> {
    this.open.delete(keyOf(port.listener));
    const closed = new Promise<void>((resolve) => port.server.close(() => { resolve(); }));
    // Their requests would now be served from the address's main table: they end with the port.
    for (const socket of port.sockets) socket.destroy();
    await closed;
    this.deps.onClose(port.listener, this.open.size);
  }
}
