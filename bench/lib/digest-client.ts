// A Digest client for the middleware bench: each call gives the Authorization header for one more
// request (RFC 7616, MD5, qop auth), its response computed for that request. Nonces come from the
// same stateless derivation the data plane uses (digest-nonce.ts: the route's realm and users), a
// new one every 20 requests as nginx's limit says; a browser takes them from the 401 challenge
// instead, which would add one local 401 per 20 requests to the figures. The server checks every
// header in full: parsing, the MD5 response, the nonce's HMAC and age, the replay memory.
import { createHash } from 'node:crypto';
import type { DigestAuth } from '../../src/routing/middleware.ts';
import { NONCE_MAX_USES, nonceBook } from '../../src/dataplane/middleware/digest-nonce.ts';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** Headers for GETs of `uri` as `user` with `password`, on the route whose DigestAuth is `filter`. */
export function digestClient(filter: DigestAuth, user: string, password: string, uri: string): () => Record<string, string> {
  const book = nonceBook(filter.realm, filter.users);
  const ha1 = md5(`${user}:${filter.realm}:${password}`);
  const ha2 = md5(`GET:${uri}`);
  let nonce = book.issue();
  let uses = 0;
  return () => {
    if (uses === NONCE_MAX_USES) {
      nonce = book.issue();
      uses = 0;
    }
    uses += 1;
    const nc = uses.toString(16).padStart(8, '0');
    const cnonce = Math.floor(Math.random() * 0xffffffff).toString(16);
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return {
      authorization: `Digest username="${user}", realm="${filter.realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`,
    };
  };
}
