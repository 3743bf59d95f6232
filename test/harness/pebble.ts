// Pebble (Debian's pebble 2.4.0, an RFC 8555 test CA) and pebble-challtestsrv as its DNS server
// (or a DNS server the test runs, for DNS-01), on free loopback ports, for ACME tests. Options
// turn on external account binding and a domain blocklist. Debian ships no test certificates, so the directory's
// TLS certificate comes from a throwaway CA made here with openssl (pass `caPem` to the ACME
// client). challtestsrv answers every A query with 127.0.0.1, so any test name validates against
// `validationPort` on loopback, where the test runs its own HTTP listener. Orders are counted
// from Pebble's log ("Added order"). Both processes are stopped by PID.
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { openssl } from './openssl.ts';
import { spawnManaged, type Managed } from './processes.ts';
import { waitUntilReady } from './readiness.ts';

export interface PebbleOptions {
  readonly dir: string;
  /** Where Pebble sends HTTP-01 validations (on 127.0.0.1): the test's listener. */
  readonly validationPort: number;
  /** Lifetime of issued certificates in seconds (Pebble's default is about 5 years). */
  readonly certificateValidityPeriod?: number;
  /** External account binding: key id → base64url HMAC key; with it, registration requires EAB. */
  readonly externalAccountMACKeys?: Readonly<Record<string, string>>;
  /** Names Pebble refuses to order (rejectedIdentifier), with their subdomains. */
  readonly domainBlocklist?: readonly string[];
  /** host:port of the DNS server Pebble resolves through; default: a pebble-challtestsrv answering `address` for every name. */
  readonly dnsServer?: string;
  /**
   * Where the ACME directory listens, where challtestsrv points every name, and where validations
   * go (default 127.0.0.1); e.g. the one-node cluster's node address, which its Pods reach.
   */
  readonly address?: string;
  /** Seconds Pebble waits, at random up to this, before each validation (default: none). */
  readonly validationSleepSeconds?: number;
  readonly timeoutMs?: number;
}

export interface Pebble {
  readonly directoryUrl: string;
  /** PEM of the CA that signed the directory's TLS certificate. */
  readonly caPem: string;
  readonly managementUrl: string;
  readonly logFile: string;
  /** Orders Pebble has created so far (from its log). */
  orders(): Promise<number>;
  /** Certificates Pebble has issued so far (from its log). */
  issued(): Promise<number>;
  /** PEM of Pebble's current issuing root (regenerated at every start). */
  root(): Promise<string>;
  stop(): Promise<void>;
}

async function makeTlsCertificate(dir: string, address: string): Promise<void> {
  const names = address === '127.0.0.1' ? 'IP:127.0.0.1,DNS:localhost' : `IP:127.0.0.1,IP:${address},DNS:localhost`;
  await writeFile(join(dir, 'pebble-ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  await writeFile(join(dir, 'pebble-leaf.ext'), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`);
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await openssl(['genpkey', ...ec, '-out', 'pebble-ca.key'], dir);
  await openssl(['req', '-new', '-x509', '-key', 'pebble-ca.key', '-subj', '/CN=bollard pebble test ca', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', 'pebble-ca.pem'], dir);
  await openssl(['genpkey', ...ec, '-out', 'pebble.key'], dir);
  await openssl(['req', '-new', '-key', 'pebble.key', '-subj', '/CN=localhost', '-out', 'pebble.csr'], dir);
  await openssl(['x509', '-req', '-in', 'pebble.csr', '-CA', 'pebble-ca.pem', '-CAkey', 'pebble-ca.key', '-set_serial', '0x1001', '-days', '30', '-extfile', 'pebble-leaf.ext', '-out', 'pebble.pem'], dir);
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', reject).on('timeout', () => { req.destroy(new Error('timeout')); }).end();
  });
}

/** pebble-challtestsrv as Pebble's DNS server: every A query answers `address`. */
async function startChallTestSrv(dir: string, address: string, started: Managed[]): Promise<string> {
  const [dnsPort, dnsMgmtPort] = await Promise.all([freePort(), freePort()]);
  const dnsLog = join(dir, 'challtestsrv.log');
  const dns = spawnManaged('pebble-challtestsrv', [
    '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
    '-management', `127.0.0.1:${dnsMgmtPort}`, '-defaultIPv4', address, '-defaultIPv6', '',
  ], { logFile: dnsLog });
  started.push(dns);
  await waitUntilReady(dns, async () => ((await fetch(`http://127.0.0.1:${dnsMgmtPort}/`)).status > 0 ? true : undefined), { what: 'pebble-challtestsrv', timeoutMs: 10_000, logFile: dnsLog });
  return `127.0.0.1:${dnsPort}`;
}

const countLines = async (file: string, needle: string): Promise<number> =>
  (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l.includes(needle)).length;

/** Times Pebble (with its DNS server) is started on fresh ports when a port it was given got taken meanwhile. */
const PORT_ATTEMPTS = 3;

export async function startPebble(opts: PebbleOptions): Promise<Pebble> {
  const address = opts.address ?? '127.0.0.1';
  await makeTlsCertificate(opts.dir, address);
  const caPem = await readFile(join(opts.dir, 'pebble-ca.pem'), 'utf8');
  // A free port is only free until another process on the machine binds it: start again on new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(opts, address, caPem);
    } catch (err: unknown) {
      if (attempt === PORT_ATTEMPTS || !String(err instanceof Error ? err.message : err).includes('address already in use')) throw err;
    }
  }
}

async function startOnFreePorts(opts: PebbleOptions, address: string, caPem: string): Promise<Pebble> {
  const [acmePort, mgmtPort, tlsPort] = await Promise.all([freePort(address), freePort(), freePort()]);
  const started: Managed[] = [];
  const stop = async (): Promise<void> => { for (const p of started.splice(0).reverse()) await p.stop(); };
  try {
    const dnsServer = opts.dnsServer ?? await startChallTestSrv(opts.dir, address, started);
    const config = {
      pebble: {
        listenAddress: `${address}:${acmePort}`, managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: join(opts.dir, 'pebble.pem'), privateKey: join(opts.dir, 'pebble.key'),
        httpPort: opts.validationPort, tlsPort, ocspResponderURL: '',
        externalAccountBindingRequired: opts.externalAccountMACKeys !== undefined,
        ...(opts.externalAccountMACKeys === undefined ? {} : { externalAccountMACKeys: opts.externalAccountMACKeys }),
        ...(opts.domainBlocklist === undefined ? {} : { domainBlocklist: opts.domainBlocklist }),
        ...(opts.certificateValidityPeriod === undefined ? {} : { certificateValidityPeriod: opts.certificateValidityPeriod }),
      },
    };
    await writeFile(join(opts.dir, 'pebble-config.json'), JSON.stringify(config, null, 2));
    const logFile = join(opts.dir, 'pebble.log');
    const sleep = opts.validationSleepSeconds === undefined ? { PEBBLE_VA_NOSLEEP: '1' } : { PEBBLE_VA_SLEEPTIME: String(opts.validationSleepSeconds) };
    const env = { ...sleep, PEBBLE_VA_ALWAYS_VALID: '0', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };
    const pebble = spawnManaged('/usr/bin/env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'pebble', '-config', join(opts.dir, 'pebble-config.json'), '-dnsserver', dnsServer], { logFile });
    started.push(pebble);
    const directoryUrl = `https://${address}:${acmePort}/dir`;
    await waitUntilReady(pebble, async () => ((await httpsGet(directoryUrl, caPem)).status === 200 ? true : undefined), { what: 'pebble', timeoutMs: opts.timeoutMs ?? 15_000, logFile });
    const managementUrl = `https://127.0.0.1:${mgmtPort}`;
    return {
      directoryUrl, caPem, managementUrl, logFile,
      orders: () => countLines(logFile, 'Added order'),
      issued: () => countLines(logFile, 'Issued certificate serial'),
      root: async () => (await httpsGet(`${managementUrl}/roots/0`, caPem)).body,
      stop,
    };
  } catch (err: unknown) {
    await stop();
    throw err;
  }
}
