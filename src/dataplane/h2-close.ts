// The end of an HTTP/2 connection. node:http2 closes a session gracefully — GOAWAY sent (drain,
// shutdown) or received (the client goes away), and its last stream done — by ending its socket
// and then waiting for the peer to close its side. A client that sent GOAWAY but keeps the
// connection open, or one that ignores ours, held the socket until the idle timeout (75 s), and
// a shutdown until its deadline. So once our side is flushed, the peer gets a short while to
// close (its FIN ends it at once, and no bytes of ours still unread there are lost to a reset),
// then the socket is destroyed: Envoy's delayed close.
import type { Socket } from 'node:net';

/** How long a peer may keep a connection open after our side of it has ended. */
export const H2_CLOSE_LINGER_MS = 1_000;

/** Destroys the socket of an HTTP/2 session a short while after the session has ended it. */
export function closeAfterSessionEnds(socket: Socket, lingerMs = H2_CLOSE_LINGER_MS): void {
  socket.once('finish', () => {
    const timer = setTimeout(() => { socket.destroy(); }, lingerMs);
    timer.unref();
    socket.once('close', () => { clearTimeout(timer); });
  });
}
