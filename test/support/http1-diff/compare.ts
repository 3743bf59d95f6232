// The differential verdict: Bollard never accepts what llhttp refuses, and where both read a
// request they agree on method, target, fields and body (so on where each request ends).
// Where Bollard is stricter (it stops earlier) that is allowed. One intentional difference:
// upper-case extension methods llhttp does not know (e.g. BAN) are accepted, as nginx does.
import type { Outcome, ParsedRequest } from './outcome.ts';

const EXTENSION_METHOD = /^[A-Z_-]+$/;

/** Why the two outcomes disagree in a way that is not allowed, or undefined. */
export function divergence(bollard: Outcome, llhttp: Outcome): string | undefined {
  const both = Math.min(bollard.requests.length, llhttp.requests.length);
  for (let i = 0; i < both; i++) {
    const difference = differs(bollard.requests[i], llhttp.requests[i]);
    if (difference !== undefined) return `request ${i}: ${difference}`;
  }
  if (bollard.requests.length <= llhttp.requests.length) return undefined;
  const extra = bollard.requests[llhttp.requests.length];
  if (llhttp.error === 'HPE_INVALID_METHOD' && extra !== undefined && EXTENSION_METHOD.test(extra.method)) return undefined;
  return `Bollard accepted request ${llhttp.requests.length} (${extra?.method ?? ''} ${extra?.url ?? ''}) that llhttp did not (${llhttp.error ?? 'no error'})`;
}

function differs(a: ParsedRequest | undefined, b: ParsedRequest | undefined): string | undefined {
  if (a === undefined || b === undefined) return 'missing';
  if (a.method !== b.method) return `method ${JSON.stringify(a.method)} vs ${JSON.stringify(b.method)}`;
  if (a.url !== b.url) return `target ${JSON.stringify(a.url)} vs ${JSON.stringify(b.url)}`;
  if (a.upgrade !== b.upgrade) return `upgrade ${a.upgrade} vs ${b.upgrade}`;
  const fa = JSON.stringify(sorted(a.headers));
  const fb = JSON.stringify(sorted(b.headers));
  if (fa !== fb) return `fields ${fa} vs ${fb}`;
  if (a.body !== b.body) return `body ${JSON.stringify(a.body)} vs ${JSON.stringify(b.body)}`;
  return undefined;
}

const sorted = (h: Readonly<Record<string, string>>): [string, string][] => Object.entries(h).sort(([x], [y]) => (x < y ? -1 : 1));
