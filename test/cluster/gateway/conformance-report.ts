// Reads the ConformanceReport the suite writes (-report-output) into what the test asserts and
// the line it prints: per profile, core and extended results with their counts.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export interface ProfileResult {
  readonly name: string;
  readonly core: { readonly result: string; readonly passed: number; readonly failed: number; readonly skipped: number; readonly failedTests: readonly string[] };
  readonly extended: {
    readonly result: string; readonly passed: number; readonly failed: number; readonly failedTests: readonly string[];
    readonly supportedFeatures: readonly string[]; readonly unsupportedFeatures: readonly string[];
  };
}

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw => (typeof v === 'object' && v !== null ? (v as Raw) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function stats(section: Raw): { result: string; passed: number; failed: number; skipped: number; failedTests: string[] } {
  const s = rec(section.statistics);
  return {
    result: typeof section.result === 'string' ? section.result : 'missing',
    passed: num(s.Passed), failed: num(s.Failed), skipped: num(s.Skipped), failedTests: strs(section.failedTests),
  };
}

export async function readConformanceReport(path: string): Promise<ProfileResult[]> {
  const report = rec(parse(await readFile(path, 'utf8')));
  const profiles = Array.isArray(report.profiles) ? report.profiles.map(rec) : [];
  return profiles.map((p) => {
    const extended = rec(p.extended);
    return {
      name: typeof p.name === 'string' ? p.name : '',
      core: stats(rec(p.core)),
      extended: { ...stats(extended), supportedFeatures: strs(extended.supportedFeatures), unsupportedFeatures: strs(extended.unsupportedFeatures) },
    };
  });
}

/** `GATEWAY-HTTP core 33/33, extended 20 features (45 tests) passed, 0 failed`. */
export function profileLine(p: ProfileResult): string {
  const core = `core ${String(p.core.passed)}/${String(p.core.passed + p.core.failed)} (${p.core.result})`;
  const features = p.extended.supportedFeatures.length;
  const all = features + p.extended.unsupportedFeatures.length;
  return `${p.name} ${core}, extended ${String(features)}/${String(all)} features claimed: ${String(p.extended.passed)} tests passed, ${String(p.extended.failed)} failed (${p.extended.result})`;
}
