// Read slots (read-slots.ts) whose users are served Ingresses, for an object an annotation names and
// the Ingress's routes are built from (auth Secrets, proxy-ssl Secrets, custom-headers ConfigMaps).
// Each Ingress reports the reading's problems under its annotation's ref; when a reading changes,
// what its routes were built from is forgotten and their route groups are settled again.
import type { Engine, IngressEntry, IngressOptions } from './engine.ts';
import type { BuildState } from './state.ts';
import type { Diagnostic } from './types.ts';
import type { ObjectReader, ReadSlots } from './read-slots.ts';
import { clearDiagnostics, setDiagnostics, touch } from './state.ts';
import { attachUser, detachUser, refreshSlots } from './read-slots.ts';
import { findGroup } from './route-groups.ts';

/** What an annotation names: one slot per slotKey. The object is also the source its diagnostics are kept under. */
export interface SlotRef {
  readonly slotKey: string;
}

export interface IngressReadKind<Ref extends SlotRef, Obj, Reading> extends ObjectReader<Ref, Obj, Reading> {
  slotsOf(engine: Engine): ReadSlots<Ref, Obj, Reading, IngressEntry>;
  /** What the Ingress's annotations name, if anything. */
  refOf(options: IngressOptions): Ref | undefined;
  /** Drops what the Ingress's routes were built from (chains, shared RouteOptions): it may hold an older reading. */
  forgetBuilt(options: IngressOptions): void;
  problemsOf(entry: IngressEntry, ref: Ref, reading: Reading): Diagnostic[];
}

/** The steps of the options processor, with the kind's types settled, so kinds go in one list. */
export interface IngressReadSlots {
  /** A newly served Ingress takes (or opens) the slot of the object it names. */
  link(state: BuildState, entry: IngressEntry): void;
  /** An Ingress that stopped being served lets go of it. */
  unlink(state: BuildState, entry: IngressEntry): void;
  /** Drops slots nothing uses; reads again the objects the snapshot replaced and rebuilds their users' routes. */
  refresh(state: BuildState): void;
}

export function ingressReadSlots<Ref extends SlotRef, Obj, Reading>(kind: IngressReadKind<Ref, Obj, Reading>): IngressReadSlots {
  return {
    link: (state, entry) => { link(state, entry, kind); },
    unlink: (state, entry) => { unlink(state, entry, kind); },
    refresh: (state) => {
      refreshSlots(kind.slotsOf(state.engine), state.snapshot, kind, (slot, reading) => {
        for (const entry of slot.users) rebuild(state, entry, kind, reading);
      });
    },
  };
}

function link<Ref extends SlotRef, Obj, Reading>(state: BuildState, entry: IngressEntry, kind: IngressReadKind<Ref, Obj, Reading>): void {
  const { options } = entry;
  const ref = options === undefined ? undefined : kind.refOf(options);
  if (options === undefined || ref === undefined) return;
  const slot = attachUser(kind.slotsOf(state.engine), ref.slotKey, ref, entry);
  // Built the last time the Ingress was served, they may hold an older reading.
  kind.forgetBuilt(options);
  // A slot not read yet reports at the refresh, which reads it.
  if (slot.reading !== undefined) setDiagnostics(state, ref, kind.problemsOf(entry, ref, slot.reading));
}

function unlink<Ref extends SlotRef, Obj, Reading>(state: BuildState, entry: IngressEntry, kind: IngressReadKind<Ref, Obj, Reading>): void {
  const ref = entry.options === undefined ? undefined : kind.refOf(entry.options);
  if (ref === undefined) return;
  clearDiagnostics(state, ref);
  detachUser(kind.slotsOf(state.engine), ref.slotKey, entry);
}

function rebuild<Ref extends SlotRef, Obj, Reading>(state: BuildState, entry: IngressEntry, kind: IngressReadKind<Ref, Obj, Reading>, reading: Reading): void {
  const { options } = entry;
  const ref = options === undefined ? undefined : kind.refOf(options);
  if (options === undefined || ref === undefined) return;
  setDiagnostics(state, ref, kind.problemsOf(entry, ref, reading));
  kind.forgetBuilt(options);
  for (const claim of entry.claims?.items ?? []) {
    const group = findGroup(state.engine, claim);
    if (group !== undefined) touch(state, group);
  }
}
