// apr1-MD5, the crypt scheme Apache's htpasswd writes with -m ("$apr1$salt$hash"): MD5-crypt with
// Apache's magic string. Only for checking what htpasswd files hold; never for new passwords.
import { createHash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAGIC = '$apr1$';
const ROUNDS = 1000;

/** The full "$apr1$salt$hash" string for a password and the salt of a stored hash (at most 8 characters). */
export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  let final = md5(pw, s, pw);
  const ctx = createHash('md5').update(pw).update(MAGIC).update(s);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(final.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update((i & 1) === 1 ? Buffer.of(0) : pw.subarray(0, 1));
  final = ctx.digest();
  for (let i = 0; i < ROUNDS; i++) {
    const round = createHash('md5');
    round.update((i & 1) === 1 ? pw : final);
    if (i % 3 !== 0) round.update(s);
    if (i % 7 !== 0) round.update(pw);
    round.update((i & 1) === 1 ? final : pw);
    final = round.digest();
  }
  return `${MAGIC}${s.toString('utf8')}$${encode(final)}`;
}

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** crypt's base-64 of the 16 bytes, in MD5-crypt's byte order. */
function encode(f: Buffer): string {
  const b = (i: number): number => f[i] ?? 0;
  return to64((b(0) << 16) | (b(6) << 8) | b(12), 4) + to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) + to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) + to64(b(11), 2);
}

function to64(value: number, count: number): string {
  let out = '';
  for (let v = value, n = count; n > 0; n--, v >>= 6) out += ITOA64.charAt(v & 0x3f);
  return out;
}
