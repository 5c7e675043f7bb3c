// Command render is the chart's test: it validates values files against values.schema.json, renders
// every template (see helm.go) with the default values and with tests/values-all.yaml, parses the
// YAML and checks kinds, names, selectors, probes, ports, the drain timing and the environment.
// It prints one line per failure and ends with "N passed, M failed".
//
//	go run . -chart ../..            (GOPATH mode, see ../run.sh)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
)

type tally struct{ passed, failed int }

func (t *tally) check(ok bool, format string, args ...interface{}) bool {
	if ok {
		t.passed++
	} else {
		t.failed++
		fmt.Printf("FAIL "+format+"\n", args...)
	}
	return ok
}

var t tally

func main() {
	chartDir := flag.String("chart", "../..", "chart directory")
	outDir := flag.String("out", "", "write the rendered manifests here (one folder per case)")
	flag.Parse()

	chartYAML, err := readYAMLFile(filepath.Join(*chartDir, "Chart.yaml"))
	must(err)
	chart := map[string]interface{}{
		"Name": chartYAML["name"], "Version": chartYAML["version"], "AppVersion": chartYAML["appVersion"],
		"Description": chartYAML["description"], "Type": chartYAML["type"], "KubeVersion": chartYAML["kubeVersion"],
		"APIVersion": chartYAML["apiVersion"],
	}
	defaults, err := readYAMLFile(filepath.Join(*chartDir, "values.yaml"))
	must(err)
	rawSchema, err := os.ReadFile(filepath.Join(*chartDir, "values.schema.json"))
	must(err)
	var schema map[string]interface{}
	must(json.Unmarshal(rawSchema, &schema))

	kube := "1.30.0"
	constraint, err := semver.NewConstraint(chartYAML["kubeVersion"].(string))
	must(err)
	t.check(constraint.Check(semver.MustParse(kube)), "Chart.yaml kubeVersion %v excludes the Kubernetes %s the test renders for", chartYAML["kubeVersion"], kube)
	release := map[string]interface{}{
		"Name": "reg", "Namespace": "registry", "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}
	baseAPIs := APIVersions{"v1", "apps/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
	withOperator := append(APIVersions{"monitoring.coreos.com/v1"}, baseAPIs...)
	caps := func(apis APIVersions) map[string]interface{} {
		return map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v" + kube, "GitVersion": "v" + kube, "Major": "1", "Minor": "30"},
			"APIVersions": apis,
		}
	}

	// The defaults and every option on: schema-valid, rendered, checked.
	cases := []struct {
		name   string
		file   string
		apis   APIVersions
		expect map[string]int
	}{
		{"defaults", "", baseAPIs, map[string]int{
			"ServiceAccount": 1, "ConfigMap": 1, "Deployment": 2, "Service": 2, "PodDisruptionBudget": 2}},
		{"values-all", "tests/values-all.yaml", withOperator, map[string]int{
			"ServiceAccount": 1, "ConfigMap": 1, "Deployment": 2, "Service": 2, "PodDisruptionBudget": 2,
			"Secret": 1, "HorizontalPodAutoscaler": 1, "Ingress": 1, "PersistentVolumeClaim": 1, "ServiceMonitor": 1}},
	}
	for _, c := range cases {
		user := map[string]interface{}{}
		if c.file != "" {
			user, err = readYAMLFile(filepath.Join(*chartDir, c.file))
			must(err)
			// The file on its own, too: Helm validates the coalesced values, but every key of an override file must exist.
			errs := validateSchema(schemaWithoutRequired(schema), user)
			t.check(len(errs) == 0, "[%s] the file itself does not fit values.schema.json: %s", c.name, strings.Join(errs, "; "))
		}
		values := coalesce(defaults, user)
		errs := validateSchema(schema, values)
		t.check(len(errs) == 0, "[%s] values do not validate against values.schema.json: %s", c.name, strings.Join(errs, "; "))
		out, err := renderChart(*chartDir, chart, values, release, caps(c.apis))
		if !t.check(err == nil, "[%s] render failed: %v", c.name, err) {
			continue
		}
		if *outDir != "" {
			dir := filepath.Join(*outDir, c.name)
			must(os.MkdirAll(dir, 0o755))
			for _, r := range out {
				must(os.WriteFile(filepath.Join(dir, r.File), []byte(r.Text), 0o644))
			}
		}
		checkRendered(c.name, out, values, c.expect)
	}

	// Values the schema must refuse.
	bad := []struct{ what, yaml string }{
		{"unknown top-level key", "replicaCount: 3"},
		{"unknown clustering provider", "cluster: {clustering: Consul}"},
		{"unknown blob storage provider", "cluster: {blobStorage: S3}"},
		{"negative silo replicas", "silo: {replicas: -1}"},
		{"port out of range", "silo: {ports: {silo: 70000}}"},
		{"replicas as a string", "silo: {replicas: \"3\"}"},
		{"fractional drain timeout", "drain: {timeoutSeconds: 1.5}"},
		{"bad TimeSpan", "registry: {uploadIdleTimeout: 24h}"},
		{"unknown auth mode", "auth: {mode: Basic}"},
		{"unknown key under edge", "edge: {replica: 2}"},
		{"bad service type", "edge: {service: {type: ExternalName}}"},
		{"ingress host without name", "ingress: {enabled: true, hosts: [{paths: [/]}]}"},
		{"OTLP endpoint without scheme", "telemetry: {otlpEndpoint: collector:4317}"},
	}
	for _, b := range bad {
		user, err := parseValues([]byte(b.yaml))
		must(err)
		errs := validateSchema(schema, coalesce(defaults, user))
		t.check(len(errs) > 0, "[schema] accepted %s (%s)", b.what, b.yaml)
	}

	// Combinations the templates must refuse with a message.
	refused := []struct{ what, yaml, message string }{
		{"Localhost clustering with 3 silos", "cluster: {clustering: Localhost}", "exactly one silo"},
		{"created Secret without the Redis connection string", "secrets: {create: true, azureBlob: x}", "secrets.redis is required"},
		{"Token auth without a signing key", "secrets: {create: true, redis: r, azureBlob: a}\nauth: {mode: Token}", "secrets.signingKey"},
		{"both an existing and a created Secret", "secrets: {create: true, existingSecret: mine, redis: r, azureBlob: a}", "exclude each other"},
		{"Ingress without hosts", "ingress: {enabled: true}", "ingress.hosts"},
		{"ServiceMonitor without the operator's API", "telemetry: {serviceMonitor: {enabled: true}}", "monitoring.coreos.com/v1"},
		{"shared data volume that is ReadWriteOnce", "silo: {persistence: {enabled: true}}", "ReadWriteMany"},
		{"the edge with Localhost clustering", "cluster: {clustering: Localhost}\nsilo: {replicas: 1}", "edge.enabled needs cluster.clustering Redis"},
	}
	for _, r := range refused {
		user, err := parseValues([]byte(r.yaml))
		must(err)
		values := coalesce(defaults, user)
		_, err = renderChart(*chartDir, chart, values, release, caps(baseAPIs))
		t.check(err != nil && strings.Contains(err.Error(), r.message),
			"[refuse] %s: want an error containing %q, got %v", r.what, r.message, err)
	}

	fmt.Printf("%d passed, %d failed\n", t.passed, t.failed)
	if t.failed > 0 {
		os.Exit(1)
	}
}

func must(err error) {
	if err != nil {
		fmt.Println("FAIL", err)
		fmt.Println("0 passed, 1 failed")
		os.Exit(1)
	}
}

// schemaWithoutRequired drops "required" everywhere: an override file lists only what it changes.
func schemaWithoutRequired(schema map[string]interface{}) map[string]interface{} {
	copy := deepCopyJSON(schema).(map[string]interface{})
	var strip func(v interface{})
	strip = func(v interface{}) {
		switch x := v.(type) {
		case map[string]interface{}:
			delete(x, "required")
			for _, e := range x {
				strip(e)
			}
		case []interface{}:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(copy)
	return copy
}

func deepCopyJSON(v interface{}) interface{} {
	raw, _ := json.Marshal(v)
	var out interface{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// ------------------------------------------------------------------ checks ---

type object = map[string]interface{}

func get(v interface{}, path ...string) interface{} {
	for _, p := range path {
		m, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v interface{}, path ...string) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v interface{}, path ...string) []interface{} {
	l, _ := get(v, path...).([]interface{})
	return l
}

func num(v interface{}, path ...string) (float64, bool) {
	f, ok := get(v, path...).(float64)
	return f, ok
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
var labelValue = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)

func timespan(seconds float64) string {
	s := int(seconds)
	return fmt.Sprintf("%d.%02d:%02d:%02d", s/86400, (s/3600)%24, (s/60)%60, s%60)
}

func checkRendered(name string, out []Rendered, values object, expect map[string]int) {
	var docs []object
	for _, r := range out {
		t.check(!strings.Contains(r.Text, "<no value>"), "[%s] %s prints <no value> (a values path that does not exist)", name, r.File)
		t.check(!strings.Contains(r.Text, "%!"), "[%s] %s has a printf error: %s", name, r.File, firstLineWith(r.Text, "%!"))
		t.check(!regexp.MustCompile(`\d\.\d+e\+\d+`).MatchString(r.Text), "[%s] %s prints a number in exponent form (a float64 value not converted with int)", name, r.File)
		docs = append(docs, r.Docs...)
	}

	kinds := map[string]int{}
	seen := map[string]bool{}
	byKind := map[string][]object{}
	for _, d := range docs {
		kind, nm := str(d, "kind"), str(d, "metadata", "name")
		t.check(str(d, "apiVersion") != "" && kind != "" && nm != "", "[%s] a document lacks apiVersion, kind or metadata.name: %v", name, d)
		kinds[kind]++
		byKind[kind] = append(byKind[kind], d)
		key := kind + "/" + nm
		t.check(!seen[key], "[%s] %s is rendered twice", name, key)
		seen[key] = true
		if kind == "Service" {
			t.check(len(nm) <= 63 && dnsLabel.MatchString(nm), "[%s] Service name %q is not a DNS label", name, nm)
		} else {
			t.check(len(nm) <= 253 && dnsSubdomain.MatchString(nm), "[%s] %s name %q is not a DNS subdomain", name, kind, nm)
		}
		for k, v := range asMap(get(d, "metadata", "labels")) {
			s := fmt.Sprint(v)
			t.check(len(s) <= 63 && labelValue.MatchString(s), "[%s] %s label %s=%q is not a valid label value", name, key, k, s)
		}
	}
	for kind, n := range expect {
		t.check(kinds[kind] == n, "[%s] want %d %s, got %d", name, n, kind, kinds[kind])
	}
	for kind, n := range kinds {
		_, expected := expect[kind]
		t.check(expected, "[%s] unexpected %d %s", name, n, kind)
	}

	drain := asMap(values["drain"])
	grace := drain["preStopSeconds"].(float64) + drain["delaySeconds"].(float64) + drain["timeoutSeconds"].(float64) + drain["stopMarginSeconds"].(float64)
	cluster := asMap(values["cluster"])
	secrets := asMap(values["secrets"])
	silo := asMap(values["silo"])
	autoscaling := asMap(silo["autoscaling"])

	configMaps := names(byKind["ConfigMap"])
	secretNames := names(byKind["Secret"])
	var siloDeploy, edgeDeploy object
	for _, d := range byKind["Deployment"] {
		component := str(d, "spec", "template", "metadata", "labels", "app.kubernetes.io/component")
		dn := str(d, "metadata", "name")
		podLabels := asMap(get(d, "spec", "template", "metadata", "labels"))
		for k, v := range asMap(get(d, "spec", "selector", "matchLabels")) {
			t.check(podLabels[k] == v, "[%s] Deployment %s selects %s=%v, which its pods do not carry", name, dn, k, v)
		}
		pod := get(d, "spec", "template", "spec")
		t.check(get(pod, "securityContext", "runAsNonRoot") == true, "[%s] Deployment %s pods may run as root", name, dn)
		g, _ := num(pod, "terminationGracePeriodSeconds")
		t.check(g == grace, "[%s] Deployment %s terminationGracePeriodSeconds %v, want preStop+delay+timeout+margin = %v", name, dn, g, grace)
		volumes := map[string]bool{}
		for _, v := range list(pod, "volumes") {
			volumes[str(v, "name")] = true
		}
		containers := list(pod, "containers")
		t.check(len(containers) == 1, "[%s] Deployment %s has %d containers", name, dn, len(containers))
		for _, c := range containers {
			checkContainer(name, dn, component, c, drain, cluster)
			for _, m := range list(c, "volumeMounts") {
				t.check(volumes[str(m, "name")], "[%s] Deployment %s mounts volume %q that does not exist", name, dn, str(m, "name"))
			}
			for _, e := range list(c, "env") {
				if ref := get(e, "valueFrom", "secretKeyRef"); ref != nil && secrets["create"] == true {
					t.check(secretNames[str(ref, "name")], "[%s] %s env %s reads Secret %q that the chart does not create", name, dn, str(e, "name"), str(ref, "name"))
				}
			}
			for _, e := range list(c, "envFrom") {
				if cm := str(e, "configMapRef", "name"); cm != "" {
					t.check(configMaps[cm], "[%s] %s envFrom ConfigMap %q is not rendered", name, dn, cm)
				}
			}
		}
		switch component {
		case "silo":
			siloDeploy = d
		case "edge":
			edgeDeploy = d
		}
	}

	if t.check(siloDeploy != nil, "[%s] no silo Deployment", name) {
		dn := str(siloDeploy, "metadata", "name")
		c := list(siloDeploy, "spec", "template", "spec", "containers")[0]
		env := envMap(c)
		ports := portMap(c)
		sp := asMap(silo["ports"])
		t.check(ports["http"] == sp["http"] && ports["silo"] == sp["silo"] && ports["gateway"] == sp["gateway"],
			"[%s] silo container ports %v, want http/silo/gateway %v", name, ports, sp)
		t.check(str(env["Registry__Silo__AdvertisedAddress"], "valueFrom", "fieldRef", "fieldPath") == "status.podIP",
			"[%s] silo does not advertise the pod IP (Registry__Silo__AdvertisedAddress from status.podIP)", name)
		cm := configMapData(byKind["ConfigMap"], str(list(c, "envFrom")[0], "configMapRef", "name"))
		t.check(cm["Registry__Silo__SiloPort"] == fmt.Sprint(sp["silo"]) && cm["Registry__Silo__GatewayPort"] == fmt.Sprint(sp["gateway"]),
			"[%s] configured silo/gateway ports %v/%v differ from the container ports %v", name, cm["Registry__Silo__SiloPort"], cm["Registry__Silo__GatewayPort"], sp)
		t.check(cm["Registry__Cluster__Clustering"] == cluster["clustering"] && cm["Registry__Cluster__BlobStorage"] == cluster["blobStorage"] &&
			cm["Registry__Cluster__GrainStorage"] == cluster["grainStorage"], "[%s] cluster providers in the ConfigMap %v differ from the values", name, cm)
		if cluster["clustering"] == "Redis" {
			ref := get(env["ConnectionStrings__Redis"], "valueFrom", "secretKeyRef")
			t.check(ref != nil && str(ref, "key") == secrets["redisKey"], "[%s] silo lacks ConnectionStrings__Redis from the Secret key %v", name, secrets["redisKey"])
		}
		if cluster["blobStorage"] == "AzureBlob" || cluster["grainStorage"] == "AzureBlob" {
			ref := get(env["ConnectionStrings__AzureBlob"], "valueFrom", "secretKeyRef")
			t.check(ref != nil && str(ref, "key") == secrets["azureBlobKey"], "[%s] silo lacks ConnectionStrings__AzureBlob from the Secret key %v", name, secrets["azureBlobKey"])
		}
		auth := asMap(values["auth"])
		if auth["mode"] != "None" {
			path := cm["Registry__Auth__SigningKeyPath"]
			mounted := false
			for _, m := range list(c, "volumeMounts") {
				if strings.HasPrefix(path, str(m, "mountPath")+"/") && str(m, "name") == "signing-key" {
					mounted = true
				}
			}
			t.check(mounted, "[%s] Registry__Auth__SigningKeyPath %q is not under the signing-key mount", name, path)
		}
		_, hasReplicas := num(siloDeploy, "spec", "replicas")
		t.check(hasReplicas != (autoscaling["enabled"] == true), "[%s] silo Deployment replicas set=%v with autoscaling=%v", name, hasReplicas, autoscaling["enabled"])
		t.check(str(siloDeploy, "spec", "template", "metadata", "annotations", "checksum/config") != "", "[%s] silo pods do not roll on config changes (checksum/config)", name)
		for _, h := range byKind["HorizontalPodAutoscaler"] {
			t.check(str(h, "spec", "scaleTargetRef", "name") == dn && str(h, "spec", "scaleTargetRef", "kind") == "Deployment",
				"[%s] HPA %s does not scale the silo Deployment", name, str(h, "metadata", "name"))
			min, _ := num(h, "spec", "minReplicas")
			max, _ := num(h, "spec", "maxReplicas")
			t.check(min >= 1 && max >= min, "[%s] HPA replicas %v..%v", name, min, max)
		}
	}
	if t.check(edgeDeploy != nil, "[%s] no edge Deployment", name) {
		c := list(edgeDeploy, "spec", "template", "spec", "containers")[0]
		env := envMap(c)
		if cluster["clustering"] == "Redis" {
			ref := get(env["ConnectionStrings__Redis"], "valueFrom", "secretKeyRef")
			t.check(ref != nil && str(ref, "key") == secrets["redisKey"], "[%s] edge lacks ConnectionStrings__Redis from the Secret key %v (it reads membership)", name, secrets["redisKey"])
			t.check(str(env["Edge__Clustering"], "value") == "Redis", "[%s] edge Edge__Clustering %q, want Redis", name, str(env["Edge__Clustering"], "value"))
		}
		// The edge serves no /metrics (it would proxy the path to a silo): no scrape annotations.
		t.check(str(edgeDeploy, "spec", "template", "metadata", "annotations", "prometheus.io/scrape") == "",
			"[%s] edge pods carry prometheus.io/scrape, but the edge serves no /metrics", name)
	}

	// Services, PDBs, Ingress and ServiceMonitor point at things that exist.
	deployments := byKind["Deployment"]
	services := map[string]object{}
	for _, s := range byKind["Service"] {
		sn := str(s, "metadata", "name")
		services[sn] = s
		selected := selectedPods(deployments, asMap(get(s, "spec", "selector")))
		if t.check(len(selected) > 0, "[%s] Service %s selects no pods", name, sn) {
			for _, p := range list(s, "spec", "ports") {
				target := str(p, "targetPort")
				for _, d := range selected {
					c := list(d, "spec", "template", "spec", "containers")[0]
					_, ok := portMap(c)[target]
					t.check(ok, "[%s] Service %s port %s targets %q, not a port of %s", name, sn, str(p, "name"), target, str(d, "metadata", "name"))
				}
			}
		}
	}
	for _, p := range byKind["PodDisruptionBudget"] {
		sel := asMap(get(p, "spec", "selector", "matchLabels"))
		t.check(len(selectedPods(deployments, sel)) == 1, "[%s] PDB %s selects %d Deployments' pods", name, str(p, "metadata", "name"), len(selectedPods(deployments, sel)))
	}
	for _, ing := range byKind["Ingress"] {
		for _, rule := range list(ing, "spec", "rules") {
			t.check(!strings.Contains(str(rule, "host"), "{{"), "[%s] Ingress host %q was not expanded by tpl", name, str(rule, "host"))
			for _, p := range list(rule, "http", "paths") {
				svc := str(p, "backend", "service", "name")
				port := str(p, "backend", "service", "port", "name")
				s, ok := services[svc]
				if t.check(ok, "[%s] Ingress routes to Service %q, which is not rendered", name, svc) {
					t.check(hasPortNamed(s, port), "[%s] Ingress routes to port %q that Service %s lacks", name, port, svc)
				}
			}
		}
	}
	// Only the silos serve /metrics: the ServiceMonitor must select the silo Service and nothing else.
	for _, sm := range byKind["ServiceMonitor"] {
		sel := asMap(get(sm, "spec", "selector", "matchLabels"))
		var scraped []string
		for sn, s := range services {
			if subset(sel, asMap(get(s, "metadata", "labels"))) {
				scraped = append(scraped, sn)
			}
		}
		ok := len(scraped) == 1 && str(services[scraped[0]], "metadata", "labels", "app.kubernetes.io/component") == "silo" &&
			hasPortNamed(services[scraped[0]], "http")
		t.check(ok, "[%s] ServiceMonitor selects Services %v, want the silo Service alone (port http)", name, scraped)
	}
}

func checkContainer(name, deployment, component string, c interface{}, drain object, cluster object) {
	for _, probe := range []struct{ key, path string }{{"readinessProbe", "/readyz"}, {"livenessProbe", "/healthz"}} {
		p := get(c, probe.key, "httpGet")
		t.check(p != nil && str(p, "path") == probe.path && str(p, "port") == "http",
			"[%s] %s %s is not GET %s on the http port: %v", name, deployment, probe.key, probe.path, p)
	}
	if sp := get(c, "startupProbe", "httpGet"); sp != nil {
		t.check(str(sp, "path") == "/healthz", "[%s] %s startupProbe path %q", name, deployment, str(sp, "path"))
	}
	_, hasHTTP := portMap(c)["http"]
	t.check(hasHTTP, "[%s] %s has no port named http", name, deployment)
	cmd := list(c, "lifecycle", "preStop", "exec", "command")
	t.check(len(cmd) == 2 && cmd[0] == "sleep" && cmd[1] == fmt.Sprint(drain["preStopSeconds"]),
		"[%s] %s preStop %v, want sleep %v", name, deployment, cmd, drain["preStopSeconds"])
	env := envMap(c)
	// The names each program reads: the silo Registry:Drain:* and Registry:Silo:*, the edge Edge:*
	// (src/OrleansRegistry.Edge/Hosting/EdgeOptions.cs), so that both join the same cluster.
	delayKey, timeoutKey, clusterKey, serviceKey := "Registry__Drain__Delay", "Registry__Drain__Timeout", "Registry__Silo__ClusterId", "Registry__Silo__ServiceId"
	if component == "edge" {
		delayKey, timeoutKey, clusterKey, serviceKey = "Edge__DrainDelay", "Edge__DrainTimeout", "Edge__ClusterId", "Edge__ServiceId"
		for n := range env {
			t.check(!strings.HasPrefix(n, "Registry__"), "[%s] %s sets %s, which the edge does not read", name, deployment, n)
		}
	}
	t.check(str(env[delayKey], "value") == timespan(drain["delaySeconds"].(float64)) &&
		str(env[timeoutKey], "value") == timespan(drain["timeoutSeconds"].(float64)),
		"[%s] %s drain env %s/%s %q/%q does not match drain.delaySeconds/timeoutSeconds", name, deployment, delayKey, timeoutKey,
		str(env[delayKey], "value"), str(env[timeoutKey], "value"))
	t.check(str(env[clusterKey], "value") == cluster["clusterId"] && str(env[serviceKey], "value") == cluster["serviceId"],
		"[%s] %s %s/%s env differ from cluster.clusterId/serviceId", name, deployment, clusterKey, serviceKey)
	t.check(get(c, "resources", "requests") != nil, "[%s] %s has no resource requests", name, deployment)
	t.check(get(c, "securityContext", "allowPrivilegeEscalation") == false, "[%s] %s allows privilege escalation", name, deployment)
	t.check(str(c, "image") != "" && !strings.HasSuffix(str(c, "image"), ":"), "[%s] %s image %q has no tag", name, deployment, str(c, "image"))
	seen := map[string]bool{}
	for _, e := range list(c, "env") {
		n := str(e, "name")
		t.check(!seen[n], "[%s] %s sets env %s twice", name, deployment, n)
		seen[n] = true
		if v, ok := get(e, "value").(string); !ok && get(e, "valueFrom") == nil {
			t.check(false, "[%s] %s env %s value is not a string: %v", name, deployment, n, v)
		}
	}
}

func asMap(v interface{}) object {
	m, _ := v.(map[string]interface{})
	return m
}

func names(docs []object) map[string]bool {
	out := map[string]bool{}
	for _, d := range docs {
		out[str(d, "metadata", "name")] = true
	}
	return out
}

func envMap(c interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for _, e := range list(c, "env") {
		out[str(e, "name")] = e
	}
	return out
}

func portMap(c interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for _, p := range list(c, "ports") {
		out[str(p, "name")] = get(p, "containerPort")
	}
	return out
}

func configMapData(cms []object, name string) map[string]string {
	out := map[string]string{}
	for _, cm := range cms {
		if str(cm, "metadata", "name") == name {
			for k, v := range asMap(cm["data"]) {
				s, ok := v.(string)
				if !ok {
					t.check(false, "ConfigMap %s key %s is not a string: %v", name, k, v)
				}
				out[k] = s
			}
		}
	}
	return out
}

func subset(sel, labels object) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func selectedPods(deployments []object, selector object) []object {
	var out []object
	for _, d := range deployments {
		if subset(selector, asMap(get(d, "spec", "template", "metadata", "labels"))) {
			out = append(out, d)
		}
	}
	return out
}

func hasPortNamed(service object, port string) bool {
	for _, p := range list(service, "spec", "ports") {
		if str(p, "name") == port {
			return true
		}
	}
	return false
}

func firstLineWith(text, needle string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

var _ = sort.Strings
