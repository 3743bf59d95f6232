import { describe, expect, it } from '@jest/globals';
import type { Endpoint, RoutingTable } from '../../routing/types.ts';
import { UpstreamPools } from './pools.ts';

const endpoint = { host: '127.0.0.1', port: 9 };
const tableWith = (endpoints: readonly Endpoint[]): RoutingTable => ({
  hosts: new Map(), wildcards: new Map(), anyHost: undefined, defaultBackend: undefined, tls: { hosts: new Map(), wildcards: new Map() },
  upstreams: new Map([['app/web:80', { key: 'app/web:80', service: { namespace: 'app', name: 'web' }, endpoints }]]),
});

describe('UpstreamPools', () => {
  it('gives request mirrors connections of their own, closed like the rest when the endpoint leaves', async () => {
    const pools = new UpstreamPools();
    const mirror = pools.mirrorDispatcher(endpoint, 'HTTP');
    expect(mirror).not.toBe(pools.dispatcher(endpoint, 'HTTP'));
    expect(pools.mirrorDispatcher(endpoint, 'HTTP')).toBe(mirror);
    pools.retain(tableWith([endpoint]));
    expect(pools.mirrorDispatcher(endpoint, 'HTTP')).toBe(mirror);
    pools.retain(tableWith([]));
    expect(pools.mirrorDispatcher(endpoint, 'HTTP')).not.toBe(mirror);
    await pools.close();
  });
});
