// A Gateway's frontend client-certificate validation (spec.tls.frontend) for one of its HTTPS
// listeners: the perPort entry of the listener's port, else the default. Its caCertificateRefs
// become one PEM bundle of trust anchors; each invalid reference is reported with the spec's
// reason, and a listener left without any valid one is not served (Accepted False,
// NoValidCACertificate) rather than served without the validation it asked for.
import { X509Certificate } from 'node:crypto';
import type { ClusterSnapshot } from '../../snapshot/model.ts';
import type { FrontendValidation, GatewayApiSnapshot, GatewayObject, Listener, TypedRef } from '../../snapshot/gateway-model.ts';
import type { ClientCertificateValidation } from '../types.ts';
import { referencePermitted } from './grants.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const CA_KEY = 'ca.crt';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

export interface FrontendResult {
  /** Undefined: no validation configured, or none valid. */
  readonly validation: ClientCertificateValidation | undefined;
  /** The invalid references: ResolvedRefs False with the first one's reason, all in the message. */
  readonly problem: { readonly reason: string; readonly message: string } | undefined;
  /** Validation is configured but no reference is valid: the listener must not be served. */
  readonly noValidCa: boolean;
}

const NONE: FrontendResult = { validation: undefined, problem: undefined, noValidCa: false };

/** The validation that applies to a listener: its port's entry (even one without validation), else the default. */
export function frontendValidationOf(gateway: GatewayObject, listener: Listener): FrontendValidation | undefined {
  const frontend = gateway.frontendTls;
  if (frontend === undefined) return undefined;
  const perPort = frontend.perPort.find((p) => p.port === listener.port);
  return perPort === undefined ? frontend.defaultValidation : perPort.validation;
}

export function resolveFrontendValidation(
  gateway: GatewayObject, listener: Listener, api: GatewayApiSnapshot, snapshot: ClusterSnapshot,
): FrontendResult {
  const config = frontendValidationOf(gateway, listener);
  if (config === undefined) return NONE;
  const bundles: string[] = [];
  const problems: { reason: string; message: string }[] = [];
  for (const ref of config.caCertificateRefs) {
    const read = readCaRef(gateway, ref, api, snapshot);
    if (typeof read === 'string') bundles.push(read);
    else problems.push(read);
  }
  if (config.caCertificateRefs.length === 0) problems.push({ reason: 'InvalidCACertificateRef', message: 'validation names no caCertificateRefs' });
  const first = problems[0];
  const problem = first === undefined ? undefined : { reason: first.reason, message: problems.map((p) => p.message).join('; ') };
  if (bundles.length === 0) return { validation: undefined, problem, noValidCa: true };
  const mode = config.mode === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
  return { validation: { caPem: bundles.join(''), mode }, problem, noValidCa: false };
}

/** Whether the Gateway lets clients in without a valid certificate anywhere (its InsecureFrontendValidationMode condition). */
export function allowsInsecureFallback(gateway: GatewayObject): boolean {
  const f = gateway.frontendTls;
  if (f === undefined) return false;
  return [f.defaultValidation, ...f.perPort.map((p) => p.validation)].some((v) => v?.mode === 'AllowInsecureFallback');
}

/** A reference's certificates as PEM, or why it cannot be used. */
function readCaRef(gateway: GatewayObject, ref: TypedRef, api: GatewayApiSnapshot, snapshot: ClusterSnapshot): string | { reason: string; message: string } {
  const namespace = ref.namespace ?? gateway.namespace;
  const what = `${ref.kind || '(no kind)'} "${namespace}/${ref.name}"`;
  if (ref.group !== '' || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')) {
    return { reason: 'InvalidCACertificateKind', message: `caCertificateRef ${what} (group "${ref.group}"): only core ConfigMaps and Secrets hold CA certificates` };
  }
  const permitted = referencePermitted(api.referenceGrants, {
    fromGroup: GATEWAY_GROUP, fromKind: 'Gateway', fromNamespace: gateway.namespace, toGroup: '', toKind: ref.kind, toNamespace: namespace, toName: ref.name,
  });
  if (!permitted) return { reason: 'RefNotPermitted', message: `no ReferenceGrant in "${namespace}" allows ${what}` };
  const ca = ref.kind === 'ConfigMap' ? configMapCa(api, namespace, ref.name) : secretCa(snapshot, namespace, ref.name);
  if (!ca.found) return { reason: 'InvalidCACertificateRef', message: `${what} not found` };
  if (ca.text === undefined) return { reason: 'InvalidCACertificateRef', message: `${what} has no ${CA_KEY}` };
  const pem = certificatesOf(ca.text);
  if (pem === '') return { reason: 'InvalidCACertificateRef', message: `${CA_KEY} of ${what} holds no readable PEM certificate` };
  return pem;
}

/** Whether the object exists, and its ca.crt if it has one. */
interface CaText { readonly found: boolean; readonly text: string | undefined }

function configMapCa(api: GatewayApiSnapshot, namespace: string, name: string): CaText {
  const found = api.lookupConfigMapCa?.(namespace, name);
  return { found: found !== undefined, text: found?.caCrt };
}

function secretCa(snapshot: ClusterSnapshot, namespace: string, name: string): CaText {
  const found = snapshot.lookupSecret(namespace, name) ?? snapshot.lookupOpaqueSecret(namespace, name);
  return { found: found !== undefined, text: found?.data[CA_KEY]?.toString('utf8') };
}

/** The PEM certificate blocks that parse, each ending in a newline; "" when there is none. */
function certificatesOf(text: string): string {
  let out = '';
  // An unreadable block is left out; the others still count.
  for (const block of text.match(PEM_BLOCK) ?? []) if (readable(block)) out += `${block}\n`;
  return out;
}

function readable(pem: string): boolean {
  try {
    return new X509Certificate(pem).raw.length > 0;
  } catch {
    return false;
  }
}
