// The live HTTP/1 connections of one listener: adopts sockets, sweeps their deadlines a few times
// a second (one timer for all of them instead of one per request), and closes idle ones on
// shutdown.
import type { Socket } from 'node:net';
import { Http1Connection, type Http1Handlers, type Http1Limits } from './connection.ts';

export class Http1ConnectionSet {
  private readonly connections = new Set<Http1Connection>();
  private readonly limits: Http1Limits;
  private readonly handlers: Http1Handlers;
  private sweeper: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(limits: Http1Limits, handlers: Http1Handlers) {
    this.limits = limits;
    this.handlers = handlers;
  }

  adopt(socket: Socket): void {
    const connection = new Http1Connection(socket, this.limits, this.handlers, performance.now());
    if (this.draining) connection.drain();
    this.connections.add(connection);
    socket.once('close', () => { this.connections.delete(connection); });
    this.sweeper ??= this.startSweeper();
  }

  /** The drain period: every connection, and each one adopted later, closes after its next response. */
  drain(): void {
    this.draining = true;
    for (const c of this.connections) c.drain();
  }

  /** Shutdown: idle connections close now, busy ones after their response. */
  closeIdle(): void {
    for (const c of this.connections) c.closeIfIdle();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private startSweeper(): NodeJS.Timeout {
    const shortest = Math.min(this.limits.headersTimeoutMs, this.limits.keepAliveTimeoutMs);
    const every = Math.min(1_000, Math.max(50, Math.floor(shortest / 4)));
    const timer = setInterval(() => {
      const now = performance.now();
      for (const c of this.connections) c.checkDeadline(now);
    }, every);
    timer.unref();
    return timer;
  }
}
