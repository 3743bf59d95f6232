// What a parser made of a byte stream: the requests it read completely (head and body), in
// order, and the error that stopped it, if any. Both sides of the differential test report this.

export interface ParsedRequest {
  readonly method: string;
  readonly url: string;
  /** Lower-case names; repeated fields joined with ", " ("; " for cookie), as Bollard does. */
  readonly headers: Readonly<Record<string, string>>;
  /** latin1 */
  readonly body: string;
  /** The request asked for an upgrade (the stream after it is no longer HTTP). */
  readonly upgrade: boolean;
}

export interface Outcome {
  readonly requests: readonly ParsedRequest[];
  /** The parser's error code, when it refused the stream. */
  readonly error: string | undefined;
}

/** Joins raw field pairs the way Bollard does, so both sides compare alike. */
export function joinFields(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = (raw[i + 1] ?? '').replace(/^[\t ]+/, '').replace(/[\t ]+$/, '');
    const prior = headers[name];
    headers[name] = prior === undefined ? value : `${prior}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return headers;
}
