import { describe, expect, it } from '@jest/globals';
import { pickBackend, requestFacts } from './request-facts.ts';
import type { Route } from '../routing/types.ts';

const route = (key: string): Route => ({
  ingress: { namespace: 'a', name: 'r' }, pathType: 'Prefix', path: '/', upstream: { key, service: { namespace: 'a', name: key }, endpoints: [] },
  options: { sslRedirect: false, loadBalancing: 'round-robin', backendProtocol: 'HTTP', readTimeoutMs: 1, maxBodyBytes: undefined, tunnelIdleTimeoutMs: 1, connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined },
});

describe('request facts and weighted picks', () => {
  it('reads headers (joined) and the first value of a query parameter, decoded', () => {
    const facts = requestFacts('GET', 'http', { 'x-a': ['1', '2'], 'x-b': 'v' }, '?k=a%20b&k=c');
    expect([facts.header('x-a'), facts.header('x-b'), facts.header('x-c')]).toEqual(['1, 2', 'v', undefined]);
    expect([facts.queryParam('k'), facts.queryParam('z')]).toEqual(['a b', undefined]);
  });

  it('picks a split route by cumulative weight', () => {
    const [a, b] = [route('a'), route('b')];
    const split = { ...a, split: { routes: [a, b], cumulative: [3, 4] } };
    expect(pickBackend(split, () => 0).upstream.key).toBe('a');
    expect(pickBackend(split, () => 0.74).upstream.key).toBe('a');
    expect(pickBackend(split, () => 0.75).upstream.key).toBe('b');
    expect(pickBackend(a)).toBe(a);
  });
});
