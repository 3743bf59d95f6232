// Request body size limit for bodies of unknown length (chunked, HTTP/2): counts bytes on the
// way through and fails the stream once the limit is passed, which the proxy answers with 413.
import { Transform, type Readable } from 'node:stream';

export class BodyTooLargeError extends Error {
  readonly code = 'ERR_BOLLARD_BODY_TOO_LARGE';
}

export function limitBody(body: Readable, maxBytes: number): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new BodyTooLargeError(`request body exceeds ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  body.on('error', (err) => limiter.destroy(err));
  return body.pipe(limiter);
}
