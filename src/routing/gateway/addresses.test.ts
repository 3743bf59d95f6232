import { describe, expect, it } from '@jest/globals';
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import { assignAddresses } from './addresses.ts';

const gw = (name: string, created: string, statusAddresses: string[] = []): GatewayObject => ({
  namespace: 'ns', name, uid: name, generation: 1, creationTimestamp: created, gatewayClassName: 'bollard',
  listeners: [], conditions: [], listenerStatus: [], statusAddresses,
});

describe('assignAddresses', () => {
  it('gives the oldest Gateways the first free addresses, and none when the pool runs out', () => {
    const [a, b, c] = [gw('a', '2024-01-03T00:00:00Z'), gw('b', '2024-01-01T00:00:00Z'), gw('c', '2024-01-02T00:00:00Z')];
    const out = assignAddresses([a, b, c], ['10.0.0.1', '10.0.0.2']);
    expect([out.get(b), out.get(c), out.get(a)]).toEqual(['10.0.0.1', '10.0.0.2', undefined]);
  });

  it('keeps the address a Gateway\'s status holds while it is in the pool; an older Gateway wins a shared one', () => {
    const older = gw('older', '2024-01-01T00:00:00Z', ['10.0.0.2']);
    const younger = gw('younger', '2024-01-02T00:00:00Z', ['10.0.0.2']);
    const moved = gw('moved', '2024-01-03T00:00:00Z', ['192.0.2.9']);
    const out = assignAddresses([younger, moved, older], ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect([out.get(older), out.get(younger), out.get(moved)]).toEqual(['10.0.0.2', '10.0.0.1', '10.0.0.3']);
  });
});
