// A child process that campaigns in an etcd election and prints {"elected":true} when it leads;
// the election tests SIGKILL it to prove a dead leader is replaced within the lease TTL.
// Usage: node campaigner.ts <etcd-url> <prefix> <election-name> <identity> <ttl-seconds>
import { setTimeout as sleep } from 'node:timers/promises';
import { connectEtcd } from '../../../src/acme/etcd-connection.ts';
import { createEtcdElection } from '../../../src/leader/etcd-election.ts';
import { silentLogger } from '../../../src/log/logger.ts';

const [url = '', prefix = '', name = '', identity = '', ttl = '2'] = process.argv.slice(2);
const connection = await connectEtcd({ endpoints: [url] });
const election = createEtcdElection(
  { name, identity, ttlSeconds: Number(ttl), retryMs: 200 },
  { etcd: connection.client.namespace(prefix), log: silentLogger, now: Date.now, wait: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined) },
);
election.onElected(() => { process.stdout.write(`${JSON.stringify({ elected: true, identity })}\n`); });
void election.run(new AbortController().signal);
