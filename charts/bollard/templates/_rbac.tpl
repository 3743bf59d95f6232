{{/*
The namespaced permissions: what the informers list and watch (Ingresses, Services,
EndpointSlices, Secrets, Gateway API objects and the ConfigMaps their CA references name), the status the leader writes and the Events it records. Secret writes
only when ACME writes certificates into the Ingresses' TLS Secrets (acme.writeTlsSecrets).
*/}}
{{- define "bollard.namespacedRules" -}}
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [services, secrets]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways, httproutes, grpcroutes, referencegrants]
  verbs: [get, list, watch]
# Gateway API: CA bundles (ca.crt) that Gateways' frontend client-certificate validation names.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways/status, httproutes/status, grpcroutes/status]
  verbs: [update, patch]
{{- if and .Values.acme.enabled .Values.acme.writeTlsSecrets }}
- apiGroups: [""]
  resources: [secrets]
  verbs: [create, update, patch]
{{- end }}
{{- end -}}
