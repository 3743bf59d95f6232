import { describe, expect, it } from '@jest/globals';
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import { assignAddresses } from './addresses.ts';

const gw = (name: string, created: string, statusAddresses: string[] = [], specAddresses: GatewayObject['specAddresses'] = []): GatewayObject => ({
  namespace: 'ns', name, uid: name, generation: 1, creationTimestamp: created, gatewayClassName: 'bollard',
  listeners: [], specAddresses, conditions: [], listenerStatus: [], statusAddresses,
});

const POOL = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

describe('assignAddresses', () => {
  it('gives the oldest Gateways the first free addresses, and none when the pool runs out', () => {
    const [a, b, c] = [gw('a', '2024-01-03T00:00:00Z'), gw('b', '2024-01-01T00:00:00Z'), gw('c', '2024-01-02T00:00:00Z')];
    const out = assignAddresses([a, b, c], ['10.0.0.1', '10.0.0.2']);
    expect([out.get(b)?.address, out.get(c)?.address]).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(out.get(a)).toMatchObject({ reason: 'AddressNotAssigned' });
  });

  it('keeps the address a Gateway\'s status holds while it is in the pool; an older Gateway wins a shared one', () => {
    const older = gw('older', '2024-01-01T00:00:00Z', ['10.0.0.2']);
    const younger = gw('younger', '2024-01-02T00:00:00Z', ['10.0.0.2']);
    const moved = gw('moved', '2024-01-03T00:00:00Z', ['192.0.2.9']);
    const out = assignAddresses([younger, moved, older], POOL);
    expect([out.get(older), out.get(younger), out.get(moved)].map((a) => a?.address)).toEqual(['10.0.0.2', '10.0.0.1', '10.0.0.3']);
  });

  it('keeps the address the previous build gave a Gateway whose status does not show it yet, against one of the same second whose name sorts first', () => {
    const second = '2024-01-01T00:00:07Z';
    const first = gw('zz-first', second);
    const before = assignAddresses([first], POOL);
    expect(before.get(first)).toEqual({ address: '10.0.0.1' });
    const given = new Map([['ns/zz-first', '10.0.0.1']]);
    const [sameSecond, statusLags] = [gw('aa-same-second', second), gw('zz-first', second)];
    const after = assignAddresses([sameSecond, statusLags], POOL, given);
    expect([after.get(statusLags)?.address, after.get(sameSecond)?.address]).toEqual(['10.0.0.1', '10.0.0.2']);
    // Without the previous build's word the name decides, and the address moves under clients.
    expect(assignAddresses([sameSecond, statusLags], POOL).get(statusLags)?.address).toBe('10.0.0.2');
  });

  it('prefers the status to the previous build, and drops a given address outside the pool or taken by an older Gateway', () => {
    const older = gw('older', '2024-01-01T00:00:00Z', ['10.0.0.2']);
    const moved = gw('moved', '2024-01-02T00:00:00Z', ['10.0.0.3']);
    const outside = gw('outside', '2024-01-03T00:00:00Z');
    const clash = gw('clash', '2024-01-04T00:00:00Z');
    const given = new Map([['ns/moved', '10.0.0.1'], ['ns/outside', '192.0.2.1'], ['ns/clash', '10.0.0.2']]);
    const out = assignAddresses([older, moved, outside, clash], [...POOL, '10.0.0.4'], given);
    expect([older, moved, outside, clash].map((g) => out.get(g)?.address)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.4']);
  });

  it('gives a Gateway the address its spec asks for, before the others keep or take theirs', () => {
    const holder = gw('holder', '2024-01-01T00:00:00Z', ['10.0.0.3']);
    const asking = gw('asking', '2024-01-02T00:00:00Z', [], [{ type: 'IPAddress', value: '10.0.0.3' }]);
    const out = assignAddresses([holder, asking], POOL);
    expect(out.get(asking)).toEqual({ address: '10.0.0.3' });
    expect(out.get(holder)).toEqual({ address: '10.0.0.1' });
  });

  it('treats an IPAddress without a value as no request', () => {
    const out = assignAddresses([gw('any', '2024-01-01T00:00:00Z', [], [{ type: 'IPAddress', value: '' }])], POOL);
    expect([...out.values()]).toEqual([{ address: '10.0.0.1' }]);
  });

  it('refuses an unsupported type, an address outside the pool, several addresses, and one an older Gateway asked for', () => {
    const [fake, outside, several, first, second] = [
      gw('fake', '2024-01-01T00:00:00Z', [], [{ type: 'test/fake-invalid-type', value: 'x' }, { type: 'IPAddress', value: '10.0.0.1' }]),
      gw('outside', '2024-01-02T00:00:00Z', [], [{ type: 'IPAddress', value: '192.0.2.1' }]),
      gw('several', '2024-01-03T00:00:00Z', [], [{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'IPAddress', value: '10.0.0.2' }]),
      gw('first', '2024-01-04T00:00:00Z', [], [{ type: 'IPAddress', value: '10.0.0.2' }]),
      gw('second', '2024-01-05T00:00:00Z', [], [{ type: 'IPAddress', value: '10.0.0.2' }]),
    ];
    const out = assignAddresses([fake, outside, several, first, second], POOL);
    expect([fake, outside, several, first, second].map((g) => out.get(g)?.address ?? (out.get(g) as { reason: string }).reason))
      .toEqual(['UnsupportedAddress', 'AddressNotUsable', 'AddressNotUsable', '10.0.0.2', 'AddressNotUsable']);
  });
});
