// nginx limit-rate / limit-rate-after over real sockets: a body crossing the throttle arrives whole
// and in order, and the throttle buffers nothing — an upstream with a body far larger than a
// second's worth is still writing (paused by back-pressure) when the client goes away. No timing
// is asserted here: the schedule itself is tested in src/dataplane/throttle-schedule.test.ts.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const KB = 1024;
/** Deterministic bytes, so the client can check order and content. */
const BODY = Buffer.from(Array.from({ length: 400 * KB }, (_, i) => (i * 31 + (i >> 10)) & 0xff));
const HUGE_CHUNK = Buffer.alloc(64 * KB, 0x61);
const HUGE_CHUNKS = 512; // 32 MiB

let upstream: TestUpstream;
let plane: Awaited<ReturnType<typeof startPlane>>;
/** The endless answer's progress: chunks written, and how it ended. */
const endless = { written: 0, finished: false, closed: Promise.resolve() };

/** Writes HUGE_CHUNKS chunks with back-pressure: the next only after 'drain' when write() said wait. */
function writeEndless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(HUGE_CHUNK.length * HUGE_CHUNKS) });
  endless.closed = once(res, 'close').then(() => undefined);
  const next = (): void => {
    while (endless.written < HUGE_CHUNKS && !res.destroyed) {
      endless.written += 1;
      if (!res.write(HUGE_CHUNK)) {
        res.once('drain', next);
        return;
      }
    }
    if (endless.written === HUGE_CHUNKS) {
      endless.finished = true;
      res.end();
    }
  };
  next();
}

const INGRESSES: readonly IngressSpec[] = [
  { name: 'rate', host: 'rate.test', annotations: { [`${N}limit-rate`]: '256', [`${N}limit-rate-after`]: '64' } },
  { name: 'slow', host: 'slow.test', annotations: { [`${N}limit-rate`]: '16' } },
  { name: 'off', host: 'off.test', annotations: { [`${N}limit-rate`]: '0', [`${N}limit-rate-after`]: '64' } },
];

beforeAll(async () => {
  upstream = await startUpstream('web', (req, res) => {
    if (req.url === '/endless') writeEndless(res);
    else res.writeHead(200, { 'content-length': String(BODY.length) }).end(BODY);
  });
  plane = await startPlane();
  const built = buildAnnotated(INGRESSES, [upstream.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await upstream.close();
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('limit-rate, limit-rate-after', () => {
  it.each(['rate.test', 'off.test'])('delivers a 400 KB body whole and in order through %s', async (host) => {
    const res = await request(`http://127.0.0.1:${plane.httpPort}/file`, { headers: { host } });
    expect(res.statusCode).toBe(200);
    expect(sha(Buffer.from(await res.body.arrayBuffer()))).toBe(sha(BODY));
  });

  it('buffers nothing: a 32 MiB answer at 16 KB/s is still being written upstream when the client leaves after 20 KB', async () => {
    const res = await request(`http://127.0.0.1:${plane.httpPort}/endless`, { headers: { host: 'slow.test' } });
    expect(res.statusCode).toBe(200);
    // Past the first second's worth (16 KB), so the throttle has released slices on its schedule
    // while a buffering proxy would have read the whole answer from the upstream.
    let received = 0;
    for await (const chunk of res.body) {
      received += (chunk as Buffer).length;
      if (received >= 20 * KB) break;
    }
    expect(received).toBeGreaterThanOrEqual(20 * KB);
    await endless.closed;
    expect(endless.finished).toBe(false);
    expect(endless.written).toBeLessThan(HUGE_CHUNKS);
  });
});
