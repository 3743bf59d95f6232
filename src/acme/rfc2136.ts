// The RFC 2136 DNS-01 provider: the challenge TXT record is added and removed with dynamic
// updates signed with TSIG, sent over TCP to the zone's authoritative server; the zone is
// configured or found from the SOA the server returns; present() waits until that server
// answers with the record (it is what the CA will ask, directly or through resolvers).
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dns01Provider } from './dns01.ts';
import {
  CLASS, OPCODE, RCODE_NAMES, TYPE, decodeMessage, encodeMessage, parseTxt, rcodeOf, requestFlags, txtData, type Message, type ResourceRecord,
} from './dns-message.ts';
import { Dns01Error, errorText } from './errors.ts';
import { signMessage, verifyResponse, type TsigAlgorithm, type TsigKey } from './tsig.ts';

export interface Rfc2136Options {
  /** host:port, [v6]:port. */
  readonly nameserver: string;
  /** '' finds the zone from the SOA in the server's answer. */
  readonly zone: string;
  readonly tsigKeyName: string;
  readonly tsigAlgorithm: TsigAlgorithm;
  readonly ttlSeconds: number;
  readonly propagationTimeoutSeconds: number;
}

export interface Rfc2136Deps {
  readonly now?: () => number;
  readonly timeoutMs?: number;
  /** Between visibility checks. */
  readonly pollMs?: number;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m?.[3]) throw new Dns01Error(`nameserver ${s} is not host:port`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/** One request over TCP (two-byte length prefix); resolves with the answer. */
export function exchange(server: { host: string; port: number }, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, server.host);
    let got = Buffer.alloc(0);
    const fail = (err: Error): void => { socket.destroy(); reject(new Dns01Error(`DNS server ${server.host}:${server.port}: ${err.message}`)); };
    socket.setTimeout(timeoutMs, () => { fail(new Error(`no answer within ${timeoutMs} ms`)); });
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      socket.end();
      resolve(got.subarray(2, 2 + got.readUInt16BE(0)));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(request.length);
    socket.write(Buffer.concat([length, request]));
  });
}

const fqdnOf = (name: string): string => name.replace(/\.$/, '').toLowerCase();

export function createRfc2136Provider(opts: Rfc2136Options, secret: Buffer, deps: Rfc2136Deps = {}): Dns01Provider {
  const server = parseHostPort(opts.nameserver);
  const key: TsigKey = { name: opts.tsigKeyName, algorithm: opts.tsigAlgorithm, secret };
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 5000;

  const query = async (name: string, type: number): Promise<Message> => {
    const request: Message = { id: randomInt(65_536), flags: requestFlags(OPCODE.QUERY), questions: [{ name, type, class: CLASS.IN }], answers: [], authority: [], additional: [] };
    return decodeMessage(await exchange(server, encodeMessage(request), timeoutMs));
  };

  /** The zone holding `fqdn`: configured, or the owner of the SOA in the server's answer. */
  const zoneOf = async (fqdn: string): Promise<string> => {
    if (opts.zone !== '') return fqdnOf(opts.zone);
    const answer = await query(fqdn, TYPE.SOA);
    const soa = [...answer.answers, ...answer.authority].find((r) => r.type === TYPE.SOA);
    if (!soa) throw new Dns01Error(`${opts.nameserver} is not authoritative for ${fqdn} (no SOA in its answer, ${RCODE_NAMES[rcodeOf(answer.flags)] ?? ''})`);
    return fqdnOf(soa.name);
  };

  const update = async (fqdn: string, record: ResourceRecord, what: string): Promise<void> => {
    const zone = await zoneOf(fqdn);
    const message: Message = {
      id: randomInt(65_536), flags: requestFlags(OPCODE.UPDATE), questions: [{ name: zone, type: TYPE.SOA, class: CLASS.IN }],
      answers: [], authority: [record], additional: [],
    };
    const { signed, mac } = signMessage(encodeMessage(message), key, now() / 1000);
    const response = await exchange(server, signed, timeoutMs);
    const rcode = rcodeOf(decodeMessage(response).flags);
    if (rcode !== 0) {
      let detail = '';
      try { verifyResponse(response, mac, key); } catch (err: unknown) { detail = `: ${errorText(err)}`; }
      throw new Dns01Error(`${what} ${fqdn} in zone ${zone} at ${opts.nameserver} was refused: ${RCODE_NAMES[rcode] ?? rcode}${detail}`);
    }
    verifyResponse(response, mac, key);
  };

  const visible = async (fqdn: string, value: string): Promise<boolean> =>
    (await query(fqdn, TYPE.TXT)).answers.some((r) => r.type === TYPE.TXT && parseTxt(r.data) === value);

  return {
    async present(name, value) {
      const fqdn = fqdnOf(name);
      await update(fqdn, { name: fqdn, type: TYPE.TXT, class: CLASS.IN, ttl: opts.ttlSeconds, data: txtData(value) }, 'adding TXT');
      const deadline = now() + opts.propagationTimeoutSeconds * 1000;
      while (!(await visible(fqdn, value).catch(() => false))) {
        if (now() >= deadline) throw new Dns01Error(`TXT ${fqdn} not served by ${opts.nameserver} within ${opts.propagationTimeoutSeconds} s`);
        await sleep(deps.pollMs ?? 500);
      }
    },
    async cleanup(name, value) {
      const fqdn = fqdnOf(name);
      await update(fqdn, { name: fqdn, type: TYPE.TXT, class: CLASS.NONE, ttl: 0, data: txtData(value) }, 'removing TXT');
    },
  };
}

/** The Dns01Factory of start-acme: settings of an AcmeIssuer plus its TSIG secret. */
export const rfc2136Factory = (settings: Rfc2136Options, secret: Buffer): Dns01Provider => createRfc2136Provider(settings, secret);
