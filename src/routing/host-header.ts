// Normalisation of a request's Host header (or :authority) to the form routing tables are keyed by.
import { isIPv6 } from 'node:net';

const NAME = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;
const PORT = /^[0-9]{0,5}$/;
const MAX_NAME_LENGTH = 253;
const MAX_PORT = 65535;

/**
 * Lower-cases, drops the port and one trailing dot: "Shop.Example.COM.:8443" → "shop.example.com".
 * A bracketed IPv6 literal keeps its brackets ("[::1]:80" → "[::1]"); it never names a route, but it
 * is a valid Host for rules without a host. Undefined when the value is not a valid host.
 */
export function normalizeHost(hostHeader: string): string | undefined {
  const value = hostHeader.toLowerCase();
  if (value.startsWith('[')) return normalizeIpv6(value);
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  if (colon !== -1 && !isPort(value.slice(colon + 1))) return undefined;
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  return host.length <= MAX_NAME_LENGTH && NAME.test(host) ? host : undefined;
}

function normalizeIpv6(value: string): string | undefined {
  const close = value.indexOf(']');
  if (close === -1) return undefined;
  const rest = value.slice(close + 1);
  if (rest !== '' && !(rest.startsWith(':') && isPort(rest.slice(1)))) return undefined;
  return isIPv6(value.slice(1, close)) ? value.slice(0, close + 1) : undefined;
}

/** Digits only, at most 65535; empty is allowed ("host:" is a valid authority). */
function isPort(port: string): boolean {
  return PORT.test(port) && (port === '' || Number(port) <= MAX_PORT);
}
