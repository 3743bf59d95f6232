// Parsers for the values of the bollard.io/* route annotations (processors/options.ts documents
// them). Each returns { value } or undefined when the value is not accepted; none of them throws.
import type { BackendProtocol, LoadBalancing } from './types.ts';

export interface Parsed<T> {
  readonly value: T;
}

const LOAD_BALANCING: readonly LoadBalancing[] = ['round-robin', 'least-request', 'ewma'];
const BACKEND_PROTOCOLS: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'H2C', 'GRPC', 'GRPCS'];
const MAX_READ_TIMEOUT_SECONDS = 3600;
const TIMEOUT = /^[0-9]{1,4}$/;
const MAX_IDLE_TIMEOUT_SECONDS = 86_400;
const IDLE_TIMEOUT = /^[0-9]{1,5}$/;
const SIZE = /^([0-9]{1,16})([kmg]?)$/i;
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Service port appProtocol (lower-cased) → backend protocol; anything else is HTTP. */
const APP_PROTOCOLS: ReadonlyMap<string, BackendProtocol> = new Map([
  ['kubernetes.io/h2c', 'H2C'],
  ['kubernetes.io/ws', 'HTTP'],
  ['kubernetes.io/wss', 'HTTPS'],
  ['http', 'HTTP'],
  ['https', 'HTTPS'],
  ['grpc', 'GRPC'],
  ['grpcs', 'GRPCS'],
]);

/** Exactly "true" or "false". */
export function parseBoolean(written: string): Parsed<boolean> | undefined {
  if (written === 'true') return { value: true };
  return written === 'false' ? { value: false } : undefined;
}

/** Exactly one of round-robin, least-request, ewma. */
export function parseLoadBalancing(written: string): Parsed<LoadBalancing> | undefined {
  const value = LOAD_BALANCING.find((lb) => lb === written);
  return value === undefined ? undefined : { value };
}

/** HTTP, HTTPS, H2C, GRPC or GRPCS, in any case. */
export function parseBackendProtocol(written: string): Parsed<BackendProtocol> | undefined {
  const upper = written.toUpperCase();
  const value = BACKEND_PROTOCOLS.find((p) => p === upper);
  return value === undefined ? undefined : { value };
}

/** Whole seconds, 1 to 3600, as milliseconds. */
export function parseTimeoutSeconds(written: string): Parsed<number> | undefined {
  if (!TIMEOUT.test(written)) return undefined;
  const seconds = Number(written);
  return seconds >= 1 && seconds <= MAX_READ_TIMEOUT_SECONDS ? { value: seconds * 1000 } : undefined;
}

/** Whole seconds, 1 to 86400 (a day), as milliseconds. */
export function parseIdleTimeoutSeconds(written: string): Parsed<number> | undefined {
  if (!IDLE_TIMEOUT.test(written)) return undefined;
  const seconds = Number(written);
  return seconds >= 1 && seconds <= MAX_IDLE_TIMEOUT_SECONDS ? { value: seconds * 1000 } : undefined;
}

/**
 * An nginx size: digits with an optional k, m or g (either case; binary multiples of 1024) as
 * bytes. Zero means unlimited (undefined).
 */
export function parseSize(written: string): Parsed<number | undefined> | undefined {
  const match = SIZE.exec(written);
  if (match === null) return undefined;
  const [, digits = '', unit = ''] = match;
  const bytes = Number(digits) * (SIZE_UNITS[unit.toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(bytes)) return undefined;
  return { value: bytes === 0 ? undefined : bytes };
}

/** The backend protocol a Service port's appProtocol implies; HTTP when unset or unknown. */
export function protocolForAppProtocol(appProtocol: string | undefined): BackendProtocol {
  return appProtocol === undefined ? 'HTTP' : (APP_PROTOCOLS.get(appProtocol.toLowerCase()) ?? 'HTTP');
}
