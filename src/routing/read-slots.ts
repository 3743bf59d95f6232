// Slots for the objects that annotations name and the build reads once per object (auth Secrets,
// proxy-ssl Secrets, custom-headers ConfigMaps, auth-tls CA Secrets): one slot per object and way of
// reading it, holding its users, the object as last seen and its reading. Snapshot objects are
// immutable and replaced when they change, so a slot reads again only when the snapshot holds
// another object, and reports a change only when the reading differs from the last one.
import type { ClusterSnapshot } from '../snapshot/model.ts';

/** How one kind of object is found and read; `Ref` is what an annotation names (namespace, name, how to read it). */
export interface ObjectReader<Ref, Obj, Reading> {
  lookup(snapshot: ClusterSnapshot, ref: Ref): Obj | undefined;
  read(object: Obj | undefined, ref: Ref): Reading;
  same(a: Reading, b: Reading): boolean;
}

export interface ReadSlot<Ref, Obj, Reading, User> {
  /** The ref of the user that opened it; every user's ref reads the same way (the slot's key says so). */
  readonly ref: Ref;
  readonly users: Set<User>;
  object: Obj | undefined;
  /** Undefined until first read. */
  reading: Reading | undefined;
}

/** Slots by key, in the engine. */
export type ReadSlots<Ref, Obj, Reading, User> = Map<string, ReadSlot<Ref, Obj, Reading, User>>;

/** Adds the user to the slot of `key`, opening it (unread) when new. */
export function attachUser<Ref, Obj, Reading, User>(slots: ReadSlots<Ref, Obj, Reading, User>, key: string, ref: Ref, user: User): ReadSlot<Ref, Obj, Reading, User> {
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = { ref, users: new Set(), object: undefined, reading: undefined };
    slots.set(key, slot);
  }
  slot.users.add(user);
  return slot;
}

/** An emptied slot stays until the next refresh: an Ingress replaced by a new object in the same build finds it read. */
export function detachUser<Ref, Obj, Reading, User>(slots: ReadSlots<Ref, Obj, Reading, User>, key: string, user: User): void {
  slots.get(key)?.users.delete(user);
}

/** Drops slots nothing uses; reads again the objects the snapshot replaced, and hands over each slot whose reading changed. */
export function refreshSlots<Ref, Obj, Reading, User>(
  slots: ReadSlots<Ref, Obj, Reading, User>,
  snapshot: ClusterSnapshot,
  reader: ObjectReader<Ref, Obj, Reading>,
  changed: (slot: ReadSlot<Ref, Obj, Reading, User>, reading: Reading) => void,
): void {
  for (const [key, slot] of slots) {
    if (slot.users.size === 0) slots.delete(key);
    else if (readSlot(slot, snapshot, reader) && slot.reading !== undefined) changed(slot, slot.reading);
  }
}

/** Whether the reading changed (always, on the first read). */
export function readSlot<Ref, Obj, Reading, User>(slot: ReadSlot<Ref, Obj, Reading, User>, snapshot: ClusterSnapshot, reader: ObjectReader<Ref, Obj, Reading>): boolean {
  const object = reader.lookup(snapshot, slot.ref);
  if (slot.reading !== undefined && object === slot.object) return false;
  slot.object = object;
  const next = reader.read(object, slot.ref);
  if (slot.reading !== undefined && reader.same(slot.reading, next)) return false;
  slot.reading = next;
  return true;
}
