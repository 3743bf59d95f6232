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

export function parseWrkOutput(text: string): WrkResult {
  const total = must(text, /^\s+(\d+) requests in ([0-9.]+)(us|ms|s|m|h), ([0-9.]+)([KMGT]?B) read/m, 'request total');
  const rps = must(text, /^Requests\/sec:\s+([0-9.]+)/m, 'Requests/sec');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: (Number(total[2]) * (TIME_UNITS[total[3] ?? ''] ?? Number.NaN)) / 1000,
    requestsPerSecond: Number(rps[1]),
    latencyMs: { p50: percentileMs(text, 50), p75: percentileMs(text, 75), p90: percentileMs(text, 90), p99: percentileMs(text, 99) },
    bytesRead: Number(total[4]) * (BYTE_UNITS[total[5] ?? ''] ?? Number.NaN),
    non2xx3xx: Number(non2xx?.[1] ?? 0),
    socketErrors: { connect: Number(sock?.[1] ?? 0), read: Number(sock?.[2] ?? 0), write: Number(sock?.[3] ?? 0), timeout: Number(sock?.[4] ?? 0) },
  };
}
