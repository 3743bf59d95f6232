// Small builders for the Kubernetes objects e2e specs create (as JSON, which kubectl accepts).
export interface PortSpec { readonly name?: string; readonly port: number; readonly targetPort?: number | string }

export const service = (ns: string, name: string, ports: readonly PortSpec[]) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name },
  spec: { ports: ports.map((p) => ({ protocol: 'TCP', ...p })) },
});

export const externalNameService = (ns: string, name: string, externalName: string, port: number) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name },
  spec: { type: 'ExternalName', externalName, ports: [{ protocol: 'TCP', port }] },
});

export interface SliceEndpoint { readonly ip: string; readonly ready?: boolean }

export const endpointSlice = (ns: string, name: string, serviceName: string, port: { name?: string; port: number }, endpoints: readonly SliceEndpoint[]) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  ports: [{ name: port.name ?? '', port: port.port, protocol: 'TCP' }],
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true } })),
});

export interface PathSpec { readonly path: string; readonly pathType: string; readonly service: string; readonly port: number | string }

export const backendOf = (service: string, port: number | string) => ({
  service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } },
});

export const ingress = (ns: string, name: string, opts: {
  className?: string; annotations?: Record<string, string>; host?: string; paths?: readonly PathSpec[];
  defaultBackend?: { service: string; port: number | string };
}) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { namespace: ns, name, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
  spec: {
    ...(opts.className ? { ingressClassName: opts.className } : {}),
    ...(opts.defaultBackend ? { defaultBackend: backendOf(opts.defaultBackend.service, opts.defaultBackend.port) } : {}),
    ...(opts.paths
      ? { rules: [{ ...(opts.host ? { host: opts.host } : {}), http: { paths: opts.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: backendOf(p.service, p.port) })) } }] }
      : {}),
  },
});

export const ingressClass = (name: string, controller: string) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller },
});

/** kubectl apply -f - input for several objects. */
export const list = (...items: readonly object[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
