import { describe, expect, it } from '@jest/globals';
import { H2specReportError, parseH2specReport } from './h2spec-report.ts';

const report = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="6.7. PING" package="http2/6.7" id="6.7" tests="3" skipped="1" failures="0" errors="1">
    <testcase package="http2/6.7" classname="Sends a PING frame" time="0.0005"></testcase>
    <testcase package="http2/6.7" classname="Sends a PING frame with ACK" time="0.0005">
      <error>PING Frame (opaque_data:h2spec\u0000\u0000)
Connection closed</error>
    </testcase>
    <testcase package="http2/6.7" classname="Sends &quot;odd&quot; data"><skipped>not supported</skipped></testcase>
  </testsuite>
  <testsuite name="1. Starting HTTP/2" package="generic/1" id="1" tests="1">
    <testcase package="generic/1" classname="Sends a client connection preface"/>
  </testsuite>
</testsuites>`;

describe('parseH2specReport', () => {
  it('names cases by section and position, with outcomes, despite raw bytes in messages', () => {
    expect(parseH2specReport(report)).toEqual([
      { id: 'http2/6.7/1', title: 'Sends a PING frame', outcome: 'passed' },
      { id: 'http2/6.7/2', title: 'Sends a PING frame with ACK', outcome: 'failed' },
      { id: 'http2/6.7/3', title: 'Sends "odd" data', outcome: 'skipped' },
      { id: 'generic/1/1', title: 'Sends a client connection preface', outcome: 'passed' },
    ]);
  });

  it('refuses a report without cases', () => {
    expect(() => parseH2specReport('<testsuites></testsuites>')).toThrow(H2specReportError);
  });
});
