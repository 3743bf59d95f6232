import { describe, expect, it } from '@jest/globals';
import { buildClientHeaders, buildUpstreamHeaders, type ForwardContext } from './forward-headers.ts';

const ctx: ForwardContext = { clientIp: '192.0.2.7', proto: 'http', host: 'shop.example.com', port: 80, trusted: false, via: false };

describe('buildUpstreamHeaders', () => {
  it('drops hop-by-hop headers, those named in Connection, and HTTP/2 pseudo-headers', () => {
    const { headers } = buildUpstreamHeaders(
      { connection: 'keep-alive, X-Secret', 'keep-alive': 'timeout=5', 'x-secret': 's', te: 'gzip', upgrade: 'h2c', accept: '*/*', ':path': '/x', expect: '100-continue' },
      ctx,
    );
    expect(Object.keys(headers).sort()).toEqual([
      'accept', 'forwarded', 'host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-request-id',
    ]);
  });

  it('keeps "te: trailers" for gRPC', () => {
    expect(buildUpstreamHeaders({ te: 'trailers' }, ctx).headers.te).toBe('trailers');
  });

  it('replaces forwarding headers from an untrusted peer', () => {
    const { headers } = buildUpstreamHeaders({ 'x-forwarded-for': '203.0.113.1', 'x-forwarded-proto': 'https', forwarded: 'for=1.2.3.4' }, ctx);
    expect(headers['x-forwarded-for']).toBe('192.0.2.7');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('shop.example.com');
    expect(headers['x-forwarded-port']).toBe('80');
    expect(headers.forwarded).toBe('for=192.0.2.7;host="shop.example.com";proto=http');
  });

  it('extends forwarding headers from a trusted proxy', () => {
    const { headers } = buildUpstreamHeaders({ 'x-forwarded-for': '203.0.113.1', 'x-forwarded-proto': 'https', forwarded: 'for=203.0.113.1' }, { ...ctx, trusted: true });
    expect(headers['x-forwarded-for']).toBe('203.0.113.1, 192.0.2.7');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers.forwarded).toBe('for=203.0.113.1, for=192.0.2.7;host="shop.example.com";proto=http');
  });

  it('passes a well-formed X-Request-Id through and generates one otherwise', () => {
    expect(buildUpstreamHeaders({ 'x-request-id': 'abc-123' }, ctx).requestId).toBe('abc-123');
    const generated = buildUpstreamHeaders({ 'x-request-id': 'bad id\n' }, ctx);
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers['x-request-id']).toBe(generated.requestId);
  });

  it('adds Via when asked', () => {
    expect(buildUpstreamHeaders({ via: '1.0 edge' }, { ...ctx, via: true }).headers.via).toBe('1.0 edge, 1.1 bollard');
  });
});

describe('buildClientHeaders', () => {
  it('keeps end-to-end headers and multi-valued set-cookie', () => {
    const out = buildClientHeaders({ 'set-cookie': ['a=1', 'b=2'], 'transfer-encoding': 'chunked', 'content-type': 'text/plain', connection: 'close' }, false);
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });
});
