// A client response whose body goes out no faster than a ResponseRateLimit allows. It never buffers
// the body: a chunk that may not go at once is held (the only one: write() answers false, so the
// relay pauses the upstream) and written in slices as the schedule allows; 'drain' follows once it
// is out. end() waits for the held chunk. The client going away drops it and the timer.
import type { OutgoingHttpHeaders } from 'node:http';
import type { ResponseRateLimit } from '../routing/middleware.ts';
import { wrappedResponse, type ClientResponse } from './client-response.ts';
import { throttleStep } from './throttle-schedule.ts';

export interface ThrottleClock {
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  readonly setTimeout: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout: (timer: unknown) => void;
}

const realClock: ThrottleClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => { clearTimeout(timer as NodeJS.Timeout); },
};

export function throttledResponse(res: ClientResponse, limit: ResponseRateLimit, clock: ThrottleClock = realClock): ClientResponse {
  const startedAt = clock.now();
  let sent = 0;
  let held: Buffer | undefined;
  let timer: unknown;
  let ending: string | undefined;
  let drained: (() => void)[] = [];
  let clientBusy = false;

  const settle = (): void => {
    if (ending !== undefined) {
      res.end(ending);
      return;
    }
    const listeners = drained;
    drained = [];
    for (const listener of listeners) {
      if (clientBusy) res.once('drain', listener);
      else listener();
    }
  };
  const flushed = (): boolean => held === undefined && !clientBusy;
  const pump = (): void => {
    timer = undefined;
    if (held === undefined || res.destroyed) return;
    const step = throttleStep(limit, sent, held.length, clock.now() - startedAt);
    if (step.send > 0) {
      clientBusy = !res.write(held.subarray(0, step.send));
      sent += step.send;
      held = step.send === held.length ? undefined : held.subarray(step.send);
    }
    if (held === undefined) settle();
    else timer = clock.setTimeout(pump, step.waitMs);
  };
  res.on('close', () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    held = undefined;
    drained = [];
  });

  return wrappedResponse(res, {
    writeHead: (status: number, headers?: OutgoingHttpHeaders) => res.writeHead(status, headers),
    write(chunk: Buffer | string): boolean {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // A chunk the relay sent before its pause took hold joins the held one.
      held = held === undefined ? bytes : Buffer.concat([held, bytes]);
      if (timer === undefined) pump();
      return flushed();
    },
    end(data: string): unknown {
      if (held === undefined) return res.end(data);
      ending = data;
      return undefined;
    },
    addTrailers: (headers: Record<string, string>) => { res.addTrailers(headers); },
    destroy: () => res.destroy(),
    once(_event: 'drain', listener: () => void): unknown {
      if (held === undefined) res.once('drain', listener);
      else drained.push(listener);
      return undefined;
    },
  });
}
