{{/*
Checks values.schema.json cannot express: they depend on the release, not only on values.
Every message names the values to change.
*/}}
{{- define "bollard.validate" -}}
{{- $c := .Values.controller -}}
{{- /* Not Chart.yaml's kubeVersion: an API server built from source without version stamping reports
  v0.0.0-master+$Format:%H$, which is not semver; only a real release version is checked. */ -}}
{{- $kube := .Capabilities.KubeVersion -}}
{{- if and (regexMatch "^v?[1-9][0-9]*\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]*)?$" $kube.Version) (semverCompare "<1.30.0-0" $kube.Version) -}}
{{- fail (printf "Bollard's chart needs Kubernetes 1.30 or newer (preStop sleep, ValidatingAdmissionPolicy); this cluster is %s" $kube.Version) -}}
{{- end -}}
{{- if and $c.watchNamespaces $c.watchNamespaceSelector -}}
{{- fail "controller.watchNamespaces and controller.watchNamespaceSelector cannot be combined (--watch-namespaces, --watch-namespace-selector): set one of them" -}}
{{- end -}}
{{- if and $c.watchNamespaces (include "bollard.publishService" .) (not (has .Release.Namespace $c.watchNamespaces)) -}}
{{- fail (printf "controller.watchNamespaces does not include the release namespace %q, so the controller cannot see its own Service to publish it in Ingress status: add %q to controller.watchNamespaces, or set controller.publishStatusAddresses, or service.enabled=false" .Release.Namespace .Release.Namespace) -}}
{{- end -}}
{{- if and .Values.gatewayApi.infrastructureServices (not .Values.service.enabled) -}}
{{- fail "gatewayApi.infrastructureServices needs service.enabled: the Gateways' ExternalName Services point at the chart's Service" -}}
{{- end -}}
{{- $a := $c.autoscaling -}}
{{- if and (eq $c.kind "Deployment") $a.enabled -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail (printf "controller.autoscaling.minReplicas (%d) is greater than controller.autoscaling.maxReplicas (%d)" (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- end -}}
{{- if and (eq (int $a.targetCPUUtilizationPercentage) 0) (not $a.requestsPerSecond.enabled) -}}
{{- fail "controller.autoscaling.enabled needs a metric: set controller.autoscaling.targetCPUUtilizationPercentage above 0 or enable controller.autoscaling.requestsPerSecond" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled needs metrics.service.enabled: the ServiceMonitor scrapes that Service" -}}
{{- end -}}
{{- end -}}
