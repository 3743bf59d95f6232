// DNS-01 (RFC 8555 §8.4): the TXT record _acme-challenge.<name> holds the digest of the key
// authorization. A Dns01Provider writes and removes such records (rfc2136.ts: dynamic updates
// with TSIG); the solver here turns it into a ChallengeSolver for the order.
import type { ChallengeSolver } from './order.ts';

export interface Dns01Provider {
  /** Adds the TXT record `value` at `fqdn` and resolves once the authoritative server answers with it. */
  present(fqdn: string, value: string): Promise<void>;
  /** Removes that record (others at the same name stay). */
  cleanup(fqdn: string, value: string): Promise<void>;
}

/** The owner name of the challenge record of `name` (a wildcard's identifier comes without "*."). */
export const dns01RecordName = (name: string): string => `_acme-challenge.${name.replace(/^\*\./, '').replace(/\.$/, '')}`;

export function dns01Solver(provider: Dns01Provider): ChallengeSolver {
  return {
    type: 'dns-01',
    async present(name, _token, keyAuthorization) {
      const fqdn = dns01RecordName(name);
      await provider.present(fqdn, keyAuthorization);
      return () => provider.cleanup(fqdn, keyAuthorization);
    },
  };
}
