// Leader election through etcd's election API (etcd3's election(), the Go client's concurrency
// election): every replica campaigns with a lease; the oldest live campaign key leads. Elected
// and lost are reported through callbacks. A leader steps down by itself when it cannot confirm
// its leadership for longer than the TTL (etcd unreachable), because etcd3 reports a lost lease
// only after twice the TTL. Used to pick the one replica that orders ACME certificates.
import { randomBytes } from 'node:crypto';
import type { Campaign, Namespace } from 'etcd3';
import type { Logger } from '../log/logger.ts';

export interface EtcdElectionOptions {
  /** Election name; campaign keys live under `election/<name>/` in the namespace. */
  readonly name: string;
  readonly identity: string;
  /** Lease TTL: how long a dead leader blocks a new one. */
  readonly ttlSeconds: number;
  /** Pause before campaigning again after a failure, and period of the leadership check. */
  readonly retryMs: number;
}

export interface EtcdElectionDeps {
  /** An Etcd3 client or a namespace of it (etcd-prefix). */
  readonly etcd: Namespace;
  readonly log: Logger;
  readonly now: () => number;
  readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface LeaderElection {
  isLeader(): boolean;
  /** Called each time this replica becomes leader; returns an unsubscribe function. */
  onElected(fn: () => void): () => void;
  /** Called each time this replica stops being leader (lost, stepped down, or shut down). */
  onLost(fn: () => void): () => void;
  /** Campaigns until `signal` aborts, then resigns (revokes the lease) before resolving. */
  run(signal: AbortSignal): Promise<void>;
}

type Listener = () => void;

export function createEtcdElection(opts: EtcdElectionOptions, deps: EtcdElectionDeps): LeaderElection {
  const election = deps.etcd.election(opts.name, opts.ttlSeconds);
  const elected = new Set<Listener>();
  const lost = new Set<Listener>();
  let leader = false;

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    deps.log.info(value ? 'elected ACME leader' : 'no longer ACME leader', { election: opts.name, identity: opts.identity });
    for (const fn of value ? elected : lost) {
      try { fn(); } catch (err: unknown) { deps.log.error('election listener failed', { err }); }
    }
  };

  /** Resolves when this campaign ends: its error, a failed leadership check, or shutdown. */
  const watchCampaign = async (campaign: Campaign, value: string, signal: AbortSignal): Promise<Error | undefined> => {
    const ended = new AbortController();
    let reason: Error | undefined;
    const end = (err?: Error): void => { reason ??= err; ended.abort(); };
    campaign.on('error', (err) => { end(err); });
    campaign.on('elected', () => { if (!ended.signal.aborted) setLeader(true); });
    const stop = (): void => { end(); };
    signal.addEventListener('abort', stop, { once: true });
    let confirmedAt = deps.now();
    const over = (): boolean => ended.signal.aborted;
    while (!over()) {
      await deps.wait(opts.retryMs, ended.signal);
      if (over() || !leader) continue;
      const current = await election.leader().catch(() => undefined);
      if (current === value) confirmedAt = deps.now();
      else if (current !== undefined) end(new Error(`leadership taken by ${current}`));
      else if (deps.now() - confirmedAt > opts.ttlSeconds * 1000) end(new Error('cannot confirm leadership within the lease TTL'));
    }
    signal.removeEventListener('abort', stop);
    return reason;
  };

  return {
    isLeader: () => leader,
    onElected(fn) { elected.add(fn); return () => { elected.delete(fn); }; },
    onLost(fn) { lost.add(fn); return () => { lost.delete(fn); }; },
    async run(signal) {
      while (!signal.aborted) {
        // A unique value per campaign, so a leadership check never mistakes an old key for ours.
        const value = `${opts.identity}/${randomBytes(4).toString('hex')}`;
        const campaign = election.campaign(value);
        const err = await watchCampaign(campaign, value, signal);
        setLeader(false);
        await campaign.resign().catch((e: unknown) => { deps.log.warn('could not resign', { err: e }); });
        if (err) {
          deps.log.warn('ACME election campaign ended', { err, election: opts.name });
          await deps.wait(opts.retryMs, signal);
        }
      }
    },
  };
}
