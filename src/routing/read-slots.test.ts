import { describe, expect, it } from '@jest/globals';
import type { ConfigMapObject, ObjectRef } from '../snapshot/model.ts';
import { ClusterState } from '../snapshot/cluster-state.ts';
import { attachUser, detachUser, readSlot, refreshSlots, type ObjectReader, type ReadSlots } from './read-slots.ts';

/** Reads a ConfigMap's "value" key, counting the reads. */
function countingReader(): ObjectReader<ObjectRef, ConfigMapObject, string> & { reads: number } {
  const reader = {
    reads: 0,
    lookup: (snapshot: ClusterState, { namespace, name }: ObjectRef) => snapshot.lookupConfigMap(namespace, name),
    read: (configMap: ConfigMapObject | undefined) => {
      reader.reads++;
      return configMap?.data.value ?? 'missing';
    },
    same: (a: string, b: string) => a === b,
  };
  return reader;
}

const REF: ObjectRef = { namespace: 'a', name: 'm' };
const configMap = (value: string, other = ''): ConfigMapObject => ({ ...REF, data: { value, other } });

function changedKeys(slots: ReadSlots<ObjectRef, ConfigMapObject, string, string>, snapshot: ClusterState, reader: ObjectReader<ObjectRef, ConfigMapObject, string>): string[] {
  const changed: string[] = [];
  refreshSlots(slots, snapshot, reader, (slot, reading) => changed.push(`${[...slot.users].join()}=${reading}`));
  return changed;
}

describe('read slots', () => {
  it('read an object once, again only when the snapshot replaced it, and report only a reading that differs', () => {
    const snapshot = new ClusterState();
    snapshot.upsertConfigMap(configMap('one'));
    const reader = countingReader();
    const slots: ReadSlots<ObjectRef, ConfigMapObject, string, string> = new Map();
    attachUser(slots, 'a/m', REF, 'first');
    attachUser(slots, 'a/m', REF, 'second');
    expect(changedKeys(slots, snapshot, reader)).toEqual(['first,second=one']);
    expect(changedKeys(slots, snapshot, reader)).toEqual([]);
    expect(reader.reads).toBe(1);
    // A new object (the snapshot keeps a deep-equal one) whose reading is the same.
    snapshot.upsertConfigMap(configMap('one', 'else'));
    expect(changedKeys(slots, snapshot, reader)).toEqual([]);
    expect(reader.reads).toBe(2);
    snapshot.removeConfigMap('a', 'm');
    expect(changedKeys(slots, snapshot, reader)).toEqual(['first,second=missing']);
  });

  it('keep an emptied slot, read, until the refresh, which drops it', () => {
    const snapshot = new ClusterState();
    snapshot.upsertConfigMap(configMap('one'));
    const reader = countingReader();
    const slots: ReadSlots<ObjectRef, ConfigMapObject, string, string> = new Map();
    const slot = attachUser(slots, 'a/m', REF, 'old');
    expect(readSlot(slot, snapshot, reader)).toBe(true);
    detachUser(slots, 'a/m', 'old');
    expect(attachUser(slots, 'a/m', REF, 'new')).toBe(slot);
    expect(slot.reading).toBe('one');
    detachUser(slots, 'a/m', 'new');
    expect(changedKeys(slots, snapshot, reader)).toEqual([]);
    expect(slots.size).toBe(0);
    expect(reader.reads).toBe(1);
  });
});
