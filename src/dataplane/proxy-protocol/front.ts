// --proxy-protocol: each connection to the HTTP and HTTPS listeners starts with a PROXY header
// (header.ts). The front reads it before anything else sees the socket, puts back the bytes that
// follow it, makes the socket show the client the header names as its peer (remoteAddress,
// remotePort, remoteFamily: what the access log, X-Forwarded-For, allow and deny lists and rate
// limits read), and hands the socket on. A connection without a valid header, or that has not
// sent one within the time allowed, is closed without an answer, as nginx does.
import type { Socket } from 'node:net';
import { headerLengthAtLeast, readProxyHeader, type PeerAddress, type RefusalReason } from './header.ts';

/** What a listener runs on each accepted socket before its own handling (`next`). */
export interface ConnectionFront {
  accept(raw: Socket, next: (raw: Socket) => void): void;
  /** A TLS socket built over `raw` shows the peer its PROXY header named, if it had one. */
  carryPeer(raw: Socket, secured: Socket): void;
  /** Shutdown: connections still waiting for their header are idle; close them. */
  closeWaiting(): void;
}

export interface ProxyProtocolOptions {
  /** Time allowed for the whole header, from accepting the connection. */
  readonly timeoutMs: number;
  /**
   * Whether a header from this peer (the balancer's address) is believed; when not, the header is
   * still required and read, but the peer stays the client (nginx's set_real_ip_from).
   */
  readonly trusted: (peer: string) => boolean;
  readonly onRefused: (reason: RefusalReason) => void;
}

/** Makes `socket` show `peer` as its remote end (own properties shadow net.Socket's getters). */
function presentPeer(socket: Socket, peer: PeerAddress): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: peer.address, configurable: true },
    remotePort: { value: peer.port, configurable: true },
    remoteFamily: { value: peer.family, configurable: true },
  });
}

export function proxyProtocolFront(options: ProxyProtocolOptions): ConnectionFront {
  const waiting = new Set<Socket>();
  /** The client each header named, by the socket it came on, for the TLS socket built over it. */
  const peers = new WeakMap<Socket, PeerAddress>();
  const believe = (raw: Socket, peer: PeerAddress): void => {
    peers.set(raw, peer);
    presentPeer(raw, peer);
  };
  return {
    accept(raw, next) {
      waiting.add(raw);
      raw.once('close', () => waiting.delete(raw));
      readHeader(raw, options, believe, (rest) => {
        waiting.delete(raw);
        raw.pause();
        if (rest.length > 0) raw.unshift(rest);
        next(raw);
        // `next` listens for 'data' as on a fresh socket; the pause above kept it from flowing.
        if (!raw.destroyed) raw.resume();
      });
    },
    carryPeer(raw, secured) {
      const peer = peers.get(raw);
      if (peer !== undefined) presentPeer(secured, peer);
    },
    closeWaiting() {
      for (const raw of waiting) raw.destroy();
    },
  };
}

/** The front of a listener without the PROXY protocol: the socket goes straight on. */
export const directFront: ConnectionFront = {
  accept: (raw, next) => { next(raw); },
  carryPeer: () => undefined,
  closeWaiting: () => undefined,
};

type Believe = (raw: Socket, peer: PeerAddress) => void;

function readHeader(raw: Socket, options: ProxyProtocolOptions, believe: Believe, done: (rest: Buffer) => void): void {
  let chunks: Buffer[] = [];
  let received = 0;
  /** Bytes the header is known to take (v2 says so in its first 16); until then, each chunk is looked at. */
  let needed = 0;
  const refuse = (reason: RefusalReason): void => {
    clearTimeout(timer);
    raw.off('data', onData);
    options.onRefused(reason);
    raw.destroy();
  };
  const timer = setTimeout(() => { refuse('timeout'); }, options.timeoutMs);
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    received += chunk.length;
    // Joined only when the header could be whole, so a dripped v2 header costs linear work (a
    // v1 line is looked at with each chunk, but is at most 107 bytes).
    if (received < needed) return;
    const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, received);
    chunks = [head];
    // A v2 header past the size cap is refused here as soon as its length field is in.
    const reading = readProxyHeader(head);
    if (reading.kind === 'incomplete') {
      needed = headerLengthAtLeast(head);
      return;
    }
    if (reading.kind === 'invalid') {
      refuse(reading.reason);
      return;
    }
    clearTimeout(timer);
    raw.off('data', onData);
    if (reading.source !== undefined && options.trusted(raw.remoteAddress ?? '')) believe(raw, reading.source);
    done(head.subarray(reading.length));
  };
  raw.on('data', onData);
  raw.on('error', () => { /* 'close' follows */ });
  raw.once('close', () => { clearTimeout(timer); });
}
