// Feeds request bytes to node:http's server (llhttp behind it) chunk by chunk, synchronously, the
// way bench/parser.ts feeds Bollard's HTTP/1 connection: a Duplex whose 'data' events are emitted
// by hand (node:http reads a socket without a native handle through its 'data' listener), written
// bytes dropped. Per chunk both pay one EventEmitter emit; the rest is each parser's own work.
import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';

class FedSocket extends Duplex {
  constructor() {
    super({ read: () => undefined, write: (_chunk, _encoding, done) => { done(); } });
  }

  data(chunk: Buffer): void {
    this.emit('data', chunk);
  }
}

export class LlhttpFeed {
  /** Requests answered so far. */
  answered = 0;
  private readonly server: Server;

  constructor(maxHeaderSize: number) {
    this.server = createServer({ maxHeaderSize, requireHostHeader: true }, (_req, res) => {
      res.writeHead(200, { 'content-length': '0' }).end();
      this.answered++;
    });
    this.server.on('clientError', (err: Error) => { throw err; });
  }

  /** One connection receiving `chunks`, then closed. */
  feed(chunks: readonly Buffer[]): void {
    const socket = new FedSocket();
    this.server.emit('connection', socket);
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      if (chunk !== undefined) socket.data(chunk);
    }
    socket.destroy();
  }
}
