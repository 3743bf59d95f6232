import { describe, expect, it } from '@jest/globals';
import type { TlsCertificate, TlsTable } from '../routing/types.ts';
import { misdirected } from './misdirected.ts';

const cert = (name: string, extra: Partial<TlsCertificate> = {}): TlsCertificate => ({ secret: { namespace: 'ns', name }, certPem: 'C', keyPem: 'K', ...extra });
const strict = cert('s', { gatewayListener: 'gw/a/strict', clientValidation: { caPem: 'CA', mode: 'AllowValidOnly' } });
const fallback = cert('f', { gatewayListener: 'gw/a/fallback', clientValidation: { caPem: 'CA', mode: 'AllowInsecureFallback' } });
const open = cert('o', { gatewayListener: 'gw/a/open' });
const ingressA = cert('ia');
const ingressB = cert('ib');
const tls: TlsTable = {
  hosts: new Map([['strict.test', strict], ['fallback.test', fallback], ['open.test', open], ['a.test', ingressA], ['b.test', ingressB]]),
  wildcards: new Map(),
};

describe('misdirected', () => {
  it('never for plain HTTP, nor between Ingress certificates (whatever the SNI)', () => {
    expect(misdirected(tls, undefined, 'strict.test')).toBe(false);
    expect(misdirected(tls, { servername: 'a.test', entry: ingressA, extra: false }, 'b.test')).toBe(false);
    expect(misdirected(tls, { servername: 'acme.test', entry: undefined, extra: true }, 'a.test')).toBe(false);
  });

  it('between a Gateway listener and anything else, in either direction', () => {
    expect(misdirected(tls, { servername: 'open.test', entry: open, extra: false }, 'a.test')).toBe(true);
    expect(misdirected(tls, { servername: 'a.test', entry: ingressA, extra: false }, 'open.test')).toBe(true);
    expect(misdirected(tls, { servername: 'open.test', entry: open, extra: false }, 'strict.test')).toBe(true);
  });

  it('for the name the handshake was for, only when that handshake did not run the validation the listener requires', () => {
    expect(misdirected(tls, { servername: 'strict.test', entry: strict, extra: false }, 'strict.test')).toBe(false);
    // The certificate failed to load, so the default one answered and asked for nothing.
    expect(misdirected(tls, { servername: 'strict.test', entry: undefined, extra: false }, 'strict.test')).toBe(true);
    // The listener turned to AllowValidOnly after this connection's handshake.
    expect(misdirected(tls, { servername: 'strict.test', entry: fallback, extra: false }, 'strict.test')).toBe(true);
    expect(misdirected(tls, { servername: 'fallback.test', entry: undefined, extra: false }, 'fallback.test')).toBe(false);
  });

  it('an ACME certificate for the name answered: only a listener of that very name that requires a certificate counts', () => {
    const withCatchAll: TlsTable = { ...tls, anyHost: strict };
    expect(misdirected(withCatchAll, { servername: 'acme.test', entry: undefined, extra: true }, 'acme.test')).toBe(false);
    // The strict listener's own certificate failed to load and ACME had one for its name.
    expect(misdirected(withCatchAll, { servername: 'strict.test', entry: undefined, extra: true }, 'strict.test')).toBe(true);
    // The host-less listener's certificate failed to load: the default one answered, asking for nothing.
    expect(misdirected(withCatchAll, { servername: 'other.test', entry: undefined, extra: false }, 'other.test')).toBe(true);
  });

  it('without SNI, only for a listener that requires a certificate', () => {
    expect(misdirected(tls, { servername: undefined, entry: undefined, extra: false }, 'strict.test')).toBe(true);
    expect(misdirected(tls, { servername: undefined, entry: undefined, extra: false }, 'open.test')).toBe(false);
    expect(misdirected(tls, { servername: undefined, entry: undefined, extra: false }, 'a.test')).toBe(false);
  });
});
