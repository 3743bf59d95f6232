import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { retriesAllowed } from './forward.ts';

describe('retriesAllowed', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])('retries %s without a body', (method) => {
    expect(retriesAllowed(method, null)).toBe(true);
  });

  it.each(['TRACE', 'POST', 'PATCH', 'PURGE', 'get'])('never retries %s', (method) => {
    expect(retriesAllowed(method, null)).toBe(false);
  });

  it('never retries a request with a body', () => {
    expect(retriesAllowed('PUT', Readable.from(['x']))).toBe(false);
  });
});
