// Validation of Ingress rule hosts (spec.rules[].host), done once at build time.
import { isIP } from 'node:net';

export type CompiledHost =
  | { readonly ok: true; readonly level: 'exact' | 'wildcard' | 'any'; readonly host: string }
  | { readonly ok: false; readonly problem: string };

const DNS_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$/;
const MAX_NAME_LENGTH = 253;

/** RFC 1123 subdomain: dot-separated labels of lower-case letters, digits and inner '-'. */
export function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && DNS_NAME.test(name);
}

/** Only strings of digits, dots and colons can be IP literals; skip the costly check otherwise. */
const mayBeIp = (host: string): boolean => /^[0-9a-f.:]+$/.test(host) && isIP(host) !== 0;

/**
 * Lower-cases and checks a rule's host. "" or absent means the rule applies to any host; "*.suffix"
 * is a wildcard whose "*" stands for exactly one label; IP addresses are refused, as the API does.
 */
export function compileHost(written: string | undefined): CompiledHost {
  if (written === undefined || written === '') return { ok: true, level: 'any', host: '' };
  const host = written.toLowerCase();
  if (mayBeIp(host)) {
    return fail(`host "${written}" is an IP address; an Ingress host must be a DNS name`);
  }
  if (host.startsWith('*.') && isDnsName(host.slice(2)) && host.length <= MAX_NAME_LENGTH) {
    return { ok: true, level: 'wildcard', host };
  }
  if (host.includes('*')) {
    return fail(`host "${written}" is not valid: a wildcard "*" must be the whole first label, as in "*.example.com"`);
  }
  if (!isDnsName(host)) {
    return fail(`host "${written}" is not a valid DNS name (letters, digits, "-" and "." only, labels of at most 63)`);
  }
  return { ok: true, level: 'exact', host };
}

function fail(problem: string): CompiledHost {
  return { ok: false, problem };
}
