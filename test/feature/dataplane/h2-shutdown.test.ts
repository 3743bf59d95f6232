// Closing the data plane with HTTP/2 sessions open: an idle session and one Node has sent GOAWAY
// to after a connection error both end at once, so shutdown does not wait for its deadline.
import { describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { startPlane } from './support.ts';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** An empty SETTINGS frame: length 0, type 4, no flags, stream 0. */
const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
/** A DATA frame on stream 0: a connection error (PROTOCOL_ERROR), answered with GOAWAY. */
const DATA_ON_STREAM_0 = Buffer.from([0, 0, 1, 0, 0, 0, 0, 0, 0, 0x61]);

function h2Client(port: number, frames: readonly Buffer[]): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.concat([PREFACE, SETTINGS, ...frames]));
      // The server's SETTINGS (and, after an error, GOAWAY) arrive: the session exists.
      socket.once('data', () => { resolve({ socket, closed }); });
    });
    socket.on('error', () => { /* reset by the server is fine */ });
    const closed = new Promise<void>((done) => socket.once('close', () => { done(); }));
    socket.resume();
  });
}

describe('closing the data plane with HTTP/2 sessions open', () => {
  it('ends an idle session and one in error at once instead of waiting for the deadline', async () => {
    const plane = await startPlane({ h2c: true });
    const idle = await h2Client(plane.httpPort, []);
    const broken = await h2Client(plane.httpPort, [DATA_ON_STREAM_0]);
    await plane.close();
    await Promise.all([idle.closed, broken.closed]);
    expect([idle.socket.destroyed, broken.socket.destroyed]).toEqual([true, true]);
  });
});
