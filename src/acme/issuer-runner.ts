// The issuer's life on the leader: the issuer's settings (from the flags or an AcmeIssuer) are
// resolved and checked against the CA — directory reachable and valid, account registered —
// before any name is ordered. A problem (bad email, bad or unreachable directory, missing EAB
// Secret) is reported once per change (status, Event, log) and retried with a back-off; names
// wait, and serving is untouched. A new spec replaces the issuer; losing leadership stops it.
import { dns01Solver } from './dns01.ts';
import { AcmeIssuerError, errorText } from './errors.ts';
import type { Timers } from './due-queue.ts';
import { verifyIssuer, type IssuerProfile } from './issuer-profile.ts';
import { createIssuer, type EnsureOutcome, type Issuer, type IssuerDeps, type IssuerOptions } from './issuer.ts';
import { backoffDelay, type BackoffPolicy } from './schedule.ts';

/** Where the issuer's settings come from right now. */
export type IssuerSource =
  | { readonly kind: 'profile'; readonly resolve: () => Promise<IssuerProfile> }
  | { readonly kind: 'problem'; readonly error: AcmeIssuerError };

export type IssuerState =
  | { readonly ready: true; readonly profile: IssuerProfile; readonly accountUrl: string }
  | { readonly ready: false; readonly error: AcmeIssuerError; readonly attempts: number; readonly nextAttemptAt?: number };

export type IssuerBaseOptions = Omit<IssuerOptions, 'directoryUrl' | 'email' | 'keyType' | 'externalAccountBinding' | 'solver'>;

export interface IssuerRunnerOptions {
  readonly issuer: IssuerBaseOptions;
  /** Back-off of the issuer check after a problem. */
  readonly retry: BackoffPolicy;
  /** Deadline of the directory request. */
  readonly directoryTimeoutMs: number;
}

export interface IssuerRunnerDeps extends IssuerDeps {
  readonly timers: Timers;
  /** Called on the leader whenever the issuer's state changes (ready, or a new problem). */
  readonly report: (state: IssuerState) => void;
}

export interface IssuerRunner {
  setSource(source: IssuerSource): void;
  setNames(names: readonly string[]): void;
  elected(): void;
  lost(): Promise<void>;
  /** The state last reported (undefined before the first check). */
  state(): IssuerState | undefined;
  ensure(name: string): Promise<EnsureOutcome>;
  stop(): Promise<void>;
}

/** Problems that only a change of the spec can fix: not retried. */
const TERMINAL = new Set(['InvalidSpec', 'IssuerNotFound', 'ChallengeUnsupported']);

export function createIssuerRunner(opts: IssuerRunnerOptions, deps: IssuerRunnerDeps): IssuerRunner {
  const { log } = deps;
  let source: IssuerSource | undefined;
  let names: readonly string[] = [];
  let leader = false;
  let generation = 0;
  let attempts = 0;
  let issuer: Issuer | undefined;
  let current: IssuerState | undefined;
  let cancelRetry: (() => void) | undefined;
  let stopped = false;

  const report = (state: IssuerState): void => {
    current = state;
    deps.report(state);
  };

  const stopIssuer = async (): Promise<void> => {
    const old = issuer;
    issuer = undefined;
    await old?.stop();
  };

  const startIssuer = (profile: IssuerProfile): void => {
    issuer = createIssuer({
      ...opts.issuer, directoryUrl: profile.directoryUrl, email: profile.email, keyType: profile.keyType,
      ...(profile.externalAccountBinding ? { externalAccountBinding: profile.externalAccountBinding } : {}),
      ...(profile.dns01 ? { solver: dns01Solver(profile.dns01) } : {}),
    }, deps);
    issuer.setNames(names);
    issuer.start();
  };

  const failed = (g: number, err: unknown): void => {
    if (g !== generation) return;
    if (!(err instanceof AcmeIssuerError)) {
      log.warn('ACME issuer check failed; retrying', { err });
      schedule(g, deps.now() + opts.retry.baseMs);
      return;
    }
    attempts += 1;
    const nextAttemptAt = TERMINAL.has(err.reason) ? undefined : deps.now() + backoffDelay(attempts, opts.retry, deps.random());
    report({ ready: false, error: err, attempts, ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }) });
    if (nextAttemptAt !== undefined) schedule(g, nextAttemptAt);
  };

  const check = async (g: number): Promise<void> => {
    const s = source;
    if (!s || !leader || g !== generation) return;
    try {
      if (s.kind === 'problem') throw s.error;
      const profile = await s.resolve();
      const accountUrl = await verifyIssuer(deps.storage, profile, { timeoutMs: opts.directoryTimeoutMs, ...(opts.issuer.pollMinMs === undefined ? {} : { pollMinMs: opts.issuer.pollMinMs }) });
      if (g !== generation) return;
      await stopIssuer();
      if (g !== generation) return;
      attempts = 0;
      startIssuer(profile);
      report({ ready: true, profile, accountUrl });
    } catch (err: unknown) {
      failed(g, err);
    }
  };

  function schedule(g: number, at: number): void {
    cancelRetry?.();
    cancelRetry = deps.timers.after(Math.max(0, at - deps.now()), () => { cancelRetry = undefined; void check(g); });
  }

  /** Drops the running issuer and any retry; checks again when leading. */
  const restart = (): void => {
    generation += 1;
    const g = generation;
    cancelRetry?.();
    cancelRetry = undefined;
    attempts = 0;
    void stopIssuer().then(() => check(g)).catch((err: unknown) => { log.warn('ACME issuer restart failed', { err: errorText(err) }); });
  };

  return {
    setSource(next) {
      source = next;
      if (!stopped) restart();
    },
    setNames(next) {
      names = next;
      issuer?.setNames(next);
    },
    elected() {
      leader = true;
      if (!stopped) restart();
    },
    async lost() {
      leader = false;
      generation += 1;
      cancelRetry?.();
      cancelRetry = undefined;
      await stopIssuer();
    },
    state: () => current,
    ensure: (name) => issuer?.ensure(name) ?? Promise.resolve('inactive'),
    async stop() {
      stopped = true;
      leader = false;
      generation += 1;
      cancelRetry?.();
      cancelRetry = undefined;
      await stopIssuer();
    },
  };
}
