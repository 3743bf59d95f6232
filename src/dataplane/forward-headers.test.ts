import { describe, expect, it } from '@jest/globals';
import { buildClientHeaders, buildUpstreamHeaders } from './forward-headers.ts';

describe('buildUpstreamHeaders', () => {
  const ctx = { clientIp: '192.0.2.7', proto: 'http' as const, host: 'shop.example.com' };

  it('drops hop-by-hop headers, including those named in Connection', () => {
    const out = buildUpstreamHeaders(
      { connection: 'keep-alive, X-Secret', 'keep-alive': 'timeout=5', 'x-secret': 's', te: 'trailers', upgrade: 'h2c', accept: '*/*' },
      ctx,
    );
    expect(Object.keys(out).sort()).toEqual(['accept', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
  });

  it('appends the client to X-Forwarded-For and sets proto and host', () => {
    const out = buildUpstreamHeaders({ 'x-forwarded-for': '203.0.113.1', host: 'shop.example.com' }, ctx);
    expect(out['x-forwarded-for']).toBe('203.0.113.1, 192.0.2.7');
    expect(out['x-forwarded-proto']).toBe('http');
    expect(out['x-forwarded-host']).toBe('shop.example.com');
    expect(out.host).toBe('shop.example.com');
  });
});

describe('buildClientHeaders', () => {
  it('keeps end-to-end headers and multi-valued set-cookie', () => {
    const out = buildClientHeaders({ 'set-cookie': ['a=1', 'b=2'], 'transfer-encoding': 'chunked', 'content-type': 'text/plain', connection: 'close' });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });
});
