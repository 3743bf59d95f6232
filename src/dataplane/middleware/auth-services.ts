// What forward authentication needs beyond its filter: the connections to authentication services
// and the cache counters. Services without nginx auth-keepalive share undici's global pool (as
// before); with it, each combination of keep-alive settings gets an Agent of its own (an undici Pool
// per service origin under it), so the idle timeout and the requests per connection are the
// annotation's. Closed with the data plane.
import { Agent, getGlobalDispatcher, type Dispatcher } from 'undici';
import type { AuthKeepalive } from '../../routing/middleware.ts';

export interface AuthServices {
  dispatcher(keepalive: AuthKeepalive | undefined): Dispatcher;
  /** A cached answer used (hit) or the service asked because none was (miss). */
  readonly onCacheLookup: (result: 'hit' | 'miss') => void;
  /** Milliseconds, monotonic: the cache's clock. */
  readonly now: () => number;
  close(): Promise<void>;
}

export function createAuthServices(onCacheLookup: AuthServices['onCacheLookup'] = () => undefined, now: () => number = () => performance.now()): AuthServices {
  const agents = new Map<string, Agent>();
  return {
    dispatcher(keepalive) {
      if (keepalive === undefined) return getGlobalDispatcher();
      const key = `${keepalive.requestsPerConnection}/${keepalive.idleTimeoutMs}`;
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = new Agent({
          keepAliveTimeout: keepalive.idleTimeoutMs, keepAliveMaxTimeout: keepalive.idleTimeoutMs, maxRequestsPerClient: keepalive.requestsPerConnection,
        });
        agents.set(key, agent);
      }
      return agent;
    },
    onCacheLookup,
    now,
    async close() {
      const closing = [...agents.values()].map((a) => a.close());
      agents.clear();
      await Promise.allSettled(closing);
    },
  };
}
