// Parses one HTTP/1.x request head (request line and header fields, without the blank line) as
// strictly as llhttp does without its lenient flags: anything a front end and a back end could
// read differently is refused (RFC 9112 §11.2, request smuggling): obs-fold, whitespace before a
// colon, bare CR or LF, duplicate Content-Length or Host, Content-Length with Transfer-Encoding,
// a transfer coding other than a lone "chunked". The head arrives as a latin1 string.
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestHead {
  readonly method: string;
  readonly url: string;
  /** 0 or 1 (HTTP/1.0 or HTTP/1.1). */
  readonly minor: number;
  readonly headers: IncomingHttpHeaders;
  /** Declared body length; 0 when the request has no body. Undefined when chunked. */
  readonly contentLength: number | undefined;
  readonly chunked: boolean;
  readonly keepAlive: boolean;
  /** Connection: upgrade with an Upgrade header (WebSocket). */
  readonly upgrade: boolean;
  readonly expectContinue: boolean;
}

export interface HeadError {
  readonly status: 400 | 417;
  /** Labels the client-error metric, in llhttp's vocabulary where one fits. */
  readonly code: string;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
// field-name ":" OWS field-value OWS; the value may hold VCHAR, obs-text, SP and HTAB only.
// eslint-disable-next-line no-control-regex -- the class lists the control characters refused
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([^\0-\x08\n-\x1f\x7f]*?)[\t ]*$/;
const DIGITS = /^\d{1,15}$/;
/** At most one of each: a second Host or Content-Length is a smuggling attempt. */
const SINGLE = new Set(['host', 'content-length']);

const fail = (code: string, status: 400 | 417 = 400): HeadError => ({ status, code });

export function parseRequestHead(head: string): RequestHead | HeadError {
  const lines = head.split('\r\n');
  const line = REQUEST_LINE.exec(lines[0] ?? '');
  if (line === null) return fail('HPE_INVALID_REQUEST_LINE');
  // No prototype: a field named "constructor" or "__proto__" is a field like any other.
  const headers = Object.create(null) as IncomingHttpHeaders;
  for (let i = 1; i < lines.length; i++) {
    const field = FIELD.exec(lines[i] ?? '');
    if (field === null) return fail('HPE_INVALID_HEADER_TOKEN');
    const error = addField(headers, (field[1] ?? '').toLowerCase(), field[2] ?? '');
    if (error !== undefined) return error;
  }
  const minor = line[3] === '1' ? 1 : 0;
  return describe(line[1] ?? '', line[2] ?? '', minor, headers);
}

function addField(headers: IncomingHttpHeaders, name: string, value: string): HeadError | undefined {
  const prior = headers[name];
  if (prior === undefined) {
    headers[name] = value;
    return undefined;
  }
  if (SINGLE.has(name)) return fail(name === 'host' ? 'HPE_DUPLICATE_HOST' : 'HPE_UNEXPECTED_CONTENT_LENGTH');
  headers[name] = `${String(prior)}${name === 'cookie' ? '; ' : ', '}${value}`;
  return undefined;
}

function describe(method: string, url: string, minor: number, headers: IncomingHttpHeaders): RequestHead | HeadError {
  if (minor === 1 && headers.host === undefined) return fail('HPE_MISSING_HOST');
  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  const framingError = checkFraming(te, cl, minor);
  if (framingError !== undefined) return framingError;
  const expect = headers.expect?.toLowerCase();
  if (expect !== undefined && expect !== '100-continue') return fail('HPE_INVALID_EXPECT', 417);
  return {
    method, url, minor, headers,
    contentLength: te === undefined ? Number(cl ?? '0') : undefined,
    chunked: te !== undefined,
    ...connectionFlags(headers, minor),
    expectContinue: expect === '100-continue' && minor === 1,
  };
}

/** RFC 9112 §6.1-6.3: one framing, a lone "chunked" (HTTP/1.1 only), a plain decimal length. */
function checkFraming(te: string | undefined, cl: string | undefined, minor: number): HeadError | undefined {
  if (te !== undefined && cl !== undefined) return fail('HPE_UNEXPECTED_CONTENT_LENGTH');
  if (te !== undefined && (minor === 0 || te.toLowerCase() !== 'chunked')) return fail('HPE_INVALID_TRANSFER_ENCODING');
  if (cl !== undefined && !DIGITS.test(cl)) return fail('HPE_INVALID_CONTENT_LENGTH');
  return undefined;
}

function connectionFlags(headers: IncomingHttpHeaders, minor: number): { keepAlive: boolean; upgrade: boolean } {
  const connection = headers.connection?.toLowerCase();
  if (connection === undefined) return { keepAlive: minor === 1, upgrade: false };
  return { keepAlive: keepsAlive(connection, minor), upgrade: headers.upgrade !== undefined && hasToken(connection, 'upgrade') };
}

function keepsAlive(connection: string, minor: number): boolean {
  if (hasToken(connection, 'close')) return false;
  return minor === 1 || hasToken(connection, 'keep-alive');
}

function hasToken(list: string, token: string): boolean {
  if (list === token) return true;
  return list.split(',').some((t) => t.trim() === token);
}
