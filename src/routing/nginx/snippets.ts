// configuration-snippet and server-snippet: never executed. The header directives users rely on are
// translated into header middlewares — more_set_headers and add_header (response), proxy_set_header
// (request), more_clear_headers (response) — when their values are plain text; every other
// directive, and a header directive using nginx variables or options, is reported by name.
import type { HeaderModifier, Middleware } from '../middleware.ts';

export interface SnippetReading {
  readonly filters: readonly Middleware[];
  /** One line per directive not translated: "directive "x" …". */
  readonly refused: readonly string[];
}

const TRANSLATED = new Set(['more_set_headers', 'add_header', 'proxy_set_header', 'more_clear_headers']);
const NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const VALUE = /^[\x20-\x7e]*$/;

export function translateSnippet(snippet: string): SnippetReading {
  const request: [string, string][] = [];
  const response: [string, string][] = [];
  const cleared: string[] = [];
  const refused: string[] = [];
  for (const words of statements(snippet)) {
    const [directive = '', ...args] = words;
    const problem = translate(directive, args, { request, response, cleared });
    if (problem !== undefined) refused.push(`directive "${directive}" ${problem}`);
  }
  const filters: HeaderModifier[] = [];
  if (request.length > 0) filters.push({ kind: 'RequestHeaderModifier', set: request, remove: [] });
  if (response.length > 0 || cleared.length > 0) filters.push({ kind: 'ResponseHeaderModifier', set: response, remove: cleared });
  return { filters, refused };
}

interface Into { readonly request: [string, string][]; readonly response: [string, string][]; readonly cleared: string[] }

/** Undefined when translated; else why not. */
function translate(directive: string, args: readonly string[], into: Into): string | undefined {
  if (!TRANSLATED.has(directive)) return 'is not supported; it is not executed';
  if (args.some((a) => a.includes('$'))) return 'uses nginx variables, which Bollard does not have';
  switch (directive) {
    case 'more_set_headers': return moreSetHeaders(args, into.response);
    case 'add_header': return header(args.filter((a, i) => !(i === 2 && a === 'always')), into.response);
    case 'more_clear_headers':
      if (args.length === 0 || !args.every((a) => NAME.test(a) && !a.includes('*'))) return 'needs header names (no options or wildcards)';
      into.cleared.push(...args.map((a) => a.toLowerCase()));
      return undefined;
    default: return header(args, into.request); // proxy_set_header
  }
}

function moreSetHeaders(args: readonly string[], into: [string, string][]): string | undefined {
  if (args.length === 0 || args.some((a) => a.startsWith('-'))) return 'needs "Name: value" arguments (no -s/-t options)';
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const name = colon < 0 ? '' : arg.slice(0, colon).trim();
    const value = colon < 0 ? '' : arg.slice(colon + 1).trim();
    if (!NAME.test(name) || !VALUE.test(value)) return `has an unusable header "${arg}"`;
    into.push([name.toLowerCase(), value]);
  }
  return undefined;
}

function header(args: readonly string[], into: [string, string][]): string | undefined {
  const [name = '', value = '', extra] = args;
  if (extra !== undefined || !NAME.test(name) || !VALUE.test(value)) return 'needs a header name and one plain value';
  into.push([name.toLowerCase(), value]);
  return undefined;
}

/** Quoted words, ";", comments and bare words (no nested repetition: linear in the snippet). */
const TOKEN = /"([^"]*)"|'([^']*)'|(;)|#[^\n]*|([^\s;"'#]+)/g;

/**
 * Statements split at ";" outside quotes, each as words (quotes removed, comments dropped). A block
 * ("location … { … }") is one statement, ending at its closing brace, so it is reported once.
 */
function statements(snippet: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let depth = 0;
  for (const [, double, single, semicolon, bare] of snippet.matchAll(TOKEN)) {
    const word = double ?? single ?? bare;
    if (word !== undefined) words.push(word);
    if (bare === '{') depth += 1;
    const closed = bare === '}' && --depth === 0;
    if ((closed || (semicolon !== undefined && depth === 0)) && words.length > 0) {
      out.push(words);
      words = [];
    }
  }
  if (words.length > 0) out.push(words);
  return out;
}
