// Checks a password against an htpasswd hash: bcrypt (bcryptjs, asynchronous so a costly hash never
// stalls the event loop), apr1-MD5 and SHA-1. Comparisons take the same time whatever matches.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { apr1 } from './apr1.ts';

export function verifyPassword(password: string, hash: string): boolean | Promise<boolean> {
  if (hash.startsWith('$2')) return bcrypt.compare(password, hash);
  if (hash.startsWith('$apr1$')) return sameText(apr1(password, hash.slice(6, hash.indexOf('$', 6))), hash);
  if (hash.startsWith('{SHA}')) return sameText(`{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`, hash);
  return false;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
