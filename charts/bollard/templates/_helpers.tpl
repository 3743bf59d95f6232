{{/* Names, labels and the few derived values several templates share. */}}

{{- define "bollard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bollard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bollard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; pass (dict "ctx" $ "component" "controller"). */}}
{{- define "bollard.labels" -}}
helm.sh/chart: {{ include "bollard.chart" .ctx }}
{{ include "bollard.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: bollard
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "bollard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bollard.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bollard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bollard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bollard.electionId" -}}
{{- default (printf "%s-leader" (include "bollard.fullname" .)) .Values.controller.electionId -}}
{{- end -}}

{{/* The ACME directory URL: Let's Encrypt production or staging, or acme.customDirectoryUrl. */}}
{{- define "bollard.acmeDirectory" -}}
{{- $known := dict "production" "https://acme-v02.api.letsencrypt.org/directory" "staging" "https://acme-staging-v02.api.letsencrypt.org/directory" -}}
{{- ternary .Values.acme.customDirectoryUrl (get $known .Values.acme.directory) (eq .Values.acme.directory "custom") -}}
{{- end -}}

{{- define "bollard.issuerName" -}}
{{- default (include "bollard.fullname" .) .Values.acme.issuerName -}}
{{- end -}}

{{- define "bollard.image" -}}
{{- $img := .Values.controller.image -}}
{{- $tag := default .Chart.AppVersion $img.tag -}}
{{- if $img.digest -}}
{{- printf "%s:%s@%s" $img.repository $tag $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* "true" when the controller publishes the chart's Service in Ingress status. */}}
{{- define "bollard.publishService" -}}
{{- if and .Values.service.enabled (empty .Values.controller.publishStatusAddresses) -}}true{{- end -}}
{{- end -}}

{{/* The HTTPS port clients use, written in HTTP→HTTPS redirects (--https-redirect-port). */}}
{{- define "bollard.publicHttpsPort" -}}
{{- $c := .Values.controller -}}
{{- if $c.hostNetwork -}}{{ $c.containerPorts.https }}
{{- else if $c.hostPorts.enabled -}}{{ $c.hostPorts.https }}
{{- else -}}{{ .Values.service.ports.https }}
{{- end -}}
{{- end -}}

{{/* "true" when a container port is privileged (below 1024): only then NET_BIND_SERVICE. */}}
{{- define "bollard.privilegedPorts" -}}
{{- $p := .Values.controller.containerPorts -}}
{{- if or (lt (int $p.http) 1024) (lt (int $p.https) 1024) (lt (int $p.admin) 1024) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the chart uses etcd: ACME on, or global rate limit counts shared through it. */}}
{{- define "bollard.etcdUsed" -}}
{{- if or .Values.acme.enabled .Values.globalRateLimit.sharedThroughEtcd -}}true{{- end -}}
{{- end -}}

{{- define "bollard.etcdBundled" -}}
{{- if and (include "bollard.etcdUsed" .) (eq .Values.etcd.mode "bundled") -}}true{{- end -}}
{{- end -}}

{{- define "bollard.etcdFullname" -}}
{{- printf "%s-etcd" (include "bollard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bollard.etcdHeadless" -}}
{{- printf "%s-etcd-headless" (include "bollard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Comma-separated client URLs of the etcd Bollard uses. */}}
{{- define "bollard.etcdEndpoints" -}}
{{- if eq .Values.etcd.mode "external" -}}
{{- join "," .Values.etcd.external.endpoints -}}
{{- else -}}
{{- $scheme := ternary "https" "http" .Values.etcd.bundled.tls.client.enabled -}}
{{- $name := include "bollard.etcdFullname" . -}}
{{- $domain := printf "%s.%s.svc.%s" (include "bollard.etcdHeadless" .) .Release.Namespace .Values.clusterDomain -}}
{{- $urls := list -}}
{{- range $i := until (int .Values.etcd.bundled.replicas) -}}
{{- $urls = append $urls (printf "%s://%s-%d.%s:2379" $scheme $name $i $domain) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}
{{- end -}}

{{/* The namespaces that get a Role for the namespaced permissions; empty means cluster-wide. */}}
{{- define "bollard.scopedNamespaces" -}}
{{- join "," (uniq .Values.controller.watchNamespaces) -}}
{{- end -}}
