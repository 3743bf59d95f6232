// Differential test of the HTTP/1 parser against llhttp (node:http, strict), in process: the same
// byte streams — generated from fixed seeds and a list of regression cases — go to both, and
// Bollard must never accept a request llhttp refuses, and where both read a request they must
// agree on method, target, fields and body. Intentional differences (Bollard stricter, and
// upper-case extension methods) are in docs/adr/0006-own-http1-connections.md. `make fuzz` runs
// many more seeds (scripts/fuzz-http1.ts).
import { describe, expect, it } from '@jest/globals';
import { check, describeInput } from '../../support/http1-diff/check.ts';
import { generateStream } from '../../support/http1-diff/generate.ts';

/** Streams that once diverged or that guard a known smuggling vector: kept for good. */
const REGRESSIONS: readonly { readonly name: string; readonly input: string; readonly bollardReads: number }[] = [
  // Found by this test: llhttp refuses an HTTP tab after these values, Bollard trimmed it as OWS.
  { name: 'Transfer-Encoding: chunked + HTAB', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n', bollardReads: 0 },
  { name: 'Content-Length: 5 + HTAB', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\t\r\n\r\nhello', bollardReads: 0 },
  { name: 'an empty chunk extension (llhttp: HPE_STRICT)', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n', bollardReads: 0 },
  { name: 'a target that is neither a path, * nor absolute (llhttp: HPE_INVALID_URL)', input: 'POST a/b?c=d HTTP/1.1\r\nHost: a\r\n\r\n', bollardReads: 0 },
  { name: 'a request read before a CONNECT keeps its place', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nxCONNECT h.test:443 HTTP/1.1\r\nHost: h.test\r\n\r\n', bollardReads: 1 },
  { name: 'Content-Length with Transfer-Encoding', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', bollardReads: 0 },
  { name: 'two Content-Lengths', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', bollardReads: 0 },
  { name: 'chunked not last', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n', bollardReads: 0 },
  { name: 'obs-fold', input: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n b\r\n\r\n', bollardReads: 0 },
  { name: 'space before the colon', input: 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', bollardReads: 0 },
  { name: 'bare LF in the head', input: 'GET / HTTP/1.1\nHost: a\n\n', bollardReads: 0 },
  { name: 'NUL in a value', input: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n', bollardReads: 0 },
  { name: 'bare LF after chunk data', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\n0\r\n\r\n', bollardReads: 0 },
  { name: 'a chunk size of 17 hex digits', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\na\r\n0\r\n\r\n', bollardReads: 0 },
  { name: 'lower-case method', input: 'get / HTTP/1.1\r\nHost: a\r\n\r\n', bollardReads: 0 },
  { name: 'empty lines before a request line', input: '\r\n\n\rGET / HTTP/1.1\r\nHost: a\r\n\r\n', bollardReads: 1 },
  { name: 'pipelined, chunked with extensions and trailers', input: 'POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x="a b"\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n', bollardReads: 2 },
  { name: 'HTTP/1.0 keep-alive, then a second request', input: 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\nGET /c HTTP/1.0\r\n\r\n', bollardReads: 2 },
  { name: 'data after Connection: close', input: 'GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n', bollardReads: 1 },
];

/** Seeds run in every `make test`; `make fuzz` starts elsewhere and runs many more. */
const SEEDS = Array.from({ length: 1500 }, (_, i) => i + 1);

describe('HTTP/1 parser vs llhttp', () => {
  it.each(REGRESSIONS)('regression: $name', async ({ input, bollardReads }) => {
    const pieces = [Buffer.from(input, 'latin1')];
    const verdict = await check(pieces);
    expect(verdict.divergence).toBeUndefined();
    expect(verdict.bollard.requests.length).toBe(bollardReads);
    // Byte by byte, the verdict is the same.
    const dripped = await check([...pieces[0] ?? Buffer.alloc(0)].map((b) => Buffer.from([b])));
    expect(dripped.divergence).toBeUndefined();
    expect(dripped.bollard.requests.length).toBe(bollardReads);
  });

  it(`agrees on ${SEEDS.length} generated streams (seeds ${SEEDS[0]}-${SEEDS.at(-1)})`, async () => {
    const divergences: string[] = [];
    let agreed = 0;
    for (const seed of SEEDS) {
      const pieces = generateStream(seed);
      const verdict = await check(pieces);
      agreed += verdict.bollard.requests.length;
      if (verdict.divergence !== undefined) divergences.push(`seed ${seed}: ${verdict.divergence}; input ${describeInput(pieces)}`);
    }
    expect(divergences).toEqual([]);
    // The generator must keep producing requests both accept, or the test would prove little.
    expect(agreed).toBeGreaterThan(SEEDS.length / 3);
  });
});
