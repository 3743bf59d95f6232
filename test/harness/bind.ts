// An authoritative DNS server for DNS-01 tests: Debian's bind9 (`named`, started as a plain
// process, never the system service) on a free loopback port, with one zone that takes dynamic
// updates (RFC 2136) signed with a TSIG key, and a wildcard A record pointing every name of the
// zone at 127.0.0.1. Pebble resolves through it (`pebble -dnsserver`). Stopped by PID.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS, OPCODE, TYPE, decodeMessage, encodeMessage, parseTxt, requestFlags } from '../../src/acme/dns-message.ts';
import { exchange } from '../../src/acme/rfc2136.ts';
import { freePort } from './free-port.ts';
import { spawnManaged, type Managed } from './processes.ts';
import { waitUntilReady } from './readiness.ts';

export interface BindOptions {
  readonly dir: string;
  /** The zone that takes updates, e.g. dns01.bollard.test. */
  readonly zone: string;
  readonly keyName?: string;
  readonly timeoutMs?: number;
}

export interface Bind {
  /** 127.0.0.1:<port>, for Pebble's -dnsserver and the RFC 2136 nameserver setting. */
  readonly address: string;
  readonly zone: string;
  readonly keyName: string;
  /** The TSIG secret, base64 (as a Secret or named.conf holds it). */
  readonly secretBase64: string;
  readonly process: Managed;
  /** The TXT values served at `name` (from the server itself). */
  txt(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

function namedConf(dir: string, port: number, zone: string, keyName: string, secret: string): string {
  return `options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-query { any; };
  notify no;
};
controls { };
key "${keyName}" { algorithm hmac-sha256; secret "${secret}"; };
zone "${zone}" {
  type primary;
  file "${join(dir, 'zone.db')}";
  allow-update { key "${keyName}"; };
};
`;
}

const zoneFile = (zone: string): string => `$TTL 5
@ IN SOA ns.${zone}. hostmaster.${zone}. 1 60 60 600 5
@ IN NS ns.${zone}.
@ IN A 127.0.0.1
ns IN A 127.0.0.1
* IN A 127.0.0.1
`;

export async function startBind(opts: BindOptions): Promise<Bind> {
  const port = await freePort();
  const keyName = opts.keyName ?? 'bollard-acme';
  const secretBase64 = randomBytes(32).toString('base64');
  await writeFile(join(opts.dir, 'named.conf'), namedConf(opts.dir, port, opts.zone, keyName, secretBase64));
  await writeFile(join(opts.dir, 'zone.db'), zoneFile(opts.zone));
  const logFile = join(opts.dir, 'named.log');
  const proc = spawnManaged('/usr/sbin/named', ['-g', '-c', join(opts.dir, 'named.conf')], { logFile });
  const server = { host: '127.0.0.1', port };
  const query = async (name: string, type: number) => decodeMessage(await exchange(server, encodeMessage({
    id: 1, flags: requestFlags(OPCODE.QUERY), questions: [{ name, type, class: CLASS.IN }], answers: [], authority: [], additional: [],
  }), 2000));
  await waitUntilReady(proc, async () => ((await query(opts.zone, TYPE.SOA)).answers.length > 0 ? true : undefined), { what: `named on ${port}`, timeoutMs: opts.timeoutMs ?? 15_000, logFile });
  return {
    address: `127.0.0.1:${port}`, zone: opts.zone, keyName, secretBase64, process: proc,
    txt: async (name) => (await query(name, TYPE.TXT)).answers.filter((r) => r.type === TYPE.TXT).map((r) => parseTxt(r.data)),
    stop: () => proc.stop(),
  };
}
