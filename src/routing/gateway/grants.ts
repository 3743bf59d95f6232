// ReferenceGrant: may an object of (group, kind) in one namespace refer to a (group, kind, name) in another?
import type { ReferenceGrantObject } from '../../snapshot/gateway-model.ts';

export interface CrossReference {
  readonly fromGroup: string;
  readonly fromKind: string;
  readonly fromNamespace: string;
  readonly toGroup: string;
  readonly toKind: string;
  readonly toNamespace: string;
  readonly toName: string;
}

/** Same namespace always; across namespaces only with a ReferenceGrant in the target's namespace. */
export function referencePermitted(grants: readonly ReferenceGrantObject[], ref: CrossReference): boolean {
  if (ref.fromNamespace === ref.toNamespace) return true;
  return grants.some((g) => g.namespace === ref.toNamespace &&
    g.from.some((f) => f.group === ref.fromGroup && f.kind === ref.fromKind && f.namespace === ref.fromNamespace) &&
    g.to.some((t) => t.group === ref.toGroup && t.kind === ref.toKind && (t.name === undefined || t.name === '' || t.name === ref.toName)));
}
