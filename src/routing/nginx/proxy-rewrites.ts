// proxy-redirect-from/-to → a LocationRewrite, proxy-cookie-domain/-path → a SetCookieRewrite: the
// text nginx's proxy_redirect, proxy_cookie_domain and proxy_cookie_path change in the upstream's
// answers. "off" (every one's default) does nothing; proxy-redirect-from "default" neither: in
// ingress-nginx it stands for the text "http://upstream_balancer/", which no upstream sends. A text
// starting with "~" is a regular expression (case-sensitive), as in nginx; "~*" (any case) is one too.
import type { Middleware, TextReplacement } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';

/** ingress-nginx's characters for these values: letters, digits, -._~/: and ,?&=; after "~", a regular expression's too. */
const TEXT = /^[-._~a-zA-Z0-9/:,?&=]+$/;
const PATTERN = /^~\*?[-._~a-zA-Z0-9/:,?&=^$[\]()*+|{}\\]+$/;

/** A match text: literal, or after "~" / "~*" a regular expression that must compile. */
function matchOf(text: string, literal: TextReplacement['match']): Omit<TextReplacement, 'replacement'> | undefined {
  if (!text.startsWith('~')) return TEXT.test(text) ? { match: literal, text } : undefined;
  if (!PATTERN.test(text)) return undefined;
  const anyCase = text.startsWith('~*');
  const source = text.slice(anyCase ? 2 : 1);
  try {
    new RegExp(source, anyCase ? 'i' : '');
  } catch {
    return undefined;
  }
  return { match: 'Pattern', text: source, ...(anyCase ? { ignoreCase: true } : {}) };
}

/** A replacement: literal text, never a pattern. */
const isReplacement = (text: string): boolean => TEXT.test(text) && !text.startsWith('~');

/** "off", or "<text> <replacement>" (the cookie annotations). */
function parsePair(literal: TextReplacement['match']): (written: string) => Parsed<TextReplacement | undefined> | undefined {
  return (written) => {
    const items = written.trim().split(/\s+/);
    if (items.length === 1 && items[0] === 'off') return { value: undefined };
    const [text = '', replacement = ''] = items;
    const match = items.length === 2 && isReplacement(replacement) ? matchOf(text, literal) : undefined;
    return match === undefined ? undefined : { value: { ...match, replacement } };
  };
}

type From = Omit<TextReplacement, 'replacement'> | 'off';

const parseFrom = (w: string): Parsed<From> | undefined => {
  if (w === 'off' || w === 'default') return { value: 'off' };
  const match = matchOf(w, 'Prefix');
  return match === undefined ? undefined : { value: match };
};

/** "off", or the replacement text. */
const parseTo = (w: string): Parsed<string> | undefined => (w === 'off' || isReplacement(w) ? { value: w } : undefined);

function readRedirect(read: AnnotationReader): Middleware[] {
  const chars = 'letters, digits and -._~/:,?&=';
  const from = read('proxy-redirect-from', `"off", "default", or the text that starts the upstream's Location (${chars}; a regular expression after "~"), such as http://internal.svc/`, parseFrom)?.value;
  const to = read('proxy-redirect-to', `"off", or what replaces proxy-redirect-from (${chars}), such as https://shop.example.com/`, parseTo)?.value;
  if (from === undefined || from === 'off' || to === undefined || to === 'off') return [];
  return [{ kind: 'LocationRewrite', rule: { ...from, replacement: to } }];
}

function readCookies(read: AnnotationReader): Middleware[] {
  const pair = '"off", or the text to change and its replacement, separated by a space';
  const domain = read('proxy-cookie-domain', `${pair}, such as "internal.svc shop.example.com"`, parsePair('Domain'))?.value;
  const path = read('proxy-cookie-path', `${pair}, such as "/ /app/"`, parsePair('Prefix'))?.value;
  return domain === undefined && path === undefined ? [] : [{ kind: 'SetCookieRewrite', domain, path }];
}

export function readProxyRewrites(read: AnnotationReader): Middleware[] {
  return [...readRedirect(read), ...readCookies(read)];
}
