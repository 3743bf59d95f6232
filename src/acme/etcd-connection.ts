// One etcd client per process, built from configuration (endpoints, TLS client certificate, CA),
// with a close() that first runs every registered release step — resign elections, revoke
// leases — because a closed etcd3 client can keep a lease alive (its keep-alive timer survives
// close) and a lease that is not revoked holds its keys until the TTL runs out.
import { readFile } from 'node:fs/promises';
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import { EtcdConfigError, errorText } from './errors.ts';

export interface EtcdConnectionOptions {
  /** http://host:port or https://host:port; https needs caFile unless the system CAs apply. */
  readonly endpoints: readonly string[];
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Deadline of each unary call (get, put, txn); streams (watch, keep-alive) have none. */
  readonly callTimeoutMs?: number;
}

export interface EtcdConnection {
  readonly client: Etcd3;
  /** Registers a step run by close() before the client closes (last registered, first run). */
  beforeClose(step: () => Promise<void>): () => void;
  /** Runs the release steps (each at most `stepTimeoutMs`), then closes the client. Idempotent. */
  close(stepTimeoutMs?: number): Promise<void>;
}

async function readOptional(path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined || path === '') return undefined;
  try {
    return await readFile(path);
  } catch (err: unknown) {
    throw new EtcdConfigError(`cannot read ${path}: ${errorText(err)}`);
  }
}

async function credentialsFor(opts: EtcdConnectionOptions): Promise<IOptions['credentials']> {
  const [ca, cert, key] = await Promise.all([readOptional(opts.caFile), readOptional(opts.certFile), readOptional(opts.keyFile)]);
  if ((cert === undefined) !== (key === undefined)) throw new EtcdConfigError('etcd-cert-file and etcd-key-file go together');
  if (ca === undefined && cert === undefined) return undefined;
  if (ca === undefined) throw new EtcdConfigError('a client certificate for etcd needs etcd-ca-file');
  return { rootCertificate: ca, ...(cert && key ? { certChain: cert, privateKey: key } : {}) };
}

const withTimeout = (p: Promise<void>, ms: number): Promise<void> =>
  Promise.race([p, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]).catch(() => undefined);

export async function connectEtcd(opts: EtcdConnectionOptions): Promise<EtcdConnection> {
  if (opts.endpoints.length === 0) throw new EtcdConfigError('no etcd endpoints configured');
  const credentials = await credentialsFor(opts);
  const timeout = opts.callTimeoutMs ?? 5000;
  const client = new Etcd3({
    hosts: [...opts.endpoints],
    ...(credentials ? { credentials } : {}),
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
  });
  const steps: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  return {
    client,
    beforeClose(step) {
      steps.push(step);
      return () => { const i = steps.indexOf(step); if (i >= 0) steps.splice(i, 1); };
    },
    close(stepTimeoutMs = 3000) {
      closing ??= (async () => {
        for (const step of [...steps].reverse()) await withTimeout(step(), stepTimeoutMs);
        client.close();
      })();
      return closing;
    },
  };
}
