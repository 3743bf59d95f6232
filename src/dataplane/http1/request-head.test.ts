import { describe, expect, it } from '@jest/globals';
import { parseRequestHead, type HeadError, type RequestHead } from './request-head.ts';

/** A head as the connection hands it over: lines joined by CRLF, without the blank line. */
const head = (...lines: string[]): string => lines.join('\r\n');

function parsed(text: string): RequestHead {
  const result = parseRequestHead(text);
  if ('code' in result) throw new Error(`refused: ${result.code}`);
  return result;
}

function refused(text: string): HeadError {
  const result = parseRequestHead(text);
  if ('method' in result) throw new Error(`accepted: ${result.method} ${result.url}`);
  return result;
}

describe('parseRequestHead: valid requests', () => {
  it('parses a GET without a body', () => {
    expect(parsed(head('GET /a/b?x=1 HTTP/1.1', 'Host: shop.test', 'Accept: */*'))).toEqual({
      method: 'GET', url: '/a/b?x=1', minor: 1,
      headers: { host: 'shop.test', accept: '*/*' },
      contentLength: 0, chunked: false, keepAlive: true, upgrade: false, expectContinue: false,
    });
  });

  it('parses a POST with a Content-Length', () => {
    const r = parsed(head('POST /upload HTTP/1.1', 'Host: shop.test', 'Content-Length: 42', 'Content-Type: text/plain'));
    expect([r.method, r.contentLength, r.chunked]).toEqual(['POST', 42, false]);
    expect(r.headers['content-type']).toBe('text/plain');
  });

  it('parses a chunked POST: no length, chunked (the coding name is case-insensitive)', () => {
    const r = parsed(head('POST / HTTP/1.1', 'Host: shop.test', 'Transfer-Encoding: Chunked'));
    expect([r.contentLength, r.chunked]).toEqual([undefined, true]);
  });

  it('lower-cases field names and trims optional whitespace around values', () => {
    const r = parsed(head('GET / HTTP/1.1', 'HOST: shop.test', 'X-Padded:  \t value with  inner space \t '));
    expect(r.headers).toEqual({ host: 'shop.test', 'x-padded': 'value with  inner space' });
  });

  it('accepts an empty value, obs-text in a value and a leading zero in Content-Length', () => {
    const r = parsed(head('PUT / HTTP/1.1', 'Host: shop.test', 'X-Empty:', 'X-Latin: caf\xe9', 'Content-Length: 007'));
    expect(r.headers['x-empty']).toBe('');
    expect(r.headers['x-latin']).toBe('caf\xe9');
    expect(r.contentLength).toBe(7);
  });

  it('accepts HTTP/1.0 without a Host', () => {
    const r = parsed(head('GET / HTTP/1.0'));
    expect([r.minor, r.headers.host, r.keepAlive]).toEqual([0, undefined, false]);
  });

  it.each(['GET', 'PROPFIND', 'M-SEARCH', 'PURGE', 'QUERY', 'BAN', 'X_CUSTOM'])('accepts the upper-case method %s (registered or extension)', (method) => {
    expect(parsed(head(`${method} / HTTP/1.1`, 'Host: x')).method).toBe(method);
  });

  it('accepts TRACE here: it is answered 405 by the proxy, on HTTP/1 and HTTP/2 alike', () => {
    expect(parsed(head('TRACE / HTTP/1.1', 'Host: x')).method).toBe('TRACE');
  });
});

describe('parseRequestHead: methods', () => {
  it.each(['get', 'Get', 'post', 'GET1', 'G.T', 'X~Y'])('refuses %s with 400', (method) => {
    expect(refused(head(`${method} / HTTP/1.1`, 'Host: x'))).toEqual({ status: 400, code: 'HPE_INVALID_METHOD' });
  });

  it('refuses CONNECT with 405: Bollard is not a forward proxy', () => {
    expect(refused(head('CONNECT shop.test:443 HTTP/1.1', 'Host: shop.test:443'))).toEqual({ status: 405, code: 'ERR_BOLLARD_CONNECT_METHOD' });
  });
});

describe('parseRequestHead: linear work', () => {
  // Counts the characters the parser examines instead of timing it: `X: x`, 32,000 spaces, `y`
  // cost ~380 ms with a value regex that backtracked (O(n²) steps); a scan looks at each once.
  function charactersExamined(text: string): number {
    const original = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- restored below
    let count = 0;
    String.prototype.charCodeAt = function counted(this: string, at: number): number {
      count++;
      return original.call(this, at);
    };
    try {
      parseRequestHead(text);
    } finally {
      String.prototype.charCodeAt = original;
    }
    return count;
  }

  it.each([
    ['a run of spaces inside a value', head('GET / HTTP/1.1', 'Host: x', `X: x${' '.repeat(32_000)}y`)],
    ['a run of spaces ending a value', head('GET / HTTP/1.1', 'Host: x', `X: x${' '.repeat(32_000)}`)],
    ['a value of spaces only', head('GET / HTTP/1.1', 'Host: x', `X:${' '.repeat(32_000)}`)],
    ['a run of tabs and spaces before a control character', head('GET / HTTP/1.1', 'Host: x', `X: x${' \t'.repeat(16_000)}\x01`)],
    ['many tiny fields', head('GET / HTTP/1.1', 'Host: x', ...Array.from({ length: 6_000 }, () => 'x:y'))],
  ])('examines each character of %s at most twice', (_name, text) => {
    const examined = charactersExamined(text);
    // The lower bound shows the fields were scanned here (a regex's steps would not be counted).
    expect(examined).toBeGreaterThanOrEqual(text.length / 2);
    expect(examined).toBeLessThanOrEqual(2 * text.length);
  });

  it('still parses the long-OWS field right', () => {
    expect(parsed(head('GET / HTTP/1.1', 'Host: x', `X: x${' '.repeat(32_000)}y \t`)).headers.x).toBe(`x${' '.repeat(32_000)}y`);
  });
});

describe('parseRequestHead: repeated fields', () => {
  it('joins repeated fields with a comma', () => {
    const r = parsed(head('GET / HTTP/1.1', 'Host: shop.test', 'X-A: 1', 'x-a: 2', 'X-A: 3'));
    expect(r.headers['x-a']).toBe('1, 2, 3');
  });

  it('joins cookies with "; "', () => {
    const r = parsed(head('GET / HTTP/1.1', 'Host: shop.test', 'Cookie: a=1', 'Cookie: b=2'));
    expect(r.headers.cookie).toBe('a=1; b=2');
  });
});

describe('parseRequestHead: keep-alive', () => {
  it.each([
    ['HTTP/1.1 by default', '1.1', undefined, true],
    ['HTTP/1.1 with close', '1.1', 'close', false],
    ['HTTP/1.1 with Close (case-insensitive)', '1.1', 'Close', false],
    ['HTTP/1.1 with close among other tokens', '1.1', 'TE, close', false],
    ['HTTP/1.1 with keep-alive', '1.1', 'keep-alive', true],
    ['HTTP/1.0 by default', '1.0', undefined, false],
    ['HTTP/1.0 with keep-alive', '1.0', 'keep-alive', true],
    ['HTTP/1.0 with Keep-Alive among other tokens', '1.0', 'TE , Keep-Alive', true],
    ['HTTP/1.0 with keep-alive and close', '1.0', 'keep-alive, close', false],
    ['HTTP/1.0 with an unrelated token', '1.0', 'x-keep-alive', false],
  ])('%s', (_name, version, connection, keepAlive) => {
    const lines = [`GET / HTTP/${version}`, 'Host: shop.test'];
    if (connection !== undefined) lines.push(`Connection: ${connection}`);
    expect(parsed(head(...lines)).keepAlive).toBe(keepAlive);
  });
});

describe('parseRequestHead: upgrade', () => {
  it.each([
    ['Connection: Upgrade with Upgrade', ['Connection: Upgrade', 'Upgrade: websocket'], true],
    ['upgrade among Connection tokens', ['Connection: keep-alive, Upgrade', 'Upgrade: websocket'], true],
    ['Upgrade without the Connection token', ['Upgrade: websocket'], false],
    ['Upgrade with Connection: keep-alive only', ['Connection: keep-alive', 'Upgrade: websocket'], false],
    ['Connection: upgrade without Upgrade', ['Connection: upgrade'], false],
  ])('%s', (_name, fields, upgrade) => {
    expect(parsed(head('GET /ws HTTP/1.1', 'Host: shop.test', ...fields)).upgrade).toBe(upgrade);
  });

  it('keeps the connection alive for an HTTP/1.1 upgrade request', () => {
    expect(parsed(head('GET /ws HTTP/1.1', 'Host: shop.test', 'Connection: Upgrade', 'Upgrade: websocket')).keepAlive).toBe(true);
  });
});

describe('parseRequestHead: Expect', () => {
  it('flags 100-continue on HTTP/1.1 (case-insensitive)', () => {
    const r = parsed(head('POST / HTTP/1.1', 'Host: shop.test', 'Content-Length: 5', 'Expect: 100-Continue'));
    expect(r.expectContinue).toBe(true);
  });

  it('does not flag 100-continue on HTTP/1.0', () => {
    expect(parsed(head('POST / HTTP/1.0', 'Content-Length: 5', 'Expect: 100-continue')).expectContinue).toBe(false);
  });

  it('answers 417 for any other expectation', () => {
    expect(refused(head('POST / HTTP/1.1', 'Host: shop.test', 'Content-Length: 5', 'Expect: something-else'))).toEqual({ status: 417, code: 'HPE_INVALID_EXPECT' });
  });
});

describe('parseRequestHead: refusals (400)', () => {
  it.each([
    ['empty head', '', 'HPE_INVALID_REQUEST_LINE'],
    ['no version', 'GET /', 'HPE_INVALID_REQUEST_LINE'],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['lower-case protocol', 'GET / http/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['two spaces after the method', 'GET  / HTTP/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['space inside the target', 'GET /a b HTTP/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['trailing space after the version', 'GET / HTTP/1.1 \r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['a separator in the method', 'GE(T / HTTP/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['leading whitespace before the method', ' GET / HTTP/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['control character in the target', 'GET /\x01 HTTP/1.1\r\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['bare LF ending the request line', 'GET / HTTP/1.1\nHost: x', 'HPE_INVALID_REQUEST_LINE'],
    ['bare LF between fields', 'GET / HTTP/1.1\r\nHost: x\nX-A: 1', 'HPE_INVALID_HEADER_TOKEN'],
    ['bare CR inside a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r2', 'HPE_INVALID_HEADER_TOKEN'],
    ['NUL inside a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\x002', 'HPE_INVALID_HEADER_TOKEN'],
    ['DEL inside a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\x7f', 'HPE_INVALID_HEADER_TOKEN'],
    ['obs-fold (space)', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded', 'HPE_INVALID_HEADER_TOKEN'],
    ['obs-fold (tab)', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded', 'HPE_INVALID_HEADER_TOKEN'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : x', 'HPE_INVALID_HEADER_TOKEN'],
    ['tab before the colon', 'GET / HTTP/1.1\r\nHost\t: x', 'HPE_INVALID_HEADER_TOKEN'],
    ['a field without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColon', 'HPE_INVALID_HEADER_TOKEN'],
    ['an empty field name', 'GET / HTTP/1.1\r\nHost: x\r\n: value', 'HPE_INVALID_HEADER_TOKEN'],
    ['an empty line inside the head', 'GET / HTTP/1.1\r\n\r\nHost: x', 'HPE_INVALID_HEADER_TOKEN'],
    ['duplicate Host', 'GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test', 'HPE_DUPLICATE_HOST'],
    ['duplicate Host differing in case', 'GET / HTTP/1.1\r\nHost: a.test\r\nhost: a.test', 'HPE_DUPLICATE_HOST'],
    ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['duplicate equal Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['Transfer-Encoding with Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['Transfer-Encoding gzip', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['Transfer-Encoding gzip, chunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['Transfer-Encoding chunked twice', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['Transfer-Encoding identity', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['Transfer-Encoding on HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc', 'HPE_INVALID_CONTENT_LENGTH'],
    ['negative Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1', 'HPE_INVALID_CONTENT_LENGTH'],
    ['signed Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5', 'HPE_INVALID_CONTENT_LENGTH'],
    ['hexadecimal Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10', 'HPE_INVALID_CONTENT_LENGTH'],
    ['Content-Length as a list', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4', 'HPE_INVALID_CONTENT_LENGTH'],
    ['Content-Length with a fraction', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4.0', 'HPE_INVALID_CONTENT_LENGTH'],
    ['empty Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length:', 'HPE_INVALID_CONTENT_LENGTH'],
    ['Content-Length of 16 digits', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1234567890123456', 'HPE_INVALID_CONTENT_LENGTH'],
    ['a target that is not a path, * or absolute', 'GET a/b HTTP/1.1\r\nHost: x', 'HPE_INVALID_URL'],
    ['a target that is a query only', 'GET ?q=1 HTTP/1.1\r\nHost: x', 'HPE_INVALID_URL'],
    ['an HTAB after the Content-Length value (llhttp refuses it)', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\t', 'HPE_INVALID_CONTENT_LENGTH'],
    ['an HTAB after the Transfer-Encoding value (llhttp refuses it)', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked \t ', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\nAccept: */*', 'HPE_MISSING_HOST'],
    ['nothing but a request line on HTTP/1.1', 'GET / HTTP/1.1', 'HPE_MISSING_HOST'],
  ])('%s', (_name, text, code) => {
    expect(refused(text)).toEqual({ status: 400, code });
  });
});

describe('parseRequestHead: field names that are Object.prototype properties', () => {
  // On a plain {} `headers['constructor']` would already hold Object before the field is added,
  // and the value would be joined onto "function Object() { [native code] }".
  it('keeps a Constructor field as sent', () => {
    expect(parsed(head('GET / HTTP/1.1', 'Host: shop.test', 'Constructor: v')).headers.constructor).toBe('v');
  });

  it('keeps a __proto__ field as sent', () => {
    expect(Object.keys(parsed(head('GET / HTTP/1.1', 'Host: shop.test', '__proto__: v')).headers)).toEqual(['host', '__proto__']);
  });
});

describe('parseRequestHead: dropUnderscoreFields (nginx underscores_in_headers off)', () => {
  const text = head('POST / HTTP/1.1', 'Host: shop.test', 'X_Auth_User: evil', 'Transfer_Encoding: chunked', 'Content-Length: 2', 'X-Auth-User: set');

  it('reads past such fields: no value, no framing, no duplicate check', () => {
    const h = parseRequestHead(text, { dropUnderscoreFields: true }) as RequestHead;
    expect(Object.keys(h.headers)).toEqual(['host', 'content-length', 'x-auth-user']);
    expect(h).toMatchObject({ chunked: false, contentLength: 2 });
  });

  it('keeps them as plain fields without the option', () => {
    expect(Object.keys(parsed(text).headers)).toEqual(['host', 'x_auth_user', 'transfer_encoding', 'content-length', 'x-auth-user']);
  });
});
