// The controller's configuration: validated once at start, then frozen and passed to everyone.
import { z } from 'zod';
import { dataPlaneShape } from './schema-dataplane.ts';
import { acmeShape, checkAcme } from './schema-acme.ts';
import { globalAuthShape } from './schema-global-auth.ts';
import { checkTracing, tracingShape } from './schema-tracing.ts';
import { isLabelSelector } from './label-selector.ts';
import { commaList as list } from './comma-list.ts';

const port = z.coerce.number().int().min(0).max(65535);
const millis = z.coerce.number().int().min(0).max(60_000);

const namespacedName = z
  .string()
  .refine((s) => s === '' || /^[a-z0-9-]+\/[a-z0-9.-]+$/.test(s), 'expected namespace/name')
  .transform((s) => {
    const [namespace, name] = s.split('/');
    return namespace && name ? { namespace, name } : undefined;
  });

export const controllerConfigSchema = z
  .object({
    kubeconfig: z.string(),
    bindAddress: z.union([z.ipv4(), z.ipv6()]),
    httpPort: port,
    httpsPort: port,
    adminAddress: z.union([z.ipv4(), z.ipv6()]),
    adminPort: port,
    controllerName: z.string().regex(/^[a-z0-9.-]+\/[A-Za-z0-9._/-]+$/, 'expected a domain-prefixed path such as bollard.io/ingress-controller'),
    gatewayApi: z.enum(['auto', 'true', 'false']),
    gatewayControllerName: z.string().regex(/^[a-z0-9.-]+\/[A-Za-z0-9._/-]+$/, 'expected a domain-prefixed path such as bollard.io/gateway-controller'),
    gatewayAddresses: list.pipe(z.array(z.union([z.ipv4(), z.ipv6()]))),
    gatewayInfrastructureServices: z.enum(['true', 'false']).transform((s) => s === 'true'),
    clusterDomain: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'expected a DNS domain such as cluster.local'),
    watchNamespaces: list,
    watchNamespaceSelector: z.string().trim().refine(isLabelSelector, 'expected a label selector such as team=web,env!=dev'),
    publishStatusAddress: list,
    publishService: namespacedName,
    electionNamespace: z.string().min(1),
    electionId: z.string().min(1),
    electionLeaseSeconds: z.coerce.number().int().min(2).max(300),
    podName: z.string(),
    resyncSeconds: z.coerce.number().int().min(0).max(86_400),
    debounceMs: millis,
    debounceMaxMs: millis,
    drainSeconds: z.coerce.number().min(0).max(3600),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']),
    ...dataPlaneShape,
    ...globalAuthShape,
    ...tracingShape,
    ...acmeShape,
  })
  .refine((c) => c.watchNamespaceSelector === '' || c.watchNamespaces.length === 0, {
    message: '--watch-namespace-selector cannot be combined with --watch-namespaces', path: ['watchNamespaceSelector'],
  })
  .refine((c) => !c.gatewayInfrastructureServices || c.publishService !== undefined, {
    message: '--gateway-infrastructure-services needs --publish-service (the Service its ExternalName Services point at)', path: ['gatewayInfrastructureServices'],
  })
  .refine((c) => c.debounceMaxMs >= c.debounceMs, { message: 'debounce-max-ms must be >= debounce-ms', path: ['debounceMaxMs'] })
  .superRefine(checkAcme)
  .superRefine(checkTracing);

export type ControllerConfig = Readonly<z.infer<typeof controllerConfigSchema>>;
