// Parses one HTTP/1.x request head (request line and header fields, without the blank line) as
// strictly as llhttp does without its lenient flags: anything a front end and a back end could
// read differently is refused (RFC 9112 §11.2, request smuggling): obs-fold, whitespace before a
// colon, bare CR or LF, duplicate Content-Length or Host, Content-Length with Transfer-Encoding,
// a transfer coding other than a lone "chunked". The head arrives as a latin1 string and is read
// in one pass without backtracking (field-syntax.ts), so its cost is linear in its length.
// Methods: upper-case letters, "-" and "_" as nginx allows (llhttp's registered methods are all of
// that form); a lower-case method is refused, and so is CONNECT (405: not a forward proxy).
// With `dropUnderscoreFields` (nginx's underscores_in_headers off, ingress-nginx's default), a field
// whose name has an underscore is read past as if absent: upstreams that map "-" to "_" (CGI, WSGI,
// PHP) would otherwise take X_Auth_User from the client for the X-Auth-User the proxy controls.
import type { IncomingHttpHeaders } from 'node:http';
import { scanField } from './field-syntax.ts';

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
  readonly status: 400 | 405 | 417;
  /** Labels the client-error metric, in llhttp's vocabulary where one fits. */
  readonly code: string;
}

// Each part is a run of characters that cannot appear in the next separator: no backtracking.
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const METHOD = /^[A-Z_-]+$/;
/** origin-form, asterisk-form, or absolute-form (the proxy answers the last two 400 itself). */
const TARGET = /^(?:\/|\*$|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/;
const DIGITS = /^\d{1,15}$/;
/** At most one of each: a second Host or Content-Length is a smuggling attempt. */
const SINGLE = new Set(['host', 'content-length']);

const fail = (code: string, status: 400 | 405 | 417 = 400): HeadError => ({ status, code });

export interface HeadOptions {
  readonly dropUnderscoreFields?: boolean;
}

export function parseRequestHead(head: string, options: HeadOptions = {}): RequestHead | HeadError {
  const firstEnd = lineEnd(head, 0);
  const line = REQUEST_LINE.exec(head.slice(0, firstEnd));
  if (line === null) return fail('HPE_INVALID_REQUEST_LINE');
  const method = line[1] ?? '';
  const lineError = checkRequestLine(method, line[2] ?? '');
  if (lineError !== undefined) return lineError;
  const read = readFields(head, firstEnd + 2, options.dropUnderscoreFields === true);
  if (!('fields' in read)) return read;
  const minor = line[3] === '1' ? 1 : 0;
  return describe(method, line[2] ?? '', minor, read.fields);
}

/** The header fields from `at` to the end of the head. */
function readFields(head: string, from: number, dropUnderscores: boolean): { readonly fields: IncomingHttpHeaders } | HeadError {
  // No prototype: a field named "constructor" or "__proto__" is a field like any other.
  const headers = Object.create(null) as IncomingHttpHeaders;
  for (let at = from; at <= head.length;) {
    const end = lineEnd(head, at);
    const field = scanField(head, at, end);
    if (field === undefined) return fail('HPE_INVALID_HEADER_TOKEN');
    const name = field.name.toLowerCase();
    at = end + 2;
    if (dropUnderscores && name.includes('_')) continue;
    const error = framingTab(name, head, field.valueEnd, end) ?? addField(headers, name, field.value);
    if (error !== undefined) return error;
  }
  return { fields: headers };
}

function checkRequestLine(method: string, target: string): HeadError | undefined {
  if (!METHOD.test(method)) return fail('HPE_INVALID_METHOD');
  if (method === 'CONNECT') return fail('ERR_BOLLARD_CONNECT_METHOD', 405);
  if (!TARGET.test(target)) return fail('HPE_INVALID_URL');
  return undefined;
}

/** Where the line starting at `at` ends (its CRLF, or the end of the head). */
function lineEnd(head: string, at: number): number {
  const end = head.indexOf('\r\n', at);
  return end === -1 ? head.length : end;
}

/** llhttp refuses an HTAB after a Content-Length or Transfer-Encoding value (found by the differential test). */
function framingTab(name: string, head: string, valueEnd: number, lineEnd: number): HeadError | undefined {
  if (name !== 'content-length' && name !== 'transfer-encoding') return undefined;
  if (!head.slice(valueEnd, lineEnd).includes('\t')) return undefined;
  return fail(name === 'content-length' ? 'HPE_INVALID_CONTENT_LENGTH' : 'HPE_INVALID_TRANSFER_ENCODING');
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
