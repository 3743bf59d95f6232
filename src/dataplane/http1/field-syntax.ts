// Field syntax shared by request heads and chunked trailers (RFC 9110 §5.5-5.6), checked by
// hand-written scans over a latin1 string: every character is looked at a bounded number of
// times whatever the input, so the cost is linear (a regex like `[^…]*?[\t ]*$` backtracks
// quadratically over a long run of spaces).

/** 1 for tchar: the characters of a token (field names, methods). */
const TOKEN = charTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
/** 1 for what a field value may hold: HTAB, SP, VCHAR, obs-text; no CR, LF, NUL or other controls. */
const VALUE = new Uint8Array(256).fill(1, 0x20, 0x7f).fill(1, 0x80, 0x100);
VALUE[0x09] = 1;

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

const COLON = 0x3a;
const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

export interface Field {
  /** As sent (not lower-cased). */
  readonly name: string;
  /** Without the optional whitespace around it. */
  readonly value: string;
  /** Where the value ends in the text (its trailing whitespace follows, up to the line's end). */
  readonly valueEnd: number;
}

/**
 * `text[start, end)` as `name ":" OWS value OWS`, or undefined when it is not one: no whitespace
 * before the colon (so no obs-fold either), no control characters in the value.
 */
export function scanField(text: string, start: number, end: number): Field | undefined {
  let at = start;
  while (at < end && TOKEN[text.charCodeAt(at)] === 1) at++;
  if (at === start || at === end || text.charCodeAt(at) !== COLON) return undefined;
  const name = text.slice(start, at);
  let from = at + 1;
  while (from < end && isOws(text.charCodeAt(from))) from++;
  let to = end;
  while (to > from && isOws(text.charCodeAt(to - 1))) to--;
  for (let i = from; i < to; i++) if (VALUE[text.charCodeAt(i)] !== 1) return undefined;
  return { name, value: text.slice(from, to), valueEnd: to };
}

