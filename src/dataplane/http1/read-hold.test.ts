// Read coalescing over a real loopback socket: the work a dripped head costs is counted in reads
// (one 'data' event per read), not timed. The client is in this process, so its synchronous
// writes all reach the kernel before the hold's timer can run.
import { afterEach, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Http1Connection, type Http1Handlers, type Http1Limits } from './connection.ts';
import { READS_BEFORE_HOLD } from './read-hold.ts';

const LIMITS: Http1Limits = { maxHeaderBytes: 32 * 1024, headersTimeoutMs: 20_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 75_000 };
const HEAD = `GET / HTTP/1.1\r\nHost: a.test\r\n${'X-Field: some value\r\n'.repeat(60)}\r\n`;

interface Served {
  readonly connection: Http1Connection;
  /** 'data' events (reads) on the server's socket so far. */
  reads: number;
  /** Resolves at the next read. */
  nextRead: () => Promise<void>;
}

const handlers: Http1Handlers = {
  request: (_req, res) => { res.writeHead(200, { 'content-length': '2' }); res.end('ok'); },
  upgrade: () => undefined,
  clientError: () => undefined,
};

let server: Server | undefined;
let client: Socket | undefined;

afterEach(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => { if (server === undefined) resolve(); else server.close(() => { resolve(); }); });
  server = undefined;
});

/** A server running one Http1Connection, and a client connected to it. */
async function serve(): Promise<{ served: Served; socket: Socket; answers: () => string }> {
  const accepted = new Promise<Served>((resolve) => {
    server = createServer((socket) => {
      const connection = new Http1Connection(socket, LIMITS, handlers, performance.now());
      let wake: () => void = () => undefined;
      const served: Served = { connection, reads: 0, nextRead: () => new Promise<void>((r) => { wake = r; }) };
      socket.on('data', () => { served.reads++; wake(); });
      resolve(served);
    });
  });
  await new Promise<void>((resolve) => { server?.listen(0, '127.0.0.1', resolve); });
  const address = server?.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const socket = connect(port, '127.0.0.1').setNoDelay(true);
  client = socket;
  let text = '';
  socket.setEncoding('latin1').on('data', (c: string) => { text += c; });
  return { served: await accepted, socket, answers: () => text };
}

/** Writes `bytes` one per write, each waiting until the server has read it. */
async function dripRead(socket: Socket, served: Served, bytes: Buffer): Promise<void> {
  for (const b of bytes) {
    const read = served.nextRead();
    socket.write(Buffer.from([b]));
    await read;
  }
}

/** Writes `bytes` one per write at once (each its own segment). */
function dripAtOnce(socket: Socket, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
}

const answered = (socket: Socket, answers: () => string, count: number): Promise<void> => new Promise<void>((resolve) => {
  const check = (): void => { if (answers().split('HTTP/1.1 200 OK').length > count) resolve(); else socket.once('data', check); };
  check();
});

describe('HTTP/1 read coalescing for a dripping head', () => {
  it('a head in one write, or in a few reads, is never held', async () => {
    const { served, socket, answers } = await serve();
    socket.write(HEAD);
    await answered(socket, answers, 1);
    const head = Buffer.from(HEAD, 'latin1');
    const pieces = READS_BEFORE_HOLD;
    const size = Math.ceil(head.length / pieces);
    for (let at = 0; at < head.length; at += size) {
      const read = served.nextRead();
      socket.write(head.subarray(at, at + size));
      await read;
    }
    await answered(socket, answers, 2);
    expect(served.connection.readHolds).toBe(0);
  });

  it(`past ${READS_BEFORE_HOLD} reads, bytes dripped meanwhile arrive in one read or two, not one each`, async () => {
    const { served, socket, answers } = await serve();
    const head = Buffer.from(HEAD, 'latin1');
    const budget = head.subarray(0, READS_BEFORE_HOLD + 1);
    await dripRead(socket, served, budget);
    expect(served.reads).toBe(READS_BEFORE_HOLD + 1);
    expect(served.connection.readHolds).toBe(1);
    const rest = head.subarray(budget.length);
    dripAtOnce(socket, rest);
    await answered(socket, answers, 1);
    expect(rest.length).toBeGreaterThan(1_000);
    expect(served.reads - budget.length).toBeLessThanOrEqual(3);
    // The next head on the connection starts with a fresh budget: in one write, not held.
    const holds = served.connection.readHolds;
    socket.write(HEAD);
    await answered(socket, answers, 2);
    expect(served.connection.readHolds).toBe(holds);
  });

  it('the read that completes a held head is not held: its body, or the next request, is read at once', async () => {
    const { served, socket, answers } = await serve();
    const head = Buffer.from(HEAD, 'latin1');
    const budget = head.subarray(0, READS_BEFORE_HOLD + 1);
    await dripRead(socket, served, budget);
    expect(served.connection.readHolds).toBe(1);
    const read = served.nextRead();
    socket.write(head.subarray(budget.length));
    await read;
    await answered(socket, answers, 1);
    expect(served.connection.readHolds).toBe(1);
  });

  it('a held head still meets its deadline (slowloris): 408', async () => {
    const { served, socket, answers } = await serve();
    const closed = new Promise<void>((resolve) => { socket.once('close', () => { resolve(); }); });
    await dripRead(socket, served, Buffer.from(HEAD, 'latin1').subarray(0, READS_BEFORE_HOLD + 1));
    expect(served.connection.readHolds).toBe(1);
    served.connection.checkDeadline(performance.now() + LIMITS.headersTimeoutMs);
    await closed;
    expect(answers()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });
});
