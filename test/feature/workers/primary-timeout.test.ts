// A worker asks the primary for HTTP-01 answers over IPC. A primary that never answers must not
// hang the challenge request: after --worker-ipc-timeout-ms the worker answers as if there were
// no pending challenge (routed like any request: here 404), and its later questions still work.
import { startOneWorker } from './pool-support.ts';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import type { WorkerPool } from '../../../src/workers/worker-pool.ts';
import { freePort } from '../../harness/free-port.ts';

let pool: WorkerPool;
let httpPort = 0;
const asked: string[] = [];

beforeAll(async () => {
  const pair = await generateSelfSigned('default.invalid');
  httpPort = await freePort();
  pool = startOneWorker({ httpPort, httpsPort: 0 }, pair, {
    primaryTimeoutMs: 200,
    // The primary answers one token, and never answers any other.
    challenge: (token) => {
      asked.push(token);
      return token === 'answered' ? Promise.resolve('answered.keyauth') : new Promise<never>(() => undefined);
    },
  });
  await pool.ready;
}, 30_000);

afterAll(async () => {
  await pool.close();
});

const challenge = async (token: string): Promise<[number, string]> => {
  const res = await request(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/${token}`, { headers: { host: 'a.test' } });
  return [res.statusCode, await res.body.text()];
};

it('answers a challenge request after the deadline when the primary never answers', async () => {
  expect(await challenge('stuck')).toEqual([404, 'no route\n']);
  expect(asked).toContain('stuck');
});

it('still gets the primary\'s answers after a timeout', async () => {
  expect(await challenge('answered')).toEqual([200, 'answered.keyauth\n']);
});
