// Runs a scenario's action while continuous load flows through the node, and attributes each
// failure to the Pod its connection went to (conntrack.ts), so "failed in flight on the deleted
// Pod" and "failed anywhere else" can be told apart.
import type { Cluster } from '../../harness/cluster/env.ts';
import { HTTP_NODE_PORT, nodeUrl } from './bollard.ts';
import { ConntrackSampler } from './conntrack.ts';
import { Load, failures } from './load.ts';
import type { LoadReport, Outcome } from './load.ts';

export interface UnderLoadOptions {
  readonly host: string;
  readonly clients?: number;
  readonly pauseMs?: number;
  readonly port?: number;
  readonly path?: string;
}

export interface LoadResult {
  readonly report: LoadReport;
  readonly failures: readonly Outcome[];
  /** The Pod IP a connection went to ('?' when the table never showed it). */
  readonly podOfConnection: (id: number) => string;
  /** The Pod IP a request's connection went to. */
  readonly podOf: (o: Outcome) => string;
  /** Failures, described for a test's message: `12.3s ECONNRESET on 10.244.0.12`. */
  readonly describe: (list: readonly Outcome[]) => string;
}

export async function underLoad(cluster: Cluster, opts: UnderLoadOptions, action: (load: Load) => Promise<void>): Promise<LoadResult> {
  const port = opts.port ?? HTTP_NODE_PORT;
  const sampler = new ConntrackSampler(cluster.nodeIp, port);
  const load = new Load({ url: nodeUrl(cluster, port, opts.path ?? '/'), host: opts.host, clients: opts.clients ?? 8, pauseMs: opts.pauseMs ?? 5 });
  let report: LoadReport;
  try {
    await load.flowing();
    await action(load);
  } finally {
    report = await load.stop();
    await sampler.stop();
  }
  const podOfConnection = (id: number): string => {
    const connection = report.connections[id];
    return (connection === undefined ? undefined : sampler.podOf(connection.localPort)) ?? '?';
  };
  const podOf = (o: Outcome): string => (o.connection === undefined ? '?' : podOfConnection(o.connection));
  const describe = (list: readonly Outcome[]): string =>
    list.slice(0, 20).map((o) => `${(o.at / 1000).toFixed(2)}s ${String(o.result)} on ${podOf(o)}`).join('; ') + (list.length > 20 ? `; … ${list.length - 20} more` : '');
  return { report, failures: failures(report), podOfConnection, podOf, describe };
}
