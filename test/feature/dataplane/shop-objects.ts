// Test helper: raw Kubernetes objects in namespace `shop` for the feature tests that build a table
// from them (canary pairs): an Ingress routing `host` / to a Service, and a Service whose one
// EndpointSlice points at a local upstream's port.

export function shopIngress(name: string, host: string, service: string, annotations: Record<string, string>) {
  return {
    metadata: { namespace: 'shop', name, annotations },
    spec: { ingressClassName: 'bollard', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }] },
  };
}

export function shopService(name: string, port: number) {
  return {
    service: { metadata: { namespace: 'shop', name }, spec: { ports: [{ port: 80 }] } },
    slice: { metadata: { namespace: 'shop', name, labels: { 'kubernetes.io/service-name': name } }, ports: [{ port }], endpoints: [{ addresses: ['127.0.0.1'] }] },
  };
}
