// A readiness probe for a server the harness started: whether 127.0.0.1:port accepts a TCP
// connection now (true), or not yet (undefined, so waitUntilReady asks again).
import { connect } from 'node:net';

export function acceptsConnections(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { resolve(undefined); });
  });
}
