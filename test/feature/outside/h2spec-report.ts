// Reads h2spec's JUnit report into test cases named by h2spec's own ids ("http2/5.1/8"): the
// section's package and the case's 1-based position in it, the form `h2spec http2/5.1/8` takes to
// rerun one case. Not an XML parser on purpose: h2spec copies raw frame bytes (NUL included) into
// its failure messages, which makes the report ill-formed XML.

export type H2specOutcome = 'passed' | 'failed' | 'skipped';

export interface H2specCase {
  readonly id: string;
  readonly title: string;
  readonly outcome: H2specOutcome;
}

export class H2specReportError extends Error {
  readonly code = 'H2SPEC_REPORT_INVALID';
}

const SUITE = /<testsuite\b[^>]*\bpackage="([^"]+)"[^>]*>([\s\S]*?)<\/testsuite>/g;
const CASE = /<testcase\b[^>]*\bclassname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;

function outcomeOf(body: string | undefined): H2specOutcome {
  if (body === undefined) return 'passed';
  if (/<(failure|error)\b/.test(body)) return 'failed';
  return /<skipped\b/.test(body) ? 'skipped' : 'passed';
}

const unescape = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

export function parseH2specReport(xml: string): H2specCase[] {
  const cases: H2specCase[] = [];
  for (const suite of xml.matchAll(SUITE)) {
    const [, pkg = '', body = ''] = suite;
    let n = 0;
    for (const c of body.matchAll(CASE)) {
      n += 1;
      cases.push({ id: `${pkg}/${n}`, title: unescape(c[1] ?? ''), outcome: outcomeOf(c[3]) });
    }
  }
  if (cases.length === 0) throw new H2specReportError('no test cases in the h2spec report');
  return cases;
}
