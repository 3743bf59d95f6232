// Which names get ACME certificates, computed by a pure function from the cluster snapshot: the
// hosts of an Ingress's spec.tls whose Secret is absent, every spec.tls host of an Ingress that
// opts in with the annotation bollard.io/acme: "true", hosts whose Secret Bollard manages (it
// wrote it: the managed-by label), and hosts that already have an ACME certificate in storage —
// so renewal goes on after the Secret was written. Wildcards need DNS-01: without it they are
// reported, not ordered. Sorted output: the same snapshot gives the same list.
import type { ClusterSnapshot, IngressObject, ObjectRef } from '../snapshot/model.ts';

export const ACME_ANNOTATION = 'bollard.io/acme';

export interface AcmeName {
  /** Lower-case DNS name. */
  readonly name: string;
  /** Ingresses that asked for it, sorted by namespace/name. */
  readonly ingresses: readonly ObjectRef[];
  /** The first spec.tls Secret named for it, where the certificate may be mirrored. */
  readonly secret?: ObjectRef;
}

export interface SkippedName {
  readonly ingress: ObjectRef;
  readonly host: string;
  readonly reason: 'WildcardNeedsDns01' | 'InvalidHost';
}

export interface NameSelection {
  readonly names: readonly AcmeName[];
  readonly skipped: readonly SkippedName[];
}

export interface SelectOptions {
  /** Only these Ingresses (namespace/name) are considered — the ones Bollard serves; all when absent. */
  readonly served?: ReadonlySet<string>;
  /** Names that already have an ACME certificate in storage. */
  readonly issued: ReadonlySet<string>;
  /** Secrets (namespace/name) that Bollard wrote and manages; their hosts stay ACME's. */
  readonly managedSecrets?: ReadonlySet<string>;
  /** The issuer validates with DNS-01, so wildcard hosts can be ordered. */
  readonly dns01?: boolean;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface Candidate { readonly ingress: IngressObject; readonly host: string; readonly secret?: ObjectRef }

function candidates(ing: IngressObject, snapshot: ClusterSnapshot, opts: SelectOptions): Candidate[] {
  const optIn = ing.annotations[ACME_ANNOTATION] === 'true';
  const out: Candidate[] = [];
  for (const tls of ing.tls) {
    const secret = tls.secretName ? { namespace: ing.namespace, name: tls.secretName } : undefined;
    const absent = !secret || snapshot.lookupSecret(secret.namespace, secret.name) === undefined;
    const managed = secret !== undefined && opts.managedSecrets?.has(`${secret.namespace}/${secret.name}`) === true;
    for (const raw of tls.hosts) {
      const host = raw.toLowerCase().replace(/\.$/, '');
      if (optIn || absent || managed || opts.issued.has(host)) out.push({ ingress: ing, host, ...(secret ? { secret } : {}) });
    }
  }
  return out;
}

const WILDCARD = /^\*\.(.+)$/;

function problemOf(host: string, dns01: boolean): SkippedName['reason'] | undefined {
  const wildcard = WILDCARD.exec(host);
  if (wildcard) return !dns01 ? 'WildcardNeedsDns01' : DNS_NAME.test(wildcard[1] ?? '') ? undefined : 'InvalidHost';
  return DNS_NAME.test(host) ? undefined : 'InvalidHost';
}

export function selectAcmeNames(snapshot: ClusterSnapshot, opts: SelectOptions): NameSelection {
  const byName = new Map<string, { ingresses: ObjectRef[]; secret?: ObjectRef }>();
  const skipped: SkippedName[] = [];
  for (const ing of snapshot.ingresses()) {
    if (opts.served && !opts.served.has(`${ing.namespace}/${ing.name}`)) continue;
    for (const c of candidates(ing, snapshot, opts)) {
      const ref = { namespace: ing.namespace, name: ing.name };
      const problem = problemOf(c.host, opts.dns01 === true);
      if (problem) { skipped.push({ ingress: ref, host: c.host, reason: problem }); continue; }
      const entry = byName.get(c.host) ?? { ingresses: [] };
      if (!entry.ingresses.some((r) => r.namespace === ref.namespace && r.name === ref.name)) entry.ingresses.push(ref);
      entry.secret ??= c.secret;
      byName.set(c.host, entry);
    }
  }
  const names = [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => ({ name, ingresses: e.ingresses, ...(e.secret ? { secret: e.secret } : {}) }));
  return { names, skipped };
}
