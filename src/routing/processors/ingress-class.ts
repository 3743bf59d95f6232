// Selects the Ingresses that are Bollard's: an Ingress is ours when
//   (a) spec.ingressClassName names an IngressClass whose controller is ours; else,
//   (b) without ingressClassName, the legacy annotation kubernetes.io/ingress.class names one; else,
//   (c) when neither is set, some IngressClass marked default has our controller.
// Other Ingresses are ignored silently: they belong to another controller.
//
// Incrementally: each Ingress object is judged once (the classes are part of the engine's context),
// and the served set is compared with the previous build's to give the added and removed Ingresses
// the later processors work from. The same snapshot list as last time means no Ingress changed.
import type { IngressObject } from '../../snapshot/model.ts';
import type { BuildContext } from '../context.ts';
import type { BuildState, IngressEntry } from '../state.ts';
import { compareRefs, precedenceKey } from '../compare.ts';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function ingressClassProcessor(state: BuildState): void {
  const { engine } = state;
  const list = state.snapshot.ingresses();
  if (list === engine.ingressList) return;
  engine.ingressList = list;
  const stamp = ++engine.stamp;
  const served = selectServed(state, list, stamp);
  state.added = markLive(served, () => true, true);
  state.removed = markLive(engine.served, (entry) => entry.seen !== stamp, false);
  const { added, removed } = state;
  if (added.length === 0 && removed.length === 0) return;
  engine.served = served;
  engine.servedRefs = served.map((entry) => entry.ref);
}

/** The entries of our Ingresses, stamped as seen, sorted by namespace/name (the snapshot's order, mostly). */
function selectServed(state: BuildState, list: readonly IngressObject[], stamp: number): IngressEntry[] {
  const served: IngressEntry[] = [];
  let sorted = true;
  for (let i = 0; i < list.length; i++) {
    const entry = entryOf(state, list[i] as IngressObject);
    if (!entry.ours) continue;
    entry.seen = stamp;
    const last = served[served.length - 1];
    if (last !== undefined && compareRefs(last.ref, entry.ref) > 0) sorted = false;
    served.push(entry);
  }
  if (!sorted) served.sort((a, b) => compareRefs(a.ref, b.ref));
  return served;
}

/** The entries `which` selects, each flagged `live` as it is taken (so an entry is never taken twice). */
function markLive(entries: readonly IngressEntry[], which: (entry: IngressEntry) => boolean, live: boolean): IngressEntry[] {
  const taken: IngressEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as IngressEntry;
    if (entry.live === live || !which(entry)) continue;
    entry.live = live;
    taken.push(entry);
  }
  return taken;
}

function entryOf(state: BuildState, ingress: IngressObject): IngressEntry {
  let entry = state.engine.entries.get(ingress);
  if (entry === undefined) {
    const { namespace, name } = ingress;
    entry = {
      ingress, ours: isOurs(state.context, ingress), ref: { namespace, name }, precedence: precedenceKey(ingress),
      live: false, seen: 0, candidates: undefined, claims: undefined, tls: undefined, options: undefined,
    };
    state.engine.entries.set(ingress, entry);
  }
  return entry;
}

function isOurs(context: BuildContext, ingress: IngressObject): boolean {
  const className = requestedClass(ingress);
  return className === undefined ? context.ourDefault : context.ourClasses.has(className);
}

/** The class an Ingress asks for, or undefined when it asks for none (an empty value counts as none). */
function requestedClass(ingress: IngressObject): string | undefined {
  if (ingress.ingressClassName !== undefined && ingress.ingressClassName !== '') return ingress.ingressClassName;
  const legacy = ingress.annotations[LEGACY_CLASS_ANNOTATION];
  return legacy === undefined || legacy === '' ? undefined : legacy;
}
