// The answer on an HTTP/1.1 connection that was handed over for an upgrade which did not happen
// (refused here, or by the upstream): written like any response (Http1Response frames the body
// and adds "connection: close"), then the connection closes. What the client sent after the
// upgrade request is never read as HTTP, and never sent anywhere: the connection could be taken
// back by the HTTP/1 handling only by re-parsing bytes it has already given up, so it is closed,
// and a client that wants another request opens a new connection.
import type { Socket } from 'node:net';
import { Http1Response, type ResponseOwner } from './http1/response.ts';

/** Time a closed connection's peer gets to read the answer and hang up before it is cut. */
const LINGER_MS = 5_000;

export function closingResponse(socket: Socket): Http1Response {
  const owner: ResponseOwner = {
    socket, minor: 1, closingSoon: true,
    responseDone: () => {
      socket.end();
      // Read and drop what the client still sends, so its hang-up is seen and the close is a FIN,
      // not a reset that could destroy the answer in flight.
      socket.resume();
      socket.setTimeout(LINGER_MS, () => { socket.destroy(); });
    },
  };
  const res = new Http1Response(owner, false, false);
  socket.on('drain', () => { res.drained(); });
  socket.once('close', () => { res.emitClose(); });
  return res;
}
