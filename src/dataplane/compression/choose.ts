// Which answers are compressed, as ingress-nginx's use-gzip and enable-brotli have nginx decide
// (ngx_http_gzip_filter_module, ngx_brotli; pinned by test/feature/dataplane/compression-vs-nginx):
// an answer is a candidate when its status is 200, 403 or 404, it is not encoded already, its
// length is unknown or at least the codec's minimum, its type is one of the codec's (text/html
// always). A HEAD answer is decided as its GET would be (its headers say so; there is no body to
// encode). A candidate gets `Vary: Accept-Encoding` whatever the
// client accepts; it is compressed when the client's Accept-Encoding names the codec (exactly, q
// above 0), over HTTP/1.1 or later for gzip (nginx's gzip_http_version 1.1; ngx_brotli has no such
// rule). Brotli is preferred when both apply.
import type { OutgoingHttpHeaders } from 'node:http';

export interface CompressionCodec {
  /** gzip: 1-9; brotli: quality 0-11. */
  readonly level: number;
  /** Answers with a known Content-Length below this are sent as they are. */
  readonly minLength: number;
  /** MIME types (lower case, without parameters); text/html is always one. */
  readonly types: ReadonlySet<string>;
}

/** --use-gzip, --enable-brotli and their settings; a codec absent is off. */
export interface CompressionSettings {
  readonly gzip?: CompressionCodec;
  readonly brotli?: CompressionCodec;
}

export type Encoding = 'gzip' | 'br';

/** What the request says: the codings its client accepts, and whether the answer has a body at all. */
export interface CompressionRequest {
  readonly accepts: ReadonlySet<Encoding>;
  /** HEAD: the headers as for GET, but no body to encode. */
  readonly headerOnly: boolean;
}

export interface CompressionChoice {
  /** Add Accept-Encoding to Vary: the answer depends on it. */
  readonly vary: boolean;
  readonly encoding: Encoding | undefined;
  readonly codec: CompressionCodec | undefined;
}

const NONE: CompressionChoice = { vary: false, encoding: undefined, codec: undefined };
const COMPRESSED_STATUSES = new Set([200, 403, 404]);

/** The codings of Accept-Encoding Bollard can send; not gzip to an HTTP/1.0 client (nginx's gzip_http_version 1.1). */
export function acceptedEncodings(header: string | string[] | undefined, httpVersion: { major: number; minor: number }): ReadonlySet<Encoding> {
  const accepted = new Set<Encoding>();
  if (header === undefined) return accepted;
  const http10 = httpVersion.major === 1 && httpVersion.minor < 1;
  for (const item of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding = '', ...params] = item.split(';');
    const name = coding.trim().toLowerCase();
    if ((name === 'br' || (name === 'gzip' && !http10)) && !refused(params)) accepted.add(name);
  }
  return accepted;
}

/** A q of zero (q=0, q=0.0, …) refuses the coding. */
function refused(params: readonly string[]): boolean {
  return params.some((p) => /^\s*q\s*=\s*0(\.0{0,3})?\s*$/i.test(p));
}

export function chooseCompression(settings: CompressionSettings, request: CompressionRequest, status: number, headers: OutgoingHttpHeaders): CompressionChoice {
  if (!COMPRESSED_STATUSES.has(status) || isEncoded(headers)) return NONE;
  const brotli = candidate(settings.brotli, headers);
  const gzip = candidate(settings.gzip, headers);
  if (brotli === undefined && gzip === undefined) return NONE;
  if (brotli !== undefined && request.accepts.has('br')) return { vary: true, encoding: 'br', codec: brotli };
  if (gzip !== undefined && request.accepts.has('gzip')) return { vary: true, encoding: 'gzip', codec: gzip };
  return { vary: true, encoding: undefined, codec: undefined };
}

function isEncoded(headers: OutgoingHttpHeaders): boolean {
  const encoding = headers['content-encoding'];
  return encoding !== undefined && encoding !== '';
}

function candidate(codec: CompressionCodec | undefined, headers: OutgoingHttpHeaders): CompressionCodec | undefined {
  if (codec === undefined) return undefined;
  const length = headers['content-length'];
  if (length !== undefined && Number(length) < codec.minLength) return undefined;
  const type = mimeType(headers['content-type']);
  return type !== undefined && (type === 'text/html' || codec.types.has(type)) ? codec : undefined;
}

function mimeType(header: OutgoingHttpHeaders[string]): string | undefined {
  if (typeof header !== 'string') return undefined;
  const type = (header.split(';')[0] ?? '').trim().toLowerCase();
  return type === '' ? undefined : type;
}
