// The one upgrade Bollard proxies is WebSocket (RFC 6455). These checks decide which upgrade
// requests are handed to the tunnel code and whether an upstream's 101 proves it read the
// handshake. Any other Upgrade (h2c, TLS/1.0, …) is an ordinary request: Upgrade, Connection and
// HTTP2-Settings are hop-by-hop and dropped on the way (forward-headers.ts), as RFC 9110 §7.8
// lets a server ignore an upgrade it does not take.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Base64 of 16 bytes (RFC 6455 §4.1, item 7). */
const KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** Whether an Upgrade header offers WebSocket (tokens compared case-insensitively, versions ignored). */
export function offersWebSocket(upgrade: string | undefined): boolean {
  if (upgrade === undefined) return false;
  return upgrade.split(',').some((token) => {
    const protocol = token.trim().toLowerCase();
    return protocol === 'websocket' || protocol.startsWith('websocket/');
  });
}

/** The client's Sec-WebSocket-Key when the HTTP/1.1 handshake is one we can check; undefined otherwise. */
export function webSocketKey(method: string, headers: IncomingHttpHeaders): string | undefined {
  const key = headers['sec-websocket-key'];
  if (method !== 'GET' || typeof key !== 'string' || !KEY.test(key)) return undefined;
  // A body would have to be read before switching protocols; WebSocket handshakes have none.
  if (headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0') return undefined;
  return key;
}

/** The Sec-WebSocket-Accept value that proves an upstream read `key` (RFC 6455 §4.2.2). */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}
