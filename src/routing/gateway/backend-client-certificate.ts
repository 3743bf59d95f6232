// A Gateway's spec.tls.backend.clientCertificateRef: the certificate its routes show to backends
// reached over TLS through a BackendTLSPolicy. A kubernetes.io/tls Secret, in another namespace only
// with a ReferenceGrant; a bad reference leaves the Gateway accepted, ResolvedRefs False, and its
// routes connect without a client certificate.
import type { ClusterSnapshot, SecretObject } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, GatewayObject } from '../../snapshot/gateway-model.ts';
import type { TlsCertificate } from '../types.ts';
import { loadTlsSecret, type TlsSecretResult } from '../tls-secret.ts';
import { referencePermitted } from './grants.ts';
import { GATEWAY_GROUP, type ListenerState } from './listeners.ts';
import { condition, type ConditionSpec } from './report.ts';

export interface BackendClientCertificate {
  readonly certificate: TlsCertificate | undefined;
  readonly problem: { readonly reason: 'InvalidClientCertificateRef' | 'RefNotPermitted'; readonly message: string } | undefined;
}

const NONE: BackendClientCertificate = { certificate: undefined, problem: undefined };

export function resolveBackendClientCertificate(
  gateway: GatewayObject, api: GatewayApiSnapshot, snapshot: ClusterSnapshot, readings: WeakMap<SecretObject, TlsSecretResult>,
): BackendClientCertificate {
  const ref = gateway.backendClientCertificateRef;
  if (ref === undefined) return NONE;
  const invalid = (message: string): BackendClientCertificate => ({ certificate: undefined, problem: { reason: 'InvalidClientCertificateRef', message } });
  if (ref.group !== '' || ref.kind !== 'Secret') {
    return invalid(`tls.backend.clientCertificateRef ${ref.group === '' ? '' : `${ref.group}/`}${ref.kind} "${ref.name}" is not a core Secret`);
  }
  const namespace = ref.namespace ?? gateway.namespace;
  const permitted = referencePermitted(api.referenceGrants, {
    fromGroup: GATEWAY_GROUP, fromKind: 'Gateway', fromNamespace: gateway.namespace, toGroup: '', toKind: 'Secret', toNamespace: namespace, toName: ref.name,
  });
  if (!permitted) {
    return { certificate: undefined, problem: { reason: 'RefNotPermitted', message: `no ReferenceGrant in "${namespace}" allows Secret "${ref.name}"` } };
  }
  const result = loadTlsSecret(snapshot.lookupSecret(namespace, ref.name), namespace, ref.name, readings);
  return result.ok ? { certificate: result.certificate, problem: undefined } : invalid(`tls.backend.clientCertificateRef: ${result.problem}`);
}

/** The Gateway's ResolvedRefs: its client certificate first, then its listeners' references. */
export function gatewayResolvedRefs(client: BackendClientCertificate, listeners: readonly ListenerState[]): ConditionSpec {
  if (client.problem !== undefined) return condition('ResolvedRefs', false, client.problem.reason, client.problem.message);
  const unresolved = listeners.filter((l) => l.conditions.some((c) => c.type === 'ResolvedRefs' && c.status === 'False')).map((l) => l.listener.name);
  if (unresolved.length > 0) return condition('ResolvedRefs', false, 'ListenersNotResolved', `listeners with unresolved references: ${unresolved.join(', ')}`);
  return condition('ResolvedRefs', true, 'ResolvedRefs');
}
