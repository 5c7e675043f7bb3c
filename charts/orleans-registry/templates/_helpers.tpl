{{/* Chart name, truncated to fit Kubernetes names. */}}
{{- define "orleans-registry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; leaves room for the "-silo" / "-edge" / "-secrets" suffixes. */}}
{{- define "orleans-registry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "orleans-registry.silo.fullname" -}}{{ include "orleans-registry.fullname" . }}-silo{{- end -}}
{{- define "orleans-registry.edge.fullname" -}}{{ include "orleans-registry.fullname" . }}-edge{{- end -}}

{{- define "orleans-registry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orleans-registry.labels" -}}
helm.sh/chart: {{ include "orleans-registry.chart" . }}
app.kubernetes.io/name: {{ include "orleans-registry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: orleans-registry
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "silo"). */}}
{{- define "orleans-registry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orleans-registry.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "orleans-registry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "orleans-registry.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "orleans-registry.secretName" -}}
{{- default (printf "%s-secrets" (include "orleans-registry.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "orleans-registry.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* A whole number of seconds as a .NET TimeSpan string, d.hh:mm:ss. */}}
{{- define "orleans-registry.timespan" -}}
{{- $s := int . -}}
{{- printf "%d.%02d:%02d:%02d" (div $s 86400) (mod (div $s 3600) 24) (mod (div $s 60) 60) (mod $s 60) -}}
{{- end -}}

{{/* Needs Redis: the Redis clustering provider. */}}
{{- define "orleans-registry.needsRedis" -}}
{{- if eq .Values.cluster.clustering "Redis" }}true{{ end -}}
{{- end -}}

{{/* Needs Azure Storage: blobs or grain state in Azure. */}}
{{- define "orleans-registry.needsAzure" -}}
{{- if or (eq .Values.cluster.blobStorage "AzureBlob") (eq .Values.cluster.grainStorage "AzureBlob") }}true{{ end -}}
{{- end -}}

{{/* Seconds Kubernetes waits after preStop starts before SIGKILL: the whole drain plus the silo's exit. */}}
{{- define "orleans-registry.terminationGrace" -}}
{{- $d := .Values.drain -}}
{{- add (int $d.preStopSeconds) (int $d.delaySeconds) (int $d.timeoutSeconds) (int $d.stopMarginSeconds) -}}
{{- end -}}

{{/* Fails the render on combinations the schema cannot express. */}}
{{- define "orleans-registry.validate" -}}
{{- if and (eq .Values.cluster.clustering "Localhost") (or (gt (int .Values.silo.replicas) 1) .Values.silo.autoscaling.enabled) -}}
{{- fail "cluster.clustering Localhost runs exactly one silo: set silo.replicas to 1 and silo.autoscaling.enabled to false, or use Redis" -}}
{{- end -}}
{{- if and .Values.edge.enabled (ne .Values.cluster.clustering "Redis") -}}
{{- fail "edge.enabled needs cluster.clustering Redis: the edge finds the silos in the Redis membership table (its Localhost mode reaches only a silo in its own pod); set edge.enabled to false with Localhost" -}}
{{- end -}}
{{- if and .Values.secrets.create .Values.secrets.existingSecret -}}
{{- fail "secrets.create and secrets.existingSecret exclude each other" -}}
{{- end -}}
{{- $p := .Values.silo.persistence -}}
{{- if and $p.enabled (not (has "ReadWriteMany" $p.accessModes)) (or (gt (int .Values.silo.replicas) 1) .Values.silo.autoscaling.enabled) -}}
{{- fail "silo.persistence with more than one silo needs a ReadWriteMany volume (every silo mounts the same claim)" -}}
{{- end -}}
{{- if and .Values.silo.autoscaling.enabled (lt (int .Values.silo.autoscaling.maxReplicas) (int .Values.silo.autoscaling.minReplicas)) -}}
{{- fail "silo.autoscaling.maxReplicas must be at least minReplicas" -}}
{{- end -}}
{{- end -}}

{{/* ConnectionStrings__Redis from the Secret: the silos keep membership there and the edge reads it. */}}
{{- define "orleans-registry.redisEnv" -}}
{{- if include "orleans-registry.needsRedis" . }}
- name: ConnectionStrings__Redis
  valueFrom:
    secretKeyRef:
      name: {{ include "orleans-registry.secretName" . }}
      key: {{ .Values.secrets.redisKey }}
{{- end }}
{{- end -}}

{{/* Environment of the silos (Registry:*, read by src/OrleansRegistry.Server): cluster identity, drain, telemetry, logs, Redis. */}}
{{- define "orleans-registry.siloEnv" -}}
- name: Registry__Silo__ClusterId
  value: {{ .Values.cluster.clusterId | quote }}
- name: Registry__Silo__ServiceId
  value: {{ .Values.cluster.serviceId | quote }}
- name: Registry__Drain__Delay
  value: {{ include "orleans-registry.timespan" .Values.drain.delaySeconds | quote }}
- name: Registry__Drain__Timeout
  value: {{ include "orleans-registry.timespan" .Values.drain.timeoutSeconds | quote }}
- name: Registry__Telemetry__Metrics
  value: {{ .Values.telemetry.metrics | quote }}
{{- with .Values.telemetry.otlpEndpoint }}
- name: Registry__Telemetry__OtlpEndpoint
  value: {{ . | quote }}
- name: Registry__Telemetry__OtlpProtocol
  value: {{ $.Values.telemetry.otlpProtocol | quote }}
{{- end }}
- name: Registry__Logging__Json
  value: {{ .Values.telemetry.jsonLogs | quote }}
{{- include "orleans-registry.redisEnv" . }}
{{- end -}}

{{/* Environment of the edge (Edge:*, read by src/OrleansRegistry.Edge, which reads no Registry:* key):
     the silos' cluster (same ClusterId, ServiceId and Redis) and the drain, from the same values. */}}
{{- define "orleans-registry.edgeEnv" -}}
- name: Edge__Clustering
  value: "Redis"
- name: Edge__ClusterId
  value: {{ .Values.cluster.clusterId | quote }}
- name: Edge__ServiceId
  value: {{ .Values.cluster.serviceId | quote }}
- name: Edge__DrainDelay
  value: {{ include "orleans-registry.timespan" .Values.drain.delaySeconds | quote }}
- name: Edge__DrainTimeout
  value: {{ include "orleans-registry.timespan" .Values.drain.timeoutSeconds | quote }}
{{- include "orleans-registry.redisEnv" . }}
{{- end -}}

{{- define "orleans-registry.probes" -}}
{{- $p := .probes -}}
{{- with $p.startup }}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ .periodSeconds }}
  failureThreshold: {{ .failureThreshold }}
{{- end }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
{{- end -}}

{{- define "orleans-registry.preStop" -}}
lifecycle:
  preStop:
    exec:
      command: ["sleep", "{{ int .Values.drain.preStopSeconds }}"]
{{- end -}}
