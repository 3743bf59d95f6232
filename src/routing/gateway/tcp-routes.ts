// TCPRoutes → each TCP listener's table (its Gateway's own address and the listener's port) gets
// the route every connection there takes (RoutingTable.tcpRoute). Several routes attached to one
// listener are all accepted and counted, but only the oldest (creationTimestamp, then
// namespace/name) is bound: its backends take the connections, as the spec's conflict rules ask.
import type { TcpRouteObject } from '../../snapshot/gateway-model.ts';
import { compareStrings } from '../compare.ts';
import type { Route } from '../types.ts';
import type { Attachment } from './attach.ts';
import type { BackendProblem } from './backends.ts';
import type { ListenerState } from './listeners.ts';
import { routePrecedence, type CompileContext } from './routes.ts';
import { compileStreamRoute } from './tls-routes.ts';

/** A TCPRoute bound to the table of one TCP listener, if it is the oldest there. */
export interface TcpCandidate {
  readonly key: string;
  readonly precedence: string;
  readonly route: Route;
}

export function compileTcpRoute(
  route: TcpRouteObject, attachments: readonly Attachment[], tableKey: (l: ListenerState) => string | undefined, ctx: CompileContext,
): { candidates: TcpCandidate[]; backendProblems: readonly BackendProblem[] } {
  const compiled = compileStreamRoute(route, ctx);
  const precedence = routePrecedence(route);
  const keys = new Set<string>();
  for (const { listener } of attachments) {
    const key = tableKey(listener);
    if (listener.served && listener.stream === 'tcp' && key !== undefined) keys.add(key);
  }
  return { candidates: [...keys].map((key) => ({ key, precedence, route: compiled.route })), backendProblems: compiled.backendProblems };
}

/** The oldest route per table. */
export function tcpRoutesByTable(candidates: readonly TcpCandidate[]): Map<string, Route> {
  const out = new Map<string, Route>();
  const sorted = [...candidates].sort((a, b) => compareStrings(a.precedence, b.precedence));
  for (const c of sorted) if (!out.has(c.key)) out.set(c.key, c.route);
  return out;
}
