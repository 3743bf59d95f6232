// Parses the text wrk 4 prints with --latency. Pure, so it can be checked against saved output.

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p75: number; readonly p90: number; readonly p99: number };
  readonly bytesRead: number;
  readonly non2xx3xx: number;
  readonly socketErrors: { readonly connect: number; readonly read: number; readonly write: number; readonly timeout: number };
}

export class WrkOutputError extends Error {
  readonly code = 'WRK_OUTPUT_UNPARSED';
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

function must(text: string, re: RegExp, what: string): RegExpExecArray {
  const m = re.exec(text);
  if (!m) throw new WrkOutputError(`wrk output has no ${what}:\n${text}`);
  return m;
}

function percentileMs(text: string, p: number): number {
  const m = must(text, new RegExp(`^\\s+${p}%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$`, 'm'), `${p}% latency (run with --latency)`);
  return Number(m[1]) * (TIME_UNITS[m[2] ?? ''] ?? Number.NaN);
}

function socketErrors(text: string): WrkResult['socketErrors'] {
  const m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const [connect, read, write, timeout] = [1, 2, 3, 4].map((i) => Number(m?.[i] ?? 0));
  return { connect: connect ?? 0, read: read ?? 0, write: write ?? 0, timeout: timeout ?? 0 };
}

const scaled = (value: string | undefined, unit: string | undefined, units: Readonly<Record<string, number>>): number =>
  Number(value) * (units[unit ?? ''] ?? Number.NaN);

export function parseWrkOutput(text: string): WrkResult {
  const total = must(text, /^\s+(\d+) requests in ([0-9.]+)(us|ms|s|m|h), ([0-9.]+)([KMGT]?B) read/m, 'request total');
  const rps = must(text, /^Requests\/sec:\s+([0-9.]+)/m, 'Requests/sec');
  return {
    requests: Number(total[1]),
    seconds: scaled(total[2], total[3], TIME_UNITS) / 1000,
    requestsPerSecond: Number(rps[1]),
    latencyMs: { p50: percentileMs(text, 50), p75: percentileMs(text, 75), p90: percentileMs(text, 90), p99: percentileMs(text, 99) },
    bytesRead: scaled(total[4], total[5], BYTE_UNITS),
    non2xx3xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: socketErrors(text),
  };
}
