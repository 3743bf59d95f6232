// A bug in request handling costs one request, never the process. A synchronous exception from
// a handler would otherwise escape from a socket's 'data' event (HTTP/1) or an HTTP/2 stream
// event and end the process with every connection on it. The guard logs it, answers 500 when
// nothing was sent yet, and otherwise closes that request's connection (HTTP/1) or stream (h2).
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { reply, type ClientResponse } from './client-response.ts';
import type { ListenerHandlers } from './servers.ts';

export type HandlerFailure = (what: 'request' | 'upgrade' | 'connect', err: unknown) => void;

/** HTTP/1: the connection closes after the answer, its state being unknown. HTTP/2 has no such header. */
function answer500(res: ClientResponse, http1: boolean): void {
  if (res.headersSent && !res.destroyed) res.destroy();
  else reply(res, 500, 'internal error', http1 ? { connection: 'close' } : {});
}

export function guardHandlers(handlers: ListenerHandlers, failed: HandlerFailure): ListenerHandlers {
  return {
    request: (req, res, body) => {
      try {
        handlers.request(req, res, body);
      } catch (err: unknown) {
        failed('request', err);
        answer500(res, req.httpVersionMajor === 1);
      }
    },
    upgrade: (req, socket, head) => {
      try {
        handlers.upgrade(req, socket, head);
      } catch (err: unknown) {
        failed('upgrade', err);
        socket.destroy();
      }
    },
    connect: (req: Http2ServerRequest, res: Http2ServerResponse) => {
      try {
        handlers.connect(req, res);
      } catch (err: unknown) {
        failed('connect', err);
        // An HTTP/2 response carries no connection header; the stream ends, the session stays.
        if (!res.headersSent && !res.stream.destroyed) res.stream.respond({ ':status': 500 }, { endStream: true });
        else res.stream.close();
      }
    },
  };
}
