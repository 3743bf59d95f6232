// The ClientHello reader against real ClientHellos written by node:tls (OpenSSL), delivered whole,
// a byte at a time, and re-cut into one-byte TLS records; and against what is not a ClientHello.
import { describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { ClientHelloReader, MAX_CLIENT_HELLO, type HelloInspection } from './client-hello.ts';

/** The first flight a TLS client sends for `servername`, captured by a TCP server. */
async function captureHello(servername: string | undefined): Promise<Buffer> {
  const server = createServer();
  const captured = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk);
        socket.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
  client.on('error', () => { /* the server hangs up */ });
  const hello = await captured;
  client.destroy();
  server.close();
  return hello;
}

function feed(chunks: readonly Buffer[]): HelloInspection | undefined {
  const reader = new ClientHelloReader();
  let result: HelloInspection | undefined;
  for (const chunk of chunks) result = reader.push(chunk);
  return result;
}

const bytes = (buf: Buffer): Buffer[] => [...buf].map((b) => Buffer.from([b]));

/** The same handshake message re-cut into records of `size` bytes each. */
function recut(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const records: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const part = body.subarray(at, at + size);
    const header = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    header.writeUInt16BE(part.length, 3);
    records.push(header, part);
  }
  return Buffer.concat(records);
}

describe('ClientHelloReader', () => {
  it('reads the server name, lower-cased, from a whole ClientHello', async () => {
    expect(feed([await captureHello('Shop.Example.TEST')])).toEqual({ kind: 'hello', servername: 'shop.example.test' });
  });

  it('reports no server name when the client sends none', async () => {
    expect(feed([await captureHello(undefined)])).toEqual({ kind: 'hello', servername: undefined });
  });

  it('answers only once the hello is complete when it arrives a byte at a time', async () => {
    const hello = await captureHello('drip.test');
    const reader = new ClientHelloReader();
    const answers = bytes(hello).map((b) => reader.push(b));
    expect(answers.slice(0, -1).every((a) => a === undefined)).toBe(true);
    expect(answers.at(-1)).toEqual({ kind: 'hello', servername: 'drip.test' });
    expect(reader.bytes().equals(hello)).toBe(true);
  });

  it('joins a ClientHello cut into one-byte records', async () => {
    const cut = recut(await captureHello('records.test'), 1);
    expect(feed([cut])).toEqual({ kind: 'hello', servername: 'records.test' });
    expect(feed(bytes(cut))).toEqual({ kind: 'hello', servername: 'records.test' });
  });

  it('gives up on what is not a TLS ClientHello', () => {
    expect(feed([Buffer.from('GET / HTTP/1.1\r\nhost: a\r\n\r\n')])).toMatchObject({ kind: 'unreadable' });
    expect(feed([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00])])).toMatchObject({ kind: 'unreadable', reason: 'bad record length' });
    expect(feed([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])])).toMatchObject({ kind: 'unreadable' });
  });

  it('gives up on a ClientHello that declares more than the cap, without waiting for it', () => {
    const header = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0, 0, 0]);
    header.writeUIntBE(MAX_CLIENT_HELLO, 6, 3);
    expect(feed([header])).toEqual({ kind: 'unreadable', reason: 'ClientHello too large' });
  });

  it('gives up once more than the cap has arrived, when tiny records make the overhead outgrow the hello', () => {
    const header = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0, 0xf0, 0x00]);
    const filler = recut(Buffer.concat([Buffer.from([0x16, 3, 1, 0x4e, 0x20]), Buffer.alloc(20_000)]), 1);
    const reader = new ClientHelloReader();
    reader.push(header);
    expect(reader.push(filler)).toEqual({ kind: 'unreadable', reason: 'ClientHello too large' });
  });

  it('reads a truncated or corrupt hello as unreadable, never throws', async () => {
    const hello = await captureHello('fuzz.test');
    const length = hello.readUInt16BE(3);
    for (let at = 9; at < 5 + length; at += 7) {
      const corrupt = Buffer.from(hello);
      corrupt[at] = 0xff;
      const result = feed([corrupt]);
      expect(result === undefined || ['hello', 'unreadable'].includes(result.kind)).toBe(true);
    }
  });
});
