// GlobalRateLimit (src/routing/middleware.ts): the request's key made from its values (as a hash
// key), counted against the rule's limit by the data plane's shared counters
// (../global-rate/global-rate-limits.ts); over it, the global rejection status (429 by default).
import type { GlobalRateLimit } from '../../routing/middleware.ts';
import { trustChecker } from '../client-address.ts';
import { hashKeyOf } from './consistent-hash.ts';
import type { ChainRequest, Step } from './step.ts';

export function compileGlobalRateLimit(filter: GlobalRateLimit): Step {
  const exempt = filter.exempt.length > 0 ? trustChecker(filter.exempt) : undefined;
  return (req: ChainRequest) => {
    const limits = req.globalRateLimits;
    if (limits === undefined || exempt?.(req.clientAddress()) === true) return undefined;
    if (limits.admit(filter.rule, filter.limit, filter.windowSeconds, hashKeyOf(filter.key, req))) return undefined;
    return { status: limits.status, text: 'too many requests', headers: {} };
  };
}
