// A head sent over a real loopback TCP connection to Http1Connection, by a client in another
// process: the server process's CPU from the first byte to the answer, and how many 'data'
// events (reads) it took. Dripped one byte per write, this shows what a drip costs where it
// matters: Node's per-read work (wake-up, syscall, libuv, stream, Buffer) next to the parser's,
// and what the connection's read coalescing (src/dataplane/http1/read-hold.ts) saves of it.
// Servers other than Bollard's only count the bytes and answer: 'count' reads as they come (what
// each read costs without coalescing), 'held' stops reading at the first byte until the client
// says it has written the last, so the kernel hands all of them over in one read or a few: the
// floor under any way of reading, the kernel's own work for so many segments.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Http1Connection, type Http1Handlers, type Http1Limits } from '../../src/dataplane/http1/connection.ts';
import { stopReading } from '../../src/dataplane/http1/read-hold.ts';

export interface TcpFeed {
  readonly cpuUs: number;
  readonly reads: number;
}

export type TcpServer = 'bollard' | 'count' | 'held';

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';

/**
 * The client process (drip-client.ts): sends the head to 127.0.0.1:port whole or one byte per
 * write, calls onSent once the last byte is written, and exits once it has the answer.
 */
export function sendFromClient(port: number, head: Buffer, mode: 'drip' | 'whole', onSent: () => void = () => undefined): { readonly exited: Promise<void> } {
  const client = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'drip-client.ts'), String(port), mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  client.stdout.once('data', onSent);
  const exited = new Promise<void>((resolve) => { client.once('close', () => { resolve(); }); });
  client.stdin.end(head);
  return { exited };
}

export async function overTcp(head: Buffer, mode: 'drip' | 'whole', limits: Http1Limits, kind: TcpServer = 'bollard'): Promise<TcpFeed> {
  let reads = 0;
  let started: NodeJS.CpuUsage | undefined;
  let done: (feed: TcpFeed) => void = () => undefined;
  const result = new Promise<TcpFeed>((resolve) => { done = resolve; });
  const finish = (): void => {
    const d = process.cpuUsage(started);
    done({ cpuUs: d.user + d.system, reads });
  };
  const handlers: Http1Handlers = {
    request: (_req, res) => { res.writeHead(200, { 'content-length': '0' }); res.end(''); finish(); },
    upgrade: () => undefined,
    clientError: (code) => { throw new Error(`tcp drip refused: ${code}`); },
  };
  let received = 0;
  let resume: (() => void) | undefined;
  let allSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => { allSent = resolve; });
  const server = createServer((socket: Socket) => {
    socket.on('data', (chunk: Buffer) => {
      if (reads++ === 0) {
        started = process.cpuUsage();
        if (kind === 'held') resume = stopReading(socket);
        if (resume !== undefined) void sent.then(resume);
      }
      received += chunk.length;
      if (kind !== 'bollard' && received === head.length) {
        socket.write(OK);
        finish();
      }
    });
    if (kind === 'bollard') new Http1Connection(socket, limits, handlers, performance.now()); // it listens on the socket
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const { exited } = sendFromClient(port, head, mode, allSent);
  try {
    return await Promise.race([result, exited.then((): never => { throw new Error('drip client exited before the answer'); })]);
  } finally {
    await exited;
    await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  }
}
