// Which TLS Secrets receive which ACME certificate, by a pure function of the snapshot: a spec.tls
// Secret gets the certificate of a name when every tls entry (of the served Ingresses) naming that
// Secret lists exactly that one host. ACME certificates are per name, so a Secret shared by
// several hosts would serve one host's certificate for the others: it is reported, not written.
import type { ClusterSnapshot, ObjectRef } from '../snapshot/model.ts';

export interface SecretTarget {
  readonly secret: ObjectRef;
  /** The certificate's name (the one host). */
  readonly name: string;
  /** Ingresses naming the Secret, sorted: where problems are reported. */
  readonly ingresses: readonly ObjectRef[];
}

export interface SharedSecret {
  readonly secret: ObjectRef;
  readonly hosts: readonly string[];
  readonly ingresses: readonly ObjectRef[];
}

export interface SecretPlan {
  readonly targets: readonly SecretTarget[];
  readonly shared: readonly SharedSecret[];
}

interface Use { readonly hosts: Set<string>; readonly ingresses: ObjectRef[] }

function usesOf(snapshot: ClusterSnapshot, served: ReadonlySet<string> | undefined): Map<string, Use> {
  const uses = new Map<string, Use>();
  for (const ing of snapshot.ingresses()) {
    if (served && !served.has(`${ing.namespace}/${ing.name}`)) continue;
    for (const tls of ing.tls) {
      if (!tls.secretName) continue;
      const key = `${ing.namespace}/${tls.secretName}`;
      const use = uses.get(key) ?? { hosts: new Set<string>(), ingresses: [] };
      for (const h of tls.hosts) use.hosts.add(h.toLowerCase().replace(/\.$/, ''));
      if (!use.ingresses.some((r) => r.namespace === ing.namespace && r.name === ing.name)) use.ingresses.push({ namespace: ing.namespace, name: ing.name });
      uses.set(key, use);
    }
  }
  return uses;
}

/** Secrets to write for the ACME `names`, and Secrets that several hosts share (not written). */
export function planTlsSecrets(snapshot: ClusterSnapshot, names: ReadonlySet<string>, served?: ReadonlySet<string>): SecretPlan {
  const targets: SecretTarget[] = [];
  const shared: SharedSecret[] = [];
  const keys = [...usesOf(snapshot, served).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, use] of keys) {
    const hosts = [...use.hosts].sort();
    if (!hosts.some((h) => names.has(h))) continue;
    const slash = key.indexOf('/');
    const secret = { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
    const [only] = hosts;
    if (hosts.length === 1 && only !== undefined) targets.push({ secret, name: only, ingresses: use.ingresses });
    else shared.push({ secret, hosts, ingresses: use.ingresses });
  }
  return { targets, shared };
}
