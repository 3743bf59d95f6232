// Gateway API durations (GEP-2257): one or more <number><unit> with units h, m, s, ms, e.g. "1m30s".
const PART = /(\d+)(ms|h|m|s)/gy;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when the text is not a Gateway duration. "0s" means no timeout (undefined too). */
export function parseGatewayDuration(text: string): number | undefined {
  if (text === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(text); m !== null; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    end = PART.lastIndex;
  }
  return end === text.length && total > 0 ? total : undefined;
}
