package fakemodel

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// jsonKind names the JSON type of raw the way Bedrock's schema errors do.
func jsonKind(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "JSONObject"
	case '[':
		return "JSONArray"
	case '"':
		return "String"
	case 't', 'f':
		return "Boolean"
	case 'n':
		return "Null"
	default:
		var n json.Number
		if json.Unmarshal(t, &n) == nil {
			if _, err := n.Int64(); err == nil {
				return "Integer"
			}
			return "BigDecimal"
		}
		return "invalid JSON"
	}
}

// object is one JSON object under validation, with its JSON-pointer-like path ("#", "#/messages/0").
type object struct {
	path string
	m    map[string]json.RawMessage
}

func (o object) sub(key string) string { return o.path + "/" + key }

func (o object) has(key string) bool {
	raw, ok := o.m[key]
	return ok && jsonKind(raw) != "Null"
}

// onlyKeys rejects members outside allowed, as Bedrock does for Anthropic bodies.
func (o object) onlyKeys(allowed ...string) error {
	var extra []string
	for k := range o.m {
		if !contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return malformed(o.path, "extraneous key ["+extra[0]+"] is not permitted")
}

func (o object) str(key string, required bool) (string, bool, error) {
	if !o.has(key) {
		if required {
			return "", false, missing(o.path, key)
		}
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(o.m[key], &s); err != nil {
		return "", false, wrongType(o.sub(key), "String", o.m[key])
	}
	return s, true, nil
}

func (o object) integer(key string, required bool, lo, hi int64) (int64, bool, error) {
	if !o.has(key) {
		if required {
			return 0, false, missing(o.path, key)
		}
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(o.m[key], &f); err != nil || f != math.Trunc(f) {
		return 0, false, wrongType(o.sub(key), "Integer", o.m[key])
	}
	if f < float64(lo) {
		return 0, false, malformed(o.sub(key), strconv.FormatFloat(f, 'f', -1, 64)+" is not greater or equal to "+formatInt(lo))
	}
	if f > float64(hi) {
		return 0, false, malformed(o.sub(key), strconv.FormatFloat(f, 'f', -1, 64)+" is not less or equal to "+formatInt(hi))
	}
	n := int64(f)
	return n, true, nil
}

func (o object) number(key string) error {
	if !o.has(key) {
		return nil
	}
	var f float64
	if err := json.Unmarshal(o.m[key], &f); err != nil {
		return wrongType(o.sub(key), "Number", o.m[key])
	}
	return nil
}

func (o object) boolean(key string, def bool) (bool, error) {
	if !o.has(key) {
		return def, nil
	}
	var b bool
	if err := json.Unmarshal(o.m[key], &b); err != nil {
		return false, wrongType(o.sub(key), "Boolean", o.m[key])
	}
	return b, nil
}

func (o object) array(key string, required bool) ([]json.RawMessage, bool, error) {
	if !o.has(key) {
		if required {
			return nil, false, missing(o.path, key)
		}
		return nil, false, nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(o.m[key], &a); err != nil {
		return nil, false, wrongType(o.sub(key), "JSONArray", o.m[key])
	}
	return a, true, nil
}

func (o object) strings(key string, required bool) ([]string, bool, error) {
	items, ok, err := o.array(key, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	out := make([]string, len(items))
	for i, raw := range items {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			return nil, false, wrongType(o.sub(key)+"/"+formatInt(int64(i)), "String", raw)
		}
	}
	return out, true, nil
}

func (o object) obj(key string, required bool) (object, bool, error) {
	if !o.has(key) {
		if required {
			return object{}, false, missing(o.path, key)
		}
		return object{}, false, nil
	}
	return asObject(o.sub(key), o.m[key])
}

func asObject(path string, raw json.RawMessage) (object, bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return object{}, false, wrongType(path, "JSONObject", raw)
	}
	return object{path: path, m: m}, true, nil
}

func enum(o object, key string, value string, allowed ...string) error {
	if contains(allowed, value) {
		return nil
	}
	return malformed(o.sub(key), value+" is not a valid enum value")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func itemPath(base string, i int) string { return base + "/" + formatInt(int64(i)) }

func joinText(parts []string) string { return strings.Join(parts, "\n") }
