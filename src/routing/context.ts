// What every Ingress's compiled parts depend on besides the Ingress itself: which IngressClasses
// are ours and the route defaults. A BuildCache is only reused while this stays the same.
import type { ClusterSnapshot } from '../snapshot/model.ts';
import type { BuildOptions, RouteDefaults } from './types.ts';
import type { ForwardAuth } from './middleware.ts';
import { resolveDefaults } from './defaults.ts';

export interface BuildContext {
  /** Equal keys mean equal contexts. */
  readonly key: string;
  /** Names of the IngressClasses whose controller is ours. */
  readonly ourClasses: ReadonlySet<string>;
  /** Whether an IngressClass of ours is marked default (it takes Ingresses that name no class). */
  readonly ourDefault: boolean;
  readonly defaults: RouteDefaults;
  /** BuildOptions.sslPassthrough. */
  readonly sslPassthrough: boolean;
  /** BuildOptions.globalAuth. */
  readonly globalAuth: ForwardAuth | undefined;
  /** BuildOptions.acme. */
  readonly acme: boolean;
}

export function buildContext(snapshot: ClusterSnapshot, options: BuildOptions): BuildContext {
  const classes = snapshot.ingressClasses().filter((c) => c.controller === options.controllerName);
  const ourClasses = new Set(classes.map((c) => c.name));
  const ourDefault = classes.some((c) => c.isDefault);
  const defaults = resolveDefaults(options);
  const { sslRedirect, forceSslRedirect, loadBalancing, readTimeoutMs, maxBodyBytes, tunnelIdleTimeoutMs, hsts } = defaults;
  const sslPassthrough = options.sslPassthrough === true;
  const acme = options.acme === true;
  const key = JSON.stringify([
    [...ourClasses].sort(), ourDefault, sslRedirect, forceSslRedirect, loadBalancing, readTimeoutMs, maxBodyBytes ?? null, tunnelIdleTimeoutMs, sslPassthrough,
    options.globalAuth ?? null, acme, hsts,
  ]);
  return { key, ourClasses, ourDefault, defaults, sslPassthrough, globalAuth: options.globalAuth, acme };
}
