import { describe, expect, it } from '@jest/globals';
import type { ChainRequest } from './step.ts';
import { hashKeyOf } from './consistent-hash.ts';

const request = (headers: ChainRequest['headers'], query: string): ChainRequest => ({
  method: 'POST', headers, proto: 'https', host: 'shop.example.com',
  target: { matchPath: '/a b/c', upstreamPath: '/a%20b/c', query },
  clientAddress: () => '192.0.2.9', clientCertificate: () => undefined, limitRejectionStatus: 503, whenDone: () => undefined,
});

describe('the hash key of a request (nginx variables)', () => {
  it('fills in request values, headers, cookies and query arguments', () => {
    const req = request({ 'x-user-id': 'u1', cookie: 'theme=dark; Session=s42; other=1' }, '?Tenant=acme&tenant=second&x=');
    const key = hashKeyOf([
      { value: 'request_uri' }, '|', { value: 'uri' }, '|', { value: 'args' }, { value: 'is_args' }, '|', { value: 'host' }, '|', { value: 'scheme' }, '|',
      { value: 'request_method' }, '|', { value: 'remote_addr' }, '|', { header: 'x-user-id' }, '|', { cookie: 'session' }, '|', { arg: 'tenant' },
    ], req);
    expect(key).toBe('/a%20b/c?Tenant=acme&tenant=second&x=|/a b/c|Tenant=acme&tenant=second&x=?|shop.example.com|https|POST|192.0.2.9|u1|s42|acme');
  });

  it('makes an absent value empty', () => {
    expect(hashKeyOf([{ header: 'x-user-id' }, '-', { cookie: 'session' }, '-', { arg: 'id' }, '-', { value: 'is_args' }], request({}, ''))).toBe('---');
  });
});
