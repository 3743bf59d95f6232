import { describe, expect, it } from '@jest/globals';
import { encodeSpans, unixNanos } from './otlp-json.ts';

describe('OTLP/JSON encoding', () => {
  it('writes nanoseconds since the epoch as exact decimal digits', () => {
    expect(unixNanos(1_765_000_000_123.5)).toBe('1765000000123500000');
    expect(unixNanos(1_765_000_000_000)).toBe('1765000000000000000');
    expect(unixNanos(1000.9999999)).toBe('1000999999');
  });

  it('encodes a server span with hex ids, typed attributes and an error status', () => {
    const body = JSON.parse(encodeSpans({ attributes: [['service.name', 'bollard']] }, 'bollard', [{
      traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: 'c'.repeat(16), traceState: 'k=v', name: 'GET /api',
      startMs: 1000, endMs: 1000.5, attributes: [['http.request.method', 'GET'], ['http.response.status_code', 502]], error: true,
    }])) as unknown;
    expect(body).toEqual({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bollard' } }] },
        scopeSpans: [{
          scope: { name: 'bollard' },
          spans: [{
            traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: 'c'.repeat(16), traceState: 'k=v', name: 'GET /api', kind: 2,
            startTimeUnixNano: '1000000000', endTimeUnixNano: '1000500000',
            attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.response.status_code', value: { intValue: '502' } }],
            status: { code: 2 },
          }],
        }],
      }],
    });
  });
});
