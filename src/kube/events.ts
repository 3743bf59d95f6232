// Kubernetes Events on Ingresses (and Gateways). The Event's name is derived from the Ingress UID, reason and
// message, so the same problem reported again (after a restart, or by a new leader) is one
// Event, not a growing pile.
import { createHash } from 'node:crypto';
import type { IngressObject } from '../snapshot/model.ts';
import { KubeApiError, type KubeClient } from './client.ts';

export interface IngressEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The namespaced object an Event is about. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface EventRecorder {
  record(ingress: IngressObject, event: IngressEvent): Promise<void>;
  /** The same for another kind of object (a Gateway). */
  recordOn(object: InvolvedObject, event: IngressEvent): Promise<void>;
}

export function createEventRecorder(client: KubeClient, component: string, instance: string, now: () => Date = () => new Date()): EventRecorder {
  const recordOn = async (object: InvolvedObject, event: IngressEvent): Promise<void> => {
    const digest = createHash('sha256').update(`${object.uid}\n${event.reason}\n${event.message}`).digest('hex').slice(0, 16);
    const time = now().toISOString();
    const body = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${object.name}.${digest}`, namespace: object.namespace },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, namespace: object.namespace, name: object.name, uid: object.uid },
      type: event.type, reason: event.reason, message: event.message,
      source: { component: 'bollard' }, reportingComponent: component, reportingInstance: instance,
      firstTimestamp: time, lastTimestamp: time, count: 1,
    };
    try {
      await client.request('POST', `/api/v1/namespaces/${object.namespace}/events`, body);
    } catch (err: unknown) {
      if (err instanceof KubeApiError && err.status === 409) return;
      throw err;
    }
  };
  return {
    record: (ingress, event) => recordOn({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: ingress.namespace, name: ingress.name, uid: ingress.uid }, event),
    recordOn,
  };
}
