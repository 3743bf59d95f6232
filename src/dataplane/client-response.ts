// What the proxy needs of a client request/response, satisfied by our HTTP/1 connection handling
// (src/dataplane/http1/) and by node:http2's compatibility Http2ServerRequest/Http2ServerResponse.
// The request body travels beside the request, as a Readable or null.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface ClientRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersionMajor: number;
  /** HTTP/1.0 or 1.1; absent: 1 (and irrelevant for HTTP/2). */
  readonly httpVersionMinor?: number;
  readonly socket: { readonly remoteAddress?: string | undefined; readonly localPort?: number | undefined; readonly localAddress?: string | undefined } | null;
}

export interface ClientResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  statusCode: number;
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  write(chunk: Buffer | string): boolean;
  end(data: string): unknown;
  addTrailers(headers: Record<string, string>): void;
  destroy(): unknown;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** What a response wrapper changes (throttled-response.ts, compression/): the head and the body. */
export type ResponseBody = Pick<ClientResponse, 'writeHead' | 'write' | 'end' | 'addTrailers' | 'destroy' | 'once'>;

/** `res` with `body` in front of its head and body; its state and 'close' are `res`'s. */
export function wrappedResponse(res: ClientResponse, body: ResponseBody): ClientResponse {
  return {
    get headersSent() { return res.headersSent; },
    get destroyed() { return res.destroyed; },
    get writableFinished() { return res.writableFinished; },
    get statusCode() { return res.statusCode; },
    set statusCode(status: number) { res.statusCode = status; },
    writeHead: (status, headers) => body.writeHead(status, headers),
    write: (chunk) => body.write(chunk),
    end: (data) => body.end(data),
    addTrailers: (headers) => { body.addTrailers(headers); },
    destroy: () => body.destroy(),
    once: (event, listener) => body.once(event, listener),
    on: (event, listener) => res.on(event, listener),
  };
}

/**
 * A short plain-text answer (the body gets a newline), unless the response already started.
 * Returns the body bytes sent, for the access log.
 */
export function reply(res: ClientResponse, status: number, text: string, headers: Record<string, string | string[]>): number {
  if (res.headersSent || res.destroyed) return 0;
  const body = text === '' ? '' : `${text}\n`;
  const bytes = Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(bytes), ...headers });
  res.end(body);
  return bytes;
}
