import { describe, expect, it } from '@jest/globals';
import { matchesSubjectAltName, parseSubjectAltNames } from './subject-alt-names.ts';

describe('parseSubjectAltNames', () => {
  it('reads plain and JSON-quoted entries', () => {
    expect(parseSubjectAltNames('DNS:a.example.com, URI:spiffe://a.example.com/id, IP Address:127.0.0.1'))
      .toEqual(['DNS:a.example.com', 'URI:spiffe://a.example.com/id', 'IP Address:127.0.0.1']);
    expect(parseSubjectAltNames('URI:"spiffe://x/a, b", DNS:b.test')).toEqual(['URI:spiffe://x/a, b', 'DNS:b.test']);
  });

  it('stops at what it cannot read instead of throwing', () => {
    expect(parseSubjectAltNames('DNS:a.test, URI:"unterminated')).toEqual(['DNS:a.test']);
    expect(parseSubjectAltNames('')).toEqual([]);
  });
});

describe('matchesSubjectAltName', () => {
  const entries = ['DNS:abc.example.com', 'DNS:*.wild.test', 'URI:spiffe://abc.example.com/test-identity'];

  it('one match of several is enough', () => {
    expect(matchesSubjectAltName(entries, ['URI:spiffe://def.example.com/x', 'DNS:ABC.example.com'])).toBe(true);
    expect(matchesSubjectAltName(entries, ['URI:spiffe://abc.example.com/test-identity'])).toBe(true);
  });

  it('a DNS name is covered by a wildcard over its first label only; URIs compare exactly', () => {
    expect(matchesSubjectAltName(entries, ['DNS:a.wild.test'])).toBe(true);
    expect(matchesSubjectAltName(entries, ['DNS:a.b.wild.test'])).toBe(false);
    expect(matchesSubjectAltName(entries, ['URI:spiffe://abc.example.com/test-identity/'])).toBe(false);
    expect(matchesSubjectAltName(entries, ['DNS:def.example.com', 'URI:spiffe://def.example.com/test-identity'])).toBe(false);
  });
});
