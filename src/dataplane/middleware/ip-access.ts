// IPAccess: 403 for a client address in the deny list, or outside a non-empty allow list.
import type { IpAccess } from '../../routing/middleware.ts';
import { trustChecker } from '../client-address.ts';
import type { Step } from './step.ts';

const FORBIDDEN = { status: 403, text: 'forbidden', headers: {} };

export function compileIpAccess(filter: IpAccess): Step {
  const denied = filter.deny.length > 0 ? trustChecker(filter.deny) : undefined;
  const allowed = filter.allow.length > 0 ? trustChecker(filter.allow) : undefined;
  return (req) => {
    const address = req.clientAddress();
    if (denied?.(address) === true) return FORBIDDEN;
    return allowed === undefined || allowed(address) ? undefined : FORBIDDEN;
  };
}
