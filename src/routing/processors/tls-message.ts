// The words of the TLS processor's diagnostics: a conflict over a host's certificate, and what a
// missing or invalid Secret means for its hosts.
import type { IngressObject } from '../../snapshot/model.ts';
import type { TlsCertificate, TlsTable } from '../types.ts';
import { refKey } from '../../snapshot/model.ts';
import { lookupCertificate } from '../match.ts';
import { precedenceReason } from './conflict-message.ts';

/** A tls entry's hold on one host. */
export interface TlsClaim {
  readonly ingress: IngressObject;
  /** "tls 0" */
  readonly where: string;
  readonly certificate: TlsCertificate;
}

const MAX_LISTED_HOSTS = 3;

export function tlsConflictMessage(host: string, loser: TlsClaim, winner: TlsClaim): string {
  const claim = `${loser.where}: host "${host}" names secret "${refKey(loser.certificate.secret)}"`;
  const other = `secret "${refKey(winner.certificate.secret)}"`;
  if (loser.ingress === winner.ingress) return `${claim}, but ${winner.where} names ${other} for it, which is used instead`;
  const why = precedenceReason(loser.ingress, winner.ingress);
  return `${claim}, but Ingress "${refKey(winner.ingress)}" names ${other} for it and takes precedence (${why})`;
}

/** "<problem>; host "a" will be served with the default certificate", naming the hosts nothing else covers. */
export function secretProblemMessage(where: string, problem: string, hosts: readonly string[], tls: TlsTable): string {
  const uncovered = hosts.filter((host) => !hasCertificate(tls, host));
  const outcome = uncovered.length === 0
    ? 'its hosts get their certificate from another tls entry'
    : `${listHosts(uncovered)} will be served with the default certificate`;
  return `${where}: ${problem}; ${outcome}`;
}

function hasCertificate(tls: TlsTable, host: string): boolean {
  return host.startsWith('*.') ? tls.wildcards.has(host.slice('*.'.length)) : lookupCertificate(tls, host) !== undefined;
}

function listHosts(hosts: readonly string[]): string {
  const shown = hosts.slice(0, MAX_LISTED_HOSTS).map((host) => `"${host}"`).join(', ');
  const more = hosts.length > MAX_LISTED_HOSTS ? ` and ${hosts.length - MAX_LISTED_HOSTS} more` : '';
  return `${hosts.length === 1 ? 'host' : 'hosts'} ${shown}${more}`;
}
