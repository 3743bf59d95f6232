import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import type { ClientResponse } from './client-response.ts';
import { throttledResponse, type ThrottleClock } from './throttled-response.ts';

/** A client response recording each write with the (fake) time it happened. */
class FakeResponse extends EventEmitter implements ClientResponse {
  headersSent = false;
  destroyed = false;
  writableFinished = false;
  statusCode = 200;
  busy = false;
  readonly writes: { at: number; bytes: number }[] = [];
  ended = -1;
  private readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    super();
    this.clock = clock;
  }
  writeHead(): unknown { this.headersSent = true; return this; }
  write(chunk: Buffer | string): boolean { this.writes.push({ at: this.clock.now(), bytes: chunk.length }); return !this.busy; }
  end(): unknown { this.ended = this.clock.now(); this.writableFinished = true; return this; }
  addTrailers(): void { /* none */ }
  destroy(): unknown { this.destroyed = true; this.emit('close'); return this; }
}

/** Timers run when the test advances the clock. */
class FakeClock implements ThrottleClock {
  private ms = 0;
  private timers: { at: number; fn: () => void }[] = [];
  readonly now = (): number => this.ms;
  readonly setTimeout = (fn: () => void, delay: number): unknown => {
    const timer = { at: this.ms + delay, fn };
    this.timers.push(timer);
    return timer;
  };
  readonly clearTimeout = (timer: unknown): void => { this.timers = this.timers.filter((t) => t !== timer); };
  get pending(): number { return this.timers.length; }
  /** Runs every timer due up to `ms` later, in order. */
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.ms = next.at;
      next.fn();
    }
    this.ms = until;
  }
}

const KB = 1024;
const limit = { kind: 'ResponseRateLimit', bytesPerSecond: 10 * KB, afterBytes: 20 * KB } as const;

function setup() {
  const clock = new FakeClock();
  const res = new FakeResponse(clock);
  const throttled = throttledResponse(res, limit, clock);
  const sentBy = (ms: number): number => res.writes.filter((w) => w.at <= ms).reduce((n, w) => n + w.bytes, 0);
  return { clock, res, throttled, sentBy };
}

describe('throttledResponse', () => {
  it('passes limit-rate-after and the first second at once, then keeps to the rate', () => {
    const { clock, throttled, sentBy } = setup();
    expect(throttled.write(Buffer.alloc(30 * KB))).toBe(true);
    const drained: number[] = [];
    expect(throttled.write(Buffer.alloc(64 * KB))).toBe(false);
    throttled.once('drain', () => { drained.push(clock.now()); });
    expect(sentBy(0)).toBe(30 * KB);
    clock.advance(1000);
    expect(sentBy(1000)).toBe(40 * KB);
    clock.advance(5400);
    expect(sentBy(6400)).toBe(94 * KB);
    expect(drained).toEqual([6400]);
  });

  it('writes a held chunk in slices of a tenth of a second\'s worth, so it flows rather than bursts', () => {
    const { clock, throttled, res } = setup();
    expect(throttled.write(Buffer.alloc(50 * KB))).toBe(false);
    clock.advance(2000);
    expect(res.writes.map((w) => w.bytes)).toEqual([30 * KB, ...Array.from({ length: 20 }, () => KB)]);
    expect(res.writes.slice(1).map((w) => w.at)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 100));
  });

  it('ends the response only once the held chunk is out', () => {
    const { clock, throttled, res } = setup();
    throttled.write(Buffer.alloc(31 * KB));
    throttled.end('');
    expect(res.ended).toBe(-1);
    clock.advance(100);
    expect(res.ended).toBe(100);
  });

  it('passes the client\'s own back-pressure on once the held chunk is out', () => {
    const { clock, throttled, res } = setup();
    res.busy = true;
    expect(throttled.write(Buffer.alloc(KB))).toBe(false);
    let drained = false;
    throttled.once('drain', () => { drained = true; });
    res.emit('drain');
    expect(drained).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('drops the held chunk and its timer when the client goes away', () => {
    const { clock, throttled, res } = setup();
    throttled.write(Buffer.alloc(60 * KB));
    expect(clock.pending).toBe(1);
    res.destroy();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(res.writes.length).toBe(1);
  });
});
