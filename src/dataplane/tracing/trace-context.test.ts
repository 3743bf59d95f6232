import { describe, expect, it } from '@jest/globals';
import { formatTraceparent, parseTraceparent, traceStateOf } from './trace-context.ts';
import { RandomIds } from './ids.ts';
import { sampled } from './sampler.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads version 00 with the sampled flag on or off', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
  });

  it('reads the sampled bit alone among other flags', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.sampled).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['repeated', [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`]],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a long span id', `00-${TRACE}-${SPAN}a-01`],
    ['version 00 with more fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['version 00 with a trailing character', `00-${TRACE}-${SPAN}-01x`],
    ['a non-hex version', `0x-${TRACE}-${SPAN}-01`],
    ['wrong separators', `00_${TRACE}_${SPAN}_01`],
    ['spaces around', ` 00-${TRACE}-${SPAN}-01 `],
    ['a one-digit flag', `00-${TRACE}-${SPAN}-1`],
  ])('gives no parent for %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('reads a later version by its first four fields, ignoring what follows a dash', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-future-field`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01future`)).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with only the sampled flag, and reads back', () => {
    expect(formatTraceparent(TRACE, SPAN, true)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(formatTraceparent(TRACE, SPAN, false)).toBe(`00-${TRACE}-${SPAN}-00`);
    expect(parseTraceparent(formatTraceparent(TRACE, SPAN, false))).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
  });
});

describe('traceStateOf', () => {
  it('joins repeated fields and passes one as it is', () => {
    expect(traceStateOf({ tracestate: 'a=1' })).toBe('a=1');
    expect(traceStateOf({ tracestate: ['a=1', 'b=2'] })).toBe('a=1,b=2');
    expect(traceStateOf({})).toBeUndefined();
  });
});

describe('RandomIds', () => {
  it('gives lower-case hex ids of the right length that traceparent accepts, different each time', () => {
    const ids = new RandomIds();
    const seen = new Set<string>();
    // More than one pool of 4 KiB, so the refill is crossed.
    for (let i = 0; i < 600; i++) {
      const traceId = ids.traceId();
      const spanId = ids.spanId();
      expect(parseTraceparent(formatTraceparent(traceId, spanId, true))).toEqual({ traceId, spanId, sampled: true });
      seen.add(traceId);
    }
    expect(seen.size).toBe(600);
  });
});

describe('sampled', () => {
  const parent = (flag: boolean) => ({ traceId: TRACE, spanId: SPAN, sampled: flag });

  it('samples everything at ratio 1 and nothing at ratio 0, whatever the parent says unless parent-based', () => {
    expect(sampled({ ratio: 1, parentBased: false }, TRACE, parent(false))).toBe(true);
    expect(sampled({ ratio: 0, parentBased: false }, TRACE, parent(true))).toBe(false);
  });

  it('follows a parent\'s flag when parent-based, and the ratio without a parent', () => {
    expect(sampled({ ratio: 0, parentBased: true }, TRACE, parent(true))).toBe(true);
    expect(sampled({ ratio: 1, parentBased: true }, TRACE, parent(false))).toBe(false);
    expect(sampled({ ratio: 1, parentBased: true }, TRACE, undefined)).toBe(true);
  });

  it('decides by the trace id\'s low bits, so one trace is decided alike everywhere', () => {
    const low = `${'f'.repeat(19)}0000000000001`;
    const high = `${'0'.repeat(19)}fffffffffffff`;
    expect(sampled({ ratio: 0.5, parentBased: false }, low, undefined)).toBe(true);
    expect(sampled({ ratio: 0.5, parentBased: false }, high, undefined)).toBe(false);
  });

  it('samples about the ratio of random trace ids', () => {
    const ids = new RandomIds();
    let kept = 0;
    for (let i = 0; i < 4000; i++) if (sampled({ ratio: 0.25, parentBased: false }, ids.traceId(), undefined)) kept++;
    // Binomial(4000, 0.25): the standard deviation is about 27; 8 of them either way.
    expect(kept).toBeGreaterThan(780);
    expect(kept).toBeLessThan(1220);
  });
});
