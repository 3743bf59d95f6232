// Kubernetes Events on Ingresses. The Event's name is derived from the Ingress UID, reason and
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

export interface EventRecorder {
  record(ingress: IngressObject, event: IngressEvent): Promise<void>;
}

export function createEventRecorder(client: KubeClient, component: string, instance: string, now: () => Date = () => new Date()): EventRecorder {
  return {
    async record(ingress, event) {
      const digest = createHash('sha256').update(`${ingress.uid}\n${event.reason}\n${event.message}`).digest('hex').slice(0, 16);
      const time = now().toISOString();
      const body = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${ingress.name}.${digest}`, namespace: ingress.namespace },
        involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: ingress.namespace, name: ingress.name, uid: ingress.uid },
        type: event.type, reason: event.reason, message: event.message,
        source: { component: 'bollard' }, reportingComponent: component, reportingInstance: instance,
        firstTimestamp: time, lastTimestamp: time, count: 1,
      };
      try {
        await client.request('POST', `/api/v1/namespaces/${ingress.namespace}/events`, body);
      } catch (err: unknown) {
        if (err instanceof KubeApiError && err.status === 409) return;
        throw err;
      }
    },
  };
}
