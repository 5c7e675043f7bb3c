package main

// A stand-in for "helm template": loads a chart's values the way Helm does (numbers as float64,
// user values coalesced over values.yaml) and renders every template with Go's text/template,
// sprig, and the Helm functions this chart uses (include, tpl, toYaml, fromYaml, required, fail,
// lookup), with the built-in objects .Values, .Release, .Chart, .Capabilities and .Template.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

// APIVersions mirrors Helm's .Capabilities.APIVersions (with its Has method).
type APIVersions []string

func (a APIVersions) Has(version string) bool {
	for _, v := range a {
		if v == version {
			return true
		}
	}
	return false
}

// Rendered is the output of one template file.
type Rendered struct {
	File string
	Text string
	Docs []map[string]interface{}
}

func readYAMLFile(path string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseValues(raw)
}

func parseValues(raw []byte) (map[string]interface{}, error) {
	var v interface{}
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := jsonLike(v).(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("values are not a mapping")
	}
	return m, nil
}

// jsonLike turns what yaml.v3 decodes into what Helm's YAML-via-JSON decoding yields: every number a float64.
func jsonLike(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, e := range x {
			x[k] = jsonLike(e)
		}
		return x
	case []interface{}:
		for i, e := range x {
			x[i] = jsonLike(e)
		}
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	default:
		return v
	}
}

// coalesce merges user values over defaults like Helm: maps merge recursively, a null deletes the key.
func coalesce(defaults, user map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range defaults {
		out[k] = deepCopy(v)
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		um, uok := v.(map[string]interface{})
		dm, dok := out[k].(map[string]interface{})
		if uok && dok {
			out[k] = coalesce(dm, um)
		} else {
			out[k] = deepCopy(v)
		}
	}
	return out
}

func deepCopy(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		m := map[string]interface{}{}
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}

func toYAML(v interface{}) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	enc.Close()
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// renderChart renders every file of chartDir/templates; files starting with "_" only define templates.
func renderChart(chartDir string, chart map[string]interface{}, values map[string]interface{},
	release map[string]interface{}, capabilities map[string]interface{}) ([]Rendered, error) {
	name := chart["Name"].(string)
	basePath := name + "/templates"
	var root *template.Template

	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["include"] = func(tname string, data interface{}) (string, error) {
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, tname, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return "", fmt.Errorf("tpl: %w", err)
		}
		return b.String(), nil
	}
	funcs["toYaml"] = func(v interface{}) string {
		s, err := toYAML(v)
		if err != nil {
			return ""
		}
		return s
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m, err := parseValues([]byte(s))
		if err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return m
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf("%s", msg) }
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}

	root = template.New("chart").Funcs(funcs).Option("missingkey=zero")
	entries, err := os.ReadDir(filepath.Join(chartDir, "templates"))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(chartDir, "templates", e.Name()))
		if err != nil {
			return nil, err
		}
		tname := basePath + "/" + e.Name()
		if _, err := root.New(tname).Parse(string(raw)); err != nil {
			return nil, fmt.Errorf("parse %s: %w", e.Name(), err)
		}
		files = append(files, e.Name())
	}
	sort.Strings(files)

	var out []Rendered
	for _, f := range files {
		if strings.HasPrefix(f, "_") {
			continue
		}
		tname := basePath + "/" + f
		data := map[string]interface{}{
			"Values":       values,
			"Release":      release,
			"Chart":        chart,
			"Capabilities": capabilities,
			"Template":     map[string]interface{}{"Name": tname, "BasePath": basePath},
		}
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, tname, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", f, err)
		}
		r := Rendered{File: f, Text: b.String()}
		if f != "NOTES.txt" {
			// Helm blanks "<no value>"; the checks look for it in Text first.
			docs, err := splitDocs(strings.ReplaceAll(r.Text, "<no value>", ""))
			if err != nil {
				return nil, fmt.Errorf("%s is not valid YAML: %w\n%s", f, err, numbered(r.Text))
			}
			r.Docs = docs
		}
		out = append(out, r)
	}
	return out, nil
}

func splitDocs(text string) ([]map[string]interface{}, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []map[string]interface{}
	for {
		var v interface{}
		err := dec.Decode(&v)
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, err
		}
		if v == nil {
			continue
		}
		m, ok := jsonLike(v).(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("a document is not a mapping")
		}
		docs = append(docs, m)
	}
	return docs, nil
}

func numbered(text string) string {
	var b strings.Builder
	for i, l := range strings.Split(text, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}
