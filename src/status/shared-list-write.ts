// Writes our entries of a status list that several controllers share (a route's status.parents, a
// policy's status.ancestors) without dropping anyone else's: read the object, keep every entry
// whose controllerName is not ours exactly as read, put ours after them, and PATCH with the
// resourceVersion read. The API server applies a merge patch carrying metadata.resourceVersion only
// if the object is still at that version, else answers 409 Conflict: another writer came between
// our read and our write, so read again and redo, a few times with backoff.
// The first attempt may skip the read: given the object as the informer holds it (its
// resourceVersion and the entries parsed from it), it PATCHes at once, everyone else's entries
// written back from the parsed model. That model holds every field of the list's schema, and the
// API server prunes any other, so nothing is lost; a stale informer object is refused with 409 like
// any race, and the retries read. A fresh controller's status backlog then costs one request per object.
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError, type KubeClient } from '../kube/client.ts';
import { arr, obj, str } from '../kube/json-read.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';

/** Reads and PATCHes per write, at most; a write still refused after that waits for the next sync. */
export const CONFLICT_ATTEMPTS = 5;

/** Before retry n (1, 2, …): 25 ms doubling, capped at 800 ms, with jitter so racing writers part. */
export function conflictBackoffMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(800, 25 * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface SharedListDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly controllerName: string;
  /** Waits out a conflict backoff; timers by default. */
  readonly wait?: (ms: number) => Promise<void>;
}

export interface SharedListTarget<E extends { readonly controllerName: string }> {
  readonly kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'BackendTLSPolicy';
  /** The object's path: GET there (read access is what the informers have), PATCH its /status. */
  readonly path: string;
  /** The object the build saw: a read finding another uid (deleted and re-created) writes nothing. */
  readonly uid: string;
  readonly list: 'parents' | 'ancestors';
  /** One entry as read, for `ours` to compare with. */
  readonly parse: (raw: unknown) => E;
  /** Our entries, given every entry as read; undefined when the list holds them already. */
  readonly ours: (read: readonly E[]) => readonly E[] | undefined;
  /** Called with our entries right before each PATCH: its echo may come from the watch before its answer. */
  readonly writing: (ours: readonly E[]) => void;
  /** The object as the informer holds it: the first attempt writes against it without a read. */
  readonly known?: { readonly resourceVersion: string; readonly entries: readonly E[] } | undefined;
}

type Outcome = 'written' | 'unchanged' | 'conflict' | 'failed';

/** True when the API holds our entries (written, or found there); false when it may not (logged). */
export async function writeOurEntries<E extends { readonly controllerName: string }>(
  deps: SharedListDeps, target: SharedListTarget<E>,
): Promise<boolean> {
  const wait = deps.wait ?? ((ms: number) => sleep(ms));
  for (let attempt = 1; ; attempt++) {
    const outcome = attempt === 1 && target.known !== undefined ? await writeAgainst(deps, target, target.known) : await attemptWrite(deps, target);
    if (outcome !== 'conflict') return outcome !== 'failed';
    deps.metrics.statusWriteConflicts.inc({ kind: target.kind });
    if (attempt === CONFLICT_ATTEMPTS) {
      deps.metrics.statusWrites.inc({ result: 'error' });
      deps.log.warn('gateway api status update kept conflicting; retried on the next sync', { path: target.path, attempts: attempt });
      return false;
    }
    await wait(conflictBackoffMs(attempt));
  }
}

async function attemptWrite<E extends { readonly controllerName: string }>(deps: SharedListDeps, target: SharedListTarget<E>): Promise<Outcome> {
  let read: { resourceVersion: string; entries: unknown[] } | undefined;
  try {
    read = readList(await deps.client.request('GET', target.path), target);
  } catch (err: unknown) {
    return failed(deps, target, 'read', err);
  }
  if (read === undefined) return 'failed';
  const parsed = read.entries.map(target.parse);
  const ours = target.ours(parsed);
  if (ours === undefined) {
    // The API is ahead of our informer: when that object arrives, ours in it are no news either.
    target.writing(parsed.filter((e) => e.controllerName === deps.controllerName));
    return 'unchanged';
  }
  // Everyone else's entries go back as read (no round trip through our model), in their order.
  const others = read.entries.filter((_, i) => parsed[i]?.controllerName !== deps.controllerName);
  return patch(deps, target, read.resourceVersion, others, ours);
}

/** The first attempt without a read: against the informer's object (nothing to write if it holds ours). */
async function writeAgainst<E extends { readonly controllerName: string }>(
  deps: SharedListDeps, target: SharedListTarget<E>, known: { readonly resourceVersion: string; readonly entries: readonly E[] },
): Promise<Outcome> {
  const ours = target.ours(known.entries);
  if (ours === undefined) return 'unchanged';
  return patch(deps, target, known.resourceVersion, known.entries.filter((e) => e.controllerName !== deps.controllerName), ours);
}

async function patch<E extends { readonly controllerName: string }>(
  deps: SharedListDeps, target: SharedListTarget<E>, resourceVersion: string, others: readonly unknown[], ours: readonly E[],
): Promise<Outcome> {
  target.writing(ours);
  const body = { metadata: { resourceVersion }, status: { [target.list]: [...others, ...ours] } };
  try {
    await deps.client.request('PATCH', `${target.path}/status`, body);
  } catch (err: unknown) {
    if (err instanceof KubeApiError && err.status === 409) return 'conflict';
    return failed(deps, target, 'write', err);
  }
  deps.metrics.statusWrites.inc({ result: 'success' });
  deps.log.debug('gateway api status updated', { path: target.path, entries: ours.length, others: others.length });
  return 'written';
}

/** The list and version read; undefined when the object is not the one the build saw. */
function readList(object: Record<string, unknown>, target: { readonly uid: string; readonly list: string }) {
  const metadata = obj(object.metadata);
  const resourceVersion = str(metadata.resourceVersion);
  if (resourceVersion === undefined || (str(metadata.uid) ?? '') !== target.uid) return undefined;
  return { resourceVersion, entries: arr(obj(object.status)[target.list]) };
}

function failed(deps: SharedListDeps, target: { readonly path: string }, step: 'read' | 'write', err: unknown): 'failed' {
  // Gone: its deletion is on its way through the watch; nothing to count.
  if (err instanceof KubeApiError && err.status === 404) return 'failed';
  deps.metrics.statusWrites.inc({ result: 'error' });
  deps.log.warn('gateway api status update failed', { path: target.path, step, err });
  return 'failed';
}
