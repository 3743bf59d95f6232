// A child process that takes one lock and holds it until it is killed: the feature tests SIGKILL
// it to prove a crashed holder's lock is released by its lease TTL.
// Usage: node lock-holder.ts <etcd-url> <prefix> <lock-name> <ttl-seconds>
import { connectEtcd } from '../../../src/acme/etcd-connection.ts';
import { createEtcdStorage } from '../../../src/acme/etcd-storage.ts';

const [url = '', prefix = '', name = '', ttl = '2'] = process.argv.slice(2);
const connection = await connectEtcd({ endpoints: [url] });
const storage = createEtcdStorage({ connection, prefix, identity: `holder-${process.pid}`, lockTtlSeconds: Number(ttl) });
const lock = await storage.lock(name);
process.stdout.write(`${JSON.stringify({ locked: lock.name, token: lock.token })}\n`);
setInterval(() => undefined, 60_000);
