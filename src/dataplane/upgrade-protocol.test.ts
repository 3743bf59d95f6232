import { describe, expect, it } from '@jest/globals';
import { offersWebSocket, webSocketAccept, webSocketKey } from './upgrade-protocol.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('which upgrades are WebSocket', () => {
  it.each([
    ['websocket', true], ['WebSocket', true], ['h2c, websocket', true], ['websocket/13', true],
    ['h2c', false], ['TLS/1.0', false], ['websocketx', false], ['', false], [undefined, false],
  ])('Upgrade: %j → %j', (upgrade, expected) => {
    expect(offersWebSocket(upgrade)).toBe(expected);
  });
});

describe('the client handshake', () => {
  it('takes a GET without a body and with a 16-byte key', () => {
    expect(webSocketKey('GET', { 'sec-websocket-key': KEY })).toBe(KEY);
    expect(webSocketKey('GET', { 'sec-websocket-key': KEY, 'content-length': '0' })).toBe(KEY);
  });

  it.each([
    ['no key', 'GET', {}],
    ['a key of 15 bytes', 'GET', { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ=' }],
    ['a key that is not canonical base64', 'GET', { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZR==' }],
    ['POST', 'POST', { 'sec-websocket-key': KEY }],
    ['a body', 'GET', { 'sec-websocket-key': KEY, 'content-length': '2' }],
    ['a chunked body', 'GET', { 'sec-websocket-key': KEY, 'transfer-encoding': 'chunked' }],
  ])('refuses %s', (_case, method, headers) => {
    expect(webSocketKey(method, headers)).toBeUndefined();
  });

  it('computes the accept value of RFC 6455 §1.3', () => {
    expect(webSocketAccept(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});
