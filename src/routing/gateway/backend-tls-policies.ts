// BackendTLSPolicy → how a Gateway route reaches a Service port over TLS. Each policy is read once
// per build (its CA bundles, its hostname and subjectAltNames); which policy governs a Service port
// is decided per target (a policy naming the port by sectionName before one naming the whole
// Service; among policies naming the same target, the oldest, then namespace/name, wins — the
// others are Conflicted). The Gateways whose routes send requests through a policy are its
// ancestors, and the policy's status is reported per ancestor.
import { X509Certificate } from 'node:crypto';
import type { BackendTlsPolicyObject, ConfigMapCa, GatewayApiSnapshot, GatewayObject, TypedRef } from '../../snapshot/gateway-model.ts';
import { compareRefs, compareStrings } from '../compare.ts';
import { condition, type ConditionSpec, type PolicyAncestorReport, type BackendTlsPolicyReport } from './report.ts';
import { GATEWAY_GROUP } from './listeners.ts';

/** What a usable policy asks of the connection. */
export interface PolicyValidation {
  /** PEM of every valid caCertificateRef; undefined: the system's roots (wellKnownCACertificates: System). */
  readonly caPem: string | undefined;
  readonly hostname: string;
  /** "DNS:name" / "URI:uri"; empty: the hostname is verified. */
  readonly subjectAltNames: readonly string[];
}

export interface CompiledPolicy {
  readonly policy: BackendTlsPolicyObject;
  /** Undefined: no usable CA or an invalid policy; connections through it fail (500). */
  readonly validation: PolicyValidation | undefined;
  /** Accepted when not Conflicted (Accepted, NoValidCACertificate or Invalid). */
  readonly accepted: ConditionSpec;
  readonly resolvedRefs: ConditionSpec;
}

interface Ancestor {
  readonly gateway: GatewayObject;
  /** Some route reaches a target through this policy for this Gateway (not only as a loser of a conflict). */
  governs: boolean;
}

export class BackendTlsPolicies {
  /** Target "ns/service#section" ("#" alone: the whole Service) → its policies, the winner first. */
  private readonly byTarget = new Map<string, CompiledPolicy[]>();
  private readonly ancestors = new Map<CompiledPolicy, Map<GatewayObject, Ancestor>>();

  constructor(api: GatewayApiSnapshot) {
    const lookup = api.lookupConfigMapCa ?? (() => undefined);
    const pems = new Map<string, PemResult>();
    const policies = [...(api.backendTlsPolicies ?? [])].sort(byPrecedence);
    for (const policy of policies) {
      const compiled = compilePolicy(policy, lookup, pems);
      for (const key of targetKeys(policy)) {
        const list = this.byTarget.get(key);
        if (list === undefined) this.byTarget.set(key, [compiled]);
        else if (!list.some((c) => c.policy === policy)) list.push(compiled);
      }
    }
  }

  /** No policy targets anything: every lookup answers undefined and records nothing. */
  isEmpty(): boolean {
    return this.byTarget.size === 0;
  }

  /**
   * The policy governing a Service port for routes of these Gateways (recorded as its ancestors,
   * and as ancestors of the policies it won against); undefined when none names it.
   */
  governing(namespace: string, service: string, portName: string | undefined, gateways: readonly GatewayObject[]): CompiledPolicy | undefined {
    const section = portName === undefined || portName === '' ? undefined : this.byTarget.get(`${namespace}/${service}#${portName}`);
    const list = section ?? this.byTarget.get(`${namespace}/${service}#`);
    if (list === undefined) return undefined;
    list.forEach((c, i) => { for (const g of gateways) this.noteAncestor(c, g, i === 0); });
    return list[0];
  }

  /** Every policy with ancestors, sorted by namespace/name; conditions per ancestor Gateway (sorted). */
  reports(): BackendTlsPolicyReport[] {
    const out: BackendTlsPolicyReport[] = [];
    for (const [compiled, ancestors] of this.ancestors) {
      const { policy } = compiled;
      const list: PolicyAncestorReport[] = [...ancestors.values()]
        .sort((a, b) => compareRefs(a.gateway, b.gateway))
        .map((a) => ({
          ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: a.gateway.namespace, name: a.gateway.name },
          conditions: [acceptedFor(compiled, a.governs), compiled.resolvedRefs],
        }));
      out.push({ ref: { namespace: policy.namespace, name: policy.name }, generation: policy.generation, ancestors: list });
    }
    return out.sort((a, b) => compareRefs(a.ref, b.ref));
  }

  private noteAncestor(compiled: CompiledPolicy, gateway: GatewayObject, governs: boolean): void {
    let ancestors = this.ancestors.get(compiled);
    if (ancestors === undefined) this.ancestors.set(compiled, (ancestors = new Map<GatewayObject, Ancestor>()));
    const found = ancestors.get(gateway);
    if (found === undefined) ancestors.set(gateway, { gateway, governs });
    else found.governs ||= governs;
  }
}

function acceptedFor(compiled: CompiledPolicy, governs: boolean): ConditionSpec {
  if (!governs && compiled.accepted.reason !== 'Invalid') {
    return condition('Accepted', false, 'Conflicted', 'an older BackendTLSPolicy targets the same Service and sectionName');
  }
  return compiled.accepted;
}

/** Oldest first, then namespace/name. */
function byPrecedence(a: BackendTlsPolicyObject, b: BackendTlsPolicyObject): number {
  return compareStrings(a.creationTimestamp, b.creationTimestamp) || compareRefs(a, b);
}

/** Service targets only (the extended support level): other kinds are never reached by a route. */
function targetKeys(policy: BackendTlsPolicyObject): string[] {
  return policy.targetRefs
    .filter((t) => t.group === '' && t.kind === 'Service')
    .map((t) => `${policy.namespace}/${t.name}#${t.sectionName ?? ''}`);
}

type PemResult = { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly message: string };

function compilePolicy(
  policy: BackendTlsPolicyObject, lookup: (namespace: string, name: string) => ConfigMapCa | undefined, pems: Map<string, PemResult>,
): CompiledPolicy {
  const refs = resolveCaRefs(policy, lookup, pems);
  const invalid = invalidSpec(policy);
  if (invalid !== undefined) return { policy, validation: undefined, accepted: condition('Accepted', false, 'Invalid', invalid), resolvedRefs: refs.condition };
  const usable = policy.wellKnownCACertificates === 'System' || refs.pems.length > 0;
  if (!usable) {
    return {
      policy, validation: undefined, resolvedRefs: refs.condition,
      accepted: condition('Accepted', false, 'NoValidCACertificate', 'no caCertificateRef is a usable CA certificate'),
    };
  }
  const subjectAltNames = policy.subjectAltNames
    .filter((n) => (n.type === 'Hostname' || n.type === 'URI') && n.value !== '')
    .map((n) => `${n.type === 'URI' ? 'URI' : 'DNS'}:${n.value}`);
  return {
    policy, resolvedRefs: refs.condition, accepted: condition('Accepted', true, 'Accepted'),
    validation: { caPem: refs.pems.length === 0 ? undefined : refs.pems.join('\n'), hostname: policy.hostname, subjectAltNames },
  };
}

/** Why the policy cannot be used whatever its references say; undefined when it can. */
function invalidSpec(policy: BackendTlsPolicyObject): string | undefined {
  const wellKnown = policy.wellKnownCACertificates;
  if (policy.hostname === '') return 'validation.hostname is required';
  if (wellKnown !== undefined && policy.caCertificateRefs.length > 0) return 'caCertificateRefs and wellKnownCACertificates are exclusive';
  if (wellKnown !== undefined && wellKnown !== 'System') return `wellKnownCACertificates "${wellKnown}" is not supported (only "System")`;
  if (wellKnown === undefined && policy.caCertificateRefs.length === 0) return 'caCertificateRefs or wellKnownCACertificates is required';
  return undefined;
}

/** The PEM of each valid reference, and ResolvedRefs naming the first invalid one. */
function resolveCaRefs(
  policy: BackendTlsPolicyObject, lookup: (namespace: string, name: string) => ConfigMapCa | undefined, pems: Map<string, PemResult>,
): { pems: string[]; condition: ConditionSpec } {
  const valid: string[] = [];
  let problem: ConditionSpec | undefined;
  for (const ref of policy.caCertificateRefs) {
    const result = resolveCaRef(policy.namespace, ref, lookup, pems);
    if ('pem' in result) valid.push(result.pem);
    else problem ??= condition('ResolvedRefs', false, result.reason, result.message);
  }
  return { pems: valid, condition: problem ?? condition('ResolvedRefs', true, 'ResolvedRefs') };
}

function resolveCaRef(
  namespace: string, ref: TypedRef, lookup: (namespace: string, name: string) => ConfigMapCa | undefined, pems: Map<string, PemResult>,
): { pem: string } | { reason: string; message: string } {
  if (ref.group !== '' || ref.kind !== 'ConfigMap') {
    return { reason: 'InvalidKind', message: `caCertificateRef ${ref.group === '' ? '' : `${ref.group}/`}${ref.kind} "${ref.name}" is not a core ConfigMap` };
  }
  const found = lookup(namespace, ref.name);
  if (found === undefined) return { reason: 'InvalidCACertificateRef', message: `ConfigMap "${ref.name}" not found in namespace "${namespace}"` };
  if (found.caCrt === undefined || found.caCrt.trim() === '') {
    return { reason: 'InvalidCACertificateRef', message: `ConfigMap "${ref.name}" has no ca.crt` };
  }
  let read = pems.get(found.caCrt);
  if (read === undefined) pems.set(found.caCrt, (read = readCaBundle(found.caCrt)));
  return read.ok ? { pem: read.pem } : { reason: 'InvalidCACertificateRef', message: `ca.crt of ConfigMap "${ref.name}" ${read.message}` };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** One or more PEM certificates, each readable as X.509. */
export function readCaBundle(text: string): PemResult {
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { ok: false, message: 'holds no PEM certificate' };
  for (const block of blocks) {
    try {
      if (new X509Certificate(block).raw.length === 0) return { ok: false, message: 'holds an empty certificate' };
    } catch {
      return { ok: false, message: 'holds a certificate that is not readable X.509' };
    }
  }
  return { ok: true, pem: blocks.join('\n') };
}
