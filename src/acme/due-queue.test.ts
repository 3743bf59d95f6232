import { describe, expect, it } from '@jest/globals';
import { createDueQueue, type Timers } from './due-queue.ts';

function fakeClock(): { now: () => number; timers: Timers; advance: (ms: number) => void } {
  let t = 0;
  let pending: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    timers: { after(ms, fn) { const entry = { at: t + ms, fn }; pending.push(entry); return () => { pending = pending.filter((p) => p !== entry); }; } },
    advance(ms) {
      t += ms;
      for (;;) {
        const due = pending.filter((p) => p.at <= t).sort((a, b) => a.at - b.at)[0];
        if (!due) return;
        pending = pending.filter((p) => p !== due);
        due.fn();
      }
    },
  };
}

describe('due queue', () => {
  it('fires names when due, earliest first, with one timer', () => {
    const clock = fakeClock();
    const fired: string[][] = [];
    const q = createDueQueue(clock.now, clock.timers, (names) => fired.push(names));
    q.at('b', 200);
    q.at('a', 100);
    q.at('c', 200);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([['a']]);
    q.remove('c');
    clock.advance(100);
    expect(fired).toEqual([['a'], ['b']]);
    expect(q.when('b')).toBeUndefined();
  });

  it('rescheduling replaces the time; clear cancels everything', () => {
    const clock = fakeClock();
    const fired: string[] = [];
    const q = createDueQueue(clock.now, clock.timers, (names) => fired.push(...names));
    q.at('x', 100);
    q.at('x', 500);
    clock.advance(200);
    expect(fired).toEqual([]);
    q.clear();
    clock.advance(1000);
    expect(fired).toEqual([]);
  });
});
