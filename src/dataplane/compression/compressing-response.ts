// A client response that compresses the body when chooseCompression says so (choose.ts). It decides
// at writeHead, from the status and headers the upstream sent: a compressed answer loses its
// Content-Length (the body is then chunked on HTTP/1.1), gets Content-Encoding, and a strong ETag
// becomes weak (the bytes differ, the content does not; nginx does the same), and Accept-Ranges
// goes (a range of the uncompressed body would be spliced onto compressed bytes). The body streams
// through the encoder: the encoder's write answers the relay's backpressure, and the encoder
// waits while the client is busy. What the upstream sent is flushed once per turn of the event
// loop, so a streamed answer (server-rendered HTML, long polls) reaches the client as it comes,
// as nginx's filters flush each chunk with proxy_buffering off. Trailers go out after the
// encoder's last bytes.
import type { OutgoingHttpHeaders } from 'node:http';
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib';
import { wrappedResponse, type ClientResponse } from '../client-response.ts';
import { chooseCompression, type CompressionCodec, type CompressionRequest, type CompressionSettings, type Encoding } from './choose.ts';

type Encoder = Gzip | BrotliCompress;

export function compressingResponse(res: ClientResponse, settings: CompressionSettings, request: CompressionRequest): ClientResponse {
  let encoder: Encoder | undefined;
  let trailers: Record<string, string> | undefined;
  let flushing = false;
  let flushKind: number = constants.Z_SYNC_FLUSH;
  const flushSoon = (e: Encoder, kind: number): void => {
    if (flushing) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      if (!e.destroyed && !e.writableEnded) e.flush(kind);
    });
  };

  const start = (encoding: Encoding, codec: CompressionCodec, length: number | undefined): Encoder => {
    const e = createEncoder(encoding, codec, length);
    e.on('data', (chunk: Buffer) => {
      if (res.write(chunk)) return;
      e.pause();
      res.once('drain', () => { e.resume(); });
    });
    e.once('end', () => {
      if (trailers !== undefined) res.addTrailers(trailers);
      res.end('');
    });
    // `on`, not `once`: a second error must not go unhandled and end the process.
    e.on('error', () => { res.destroy(); });
    res.on('close', () => { e.destroy(); });
    return e;
  };

  return wrappedResponse(res, {
    writeHead(status: number, headers: OutgoingHttpHeaders = {}): unknown {
      const choice = chooseCompression(settings, request, status, headers);
      if (choice.vary) addVary(headers);
      if (choice.encoding !== undefined && choice.codec !== undefined) {
        const length = headers['content-length'];
        if (!request.headerOnly) encoder = start(choice.encoding, choice.codec, length === undefined ? undefined : Number(length));
        flushKind = choice.encoding === 'gzip' ? constants.Z_SYNC_FLUSH : constants.BROTLI_OPERATION_FLUSH;
        markEncoded(headers, choice.encoding);
      }
      return res.writeHead(status, headers);
    },
    write(chunk: Buffer | string): boolean {
      if (encoder === undefined) return res.write(chunk);
      flushSoon(encoder, flushKind);
      return encoder.write(chunk);
    },
    end(data: string): unknown {
      if (encoder === undefined) return res.end(data);
      encoder.end(data);
      return undefined;
    },
    addTrailers(headers: Record<string, string>): void {
      if (encoder === undefined) res.addTrailers(headers);
      else trailers = headers;
    },
    destroy(): unknown {
      encoder?.destroy();
      return res.destroy();
    },
    once(_event: 'drain', listener: () => void): unknown {
      return encoder === undefined ? res.once('drain', listener) : encoder.once('drain', listener);
    },
  });
}

function createEncoder(encoding: Encoding, codec: CompressionCodec, length: number | undefined): Encoder {
  if (encoding === 'gzip') return createGzip({ level: codec.level });
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: codec.level,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      // ngx_brotli's default window (512 KiB); Node's (4 MiB) would cost that much per response.
      [constants.BROTLI_PARAM_LGWIN]: 19,
      ...(length === undefined ? {} : { [constants.BROTLI_PARAM_SIZE_HINT]: length }),
    },
  });
}

/** Accept-Encoding joins the Vary the upstream sent, once. */
function addVary(headers: OutgoingHttpHeaders): void {
  const vary = headers.vary;
  const sent = vary === undefined ? '' : (Array.isArray(vary) ? vary.join(', ') : vary);
  const names = sent.split(',').map((n) => n.trim().toLowerCase());
  if (names.includes('accept-encoding') || names.includes('*')) return;
  headers.vary = sent.trim() === '' ? 'Accept-Encoding' : `${sent}, Accept-Encoding`;
}

function markEncoded(headers: OutgoingHttpHeaders, encoding: Encoding): void {
  Reflect.deleteProperty(headers, 'content-length');
  Reflect.deleteProperty(headers, 'accept-ranges');
  headers['content-encoding'] = encoding;
  const etag = headers.etag;
  if (typeof etag !== 'string' || etag.startsWith('W/')) return;
  // A strong validator would promise the same bytes; nginx drops one it cannot make weak.
  if (etag.startsWith('"')) headers.etag = `W/${etag}`;
  else Reflect.deleteProperty(headers, 'etag');
}
