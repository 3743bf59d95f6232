// A child process running one issuer replica that orders one name; the failover test SIGKILLs
// it in the middle of the order. Prints {"started":true} once the issuer runs.
// Usage: node issuer-child.ts <etcd-url> <prefix> <directory-url> <directory-ca-file> <name>
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { trustAcmeDirectoryCa } from '../../../src/acme/acme-client.ts';
import { realTimers } from '../../../src/acme/due-queue.ts';
import { connectEtcd } from '../../../src/acme/etcd-connection.ts';
import { createEtcdStorage } from '../../../src/acme/etcd-storage.ts';
import { createIssuer } from '../../../src/acme/issuer.ts';
import { createAcmeMetrics } from '../../../src/acme/metrics.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { issuerOptions } from './replica.ts';

const [url = '', prefix = '', directoryUrl = '', caFile = '', name = ''] = process.argv.slice(2);
trustAcmeDirectoryCa(await readFile(caFile, 'utf8'));
const connection = await connectEtcd({ endpoints: [url] });
const storage = createEtcdStorage({ connection, prefix, identity: `child-${process.pid}`, lockTtlSeconds: 3 });
const issuer = createIssuer(issuerOptions(directoryUrl, 'failover@bollard.test'), {
  storage, log: silentLogger, metrics: createAcmeMetrics(new Registry()), now: Date.now, random: Math.random, timers: realTimers,
});
issuer.start();
process.stdout.write(`${JSON.stringify({ started: true })}\n`);
const outcome = await issuer.ensure(name);
process.stdout.write(`${JSON.stringify({ outcome })}\n`);
