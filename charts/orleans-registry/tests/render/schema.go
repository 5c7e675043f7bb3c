package main

// A minimal JSON Schema (draft-07) validator: the keywords values.schema.json uses, and an error for any
// other keyword, so that the schema cannot silently rely on something this check ignores.

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

var knownKeywords = map[string]bool{
	"$schema": true, "$ref": true, "title": true, "description": true, "definitions": true, "default": true,
	"type": true, "properties": true, "additionalProperties": true, "required": true, "enum": true,
	"minimum": true, "maximum": true, "minLength": true, "maxLength": true, "pattern": true,
	"items": true, "minItems": true,
}

type validator struct {
	root   map[string]interface{}
	errors []string
}

func validateSchema(schema map[string]interface{}, value interface{}) []string {
	v := &validator{root: schema}
	v.check(schema, value, "values")
	return v.errors
}

func (v *validator) fail(path, format string, args ...interface{}) {
	v.errors = append(v.errors, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) resolve(ref string) map[string]interface{} {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var node interface{} = v.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := node.(map[string]interface{})
		if !ok {
			return nil
		}
		node = m[part]
	}
	m, _ := node.(map[string]interface{})
	return m
}

func typeOf(value interface{}) []string {
	switch x := value.(type) {
	case nil:
		return []string{"null"}
	case bool:
		return []string{"boolean"}
	case string:
		return []string{"string"}
	case float64:
		if x == math.Trunc(x) {
			return []string{"number", "integer"}
		}
		return []string{"number"}
	case []interface{}:
		return []string{"array"}
	case map[string]interface{}:
		return []string{"object"}
	}
	return []string{fmt.Sprintf("%T", value)}
}

func (v *validator) check(schema map[string]interface{}, value interface{}, path string) {
	for k := range schema {
		if !knownKeywords[k] {
			v.fail(path, "schema keyword %q is not supported by this check", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		target := v.resolve(ref)
		if target == nil {
			v.fail(path, "unresolvable $ref %s", ref)
			return
		}
		v.check(target, value, path)
		return
	}
	if t, ok := schema["type"]; ok {
		var allowed []string
		switch x := t.(type) {
		case string:
			allowed = []string{x}
		case []interface{}:
			for _, e := range x {
				allowed = append(allowed, e.(string))
			}
		}
		actual := typeOf(value)
		match := false
		for _, a := range allowed {
			for _, b := range actual {
				if a == b {
					match = true
				}
			}
		}
		if !match {
			v.fail(path, "is %s, want %s", actual[0], strings.Join(allowed, " or "))
			return
		}
	}
	if enum, ok := schema["enum"].([]interface{}); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(value) {
				found = true
			}
		}
		if !found {
			v.fail(path, "%v is not one of %v", value, enum)
		}
	}
	if n, ok := value.(float64); ok {
		if min, ok := schema["minimum"].(float64); ok && n < min {
			v.fail(path, "%v is less than %v", n, min)
		}
		if max, ok := schema["maximum"].(float64); ok && n > max {
			v.fail(path, "%v is more than %v", n, max)
		}
	}
	if s, ok := value.(string); ok {
		if min, ok := schema["minLength"].(float64); ok && float64(len([]rune(s))) < min {
			v.fail(path, "%q is shorter than %v", s, min)
		}
		if max, ok := schema["maxLength"].(float64); ok && float64(len([]rune(s))) > max {
			v.fail(path, "%q is longer than %v", s, max)
		}
		if p, ok := schema["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				v.fail(path, "bad pattern %q: %v", p, err)
			} else if !re.MatchString(s) {
				v.fail(path, "%q does not match %s", s, p)
			}
		}
	}
	if list, ok := value.([]interface{}); ok {
		if min, ok := schema["minItems"].(float64); ok && float64(len(list)) < min {
			v.fail(path, "has %d items, fewer than %v", len(list), min)
		}
		if items, ok := schema["items"].(map[string]interface{}); ok {
			for i, e := range list {
				v.check(items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	if obj, ok := value.(map[string]interface{}); ok {
		props, _ := schema["properties"].(map[string]interface{})
		if req, ok := schema["required"].([]interface{}); ok {
			for _, r := range req {
				if _, present := obj[r.(string)]; !present {
					v.fail(path, "required key %q is missing", r)
				}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := path + "." + k
			if ps, ok := props[k].(map[string]interface{}); ok {
				v.check(ps, obj[k], child)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(child, "is not allowed (no such key in the schema)")
				}
			case map[string]interface{}:
				v.check(ap, obj[k], child)
			}
		}
	}
}
