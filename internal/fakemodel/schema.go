package fakemodel

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
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

// path is a JSON-pointer-like location ("#", "#/messages/0/content"), kept as segments so that
// it costs nothing until an error message needs it as a string.
type path struct {
	n    int
	segs [6]pathSeg
}

// pathSeg is a member name, or an array index when key is "".
type pathSeg struct {
	key string
	idx int
}

func (p path) key(k string) path {
	p.segs[p.n] = pathSeg{key: k}
	p.n++
	return p
}

func (p path) index(i int) path {
	p.segs[p.n] = pathSeg{idx: i}
	p.n++
	return p
}

func (p path) String() string {
	s := "#"
	for _, seg := range p.segs[:p.n] {
		if seg.key != "" {
			s += "/" + seg.key
		} else {
			s += "/" + formatInt(int64(seg.idx))
		}
	}
	return s
}

// object is one JSON object node under validation, with its path.
type object struct {
	d    *doc
	n    int
	path path
}

func (o object) sub(key string) path { return o.path.key(key) }

// get returns the value node of member key.
func (o object) get(key string) (int, bool) { return o.d.member(o.n, key) }

func (o object) has(key string) bool {
	v, ok := o.get(key)
	return ok && o.d.nodes[v].kind != kindNull
}

// onlyKeys rejects members outside allowed, naming the first in sorted order, as Bedrock does
// for Anthropic bodies.
func (o object) onlyKeys(allowed ...string) error {
	d := o.d
	var extra []byte
	found := false
	for k := o.n + 1; k < d.nodes[o.n].next; k = d.nodes[k+1].next {
		key := d.strBytes(k)
		if containsBytes(allowed, key) {
			continue
		}
		if !found || bytes.Compare(key, extra) < 0 {
			extra, found = key, true
		}
	}
	if !found {
		return nil
	}
	return malformed(o.path.String(), "extraneous key ["+string(extra)+"] is not permitted")
}

// str returns member key decoded as a string (valid UTF-8; it may point into the body or the
// doc's arena, so it must not outlive the call).
func (o object) str(key string, required bool) ([]byte, bool, error) {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		if required {
			return nil, false, missing(o.path.String(), key)
		}
		return nil, false, nil
	}
	if o.d.nodes[v].kind != kindString {
		return nil, false, wrongType(o.sub(key), "String", o.d.raw(v))
	}
	return o.d.strBytes(v), true, nil
}

func (o object) integer(key string, required bool, lo, hi int64) (int64, bool, error) {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		if required {
			return 0, false, missing(o.path.String(), key)
		}
		return 0, false, nil
	}
	raw := o.d.raw(v)
	f, ok := parseNumber(o.d.nodes[v].kind, raw)
	if !ok || f != math.Trunc(f) {
		return 0, false, wrongType(o.sub(key), "Integer", raw)
	}
	if f < float64(lo) {
		return 0, false, malformed(o.sub(key).String(), strconv.FormatFloat(f, 'f', -1, 64)+" is not greater or equal to "+formatInt(lo))
	}
	if f > float64(hi) {
		return 0, false, malformed(o.sub(key).String(), strconv.FormatFloat(f, 'f', -1, 64)+" is not less or equal to "+formatInt(hi))
	}
	return int64(f), true, nil
}

func (o object) number(key string) error {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		return nil
	}
	if raw := o.d.raw(v); !isFloat64(o.d.nodes[v].kind, raw) {
		return wrongType(o.sub(key), "Number", raw)
	}
	return nil
}

// parseNumber is json.Unmarshal of a value into a float64: only numbers in float64 range.
func parseNumber(kind byte, raw []byte) (float64, bool) {
	if kind != kindNumber {
		return 0, false
	}
	digits := raw
	neg := digits[0] == '-'
	if neg {
		digits = digits[1:]
	}
	if len(digits) <= 15 {
		var n int64
		for _, c := range digits {
			if c < '0' || c > '9' {
				return parseFloat(raw)
			}
			n = n*10 + int64(c-'0')
		}
		f := float64(n) // exact: at most 15 digits
		if neg {
			f = -f
		}
		return f, true
	}
	return parseFloat(raw)
}

func parseFloat(raw []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

// isFloat64 reports whether json.Unmarshal would decode the value into a float64. A number
// literal fails only by overflowing, which needs an exponent or more than 300 digits.
func isFloat64(kind byte, raw []byte) bool {
	if kind != kindNumber {
		return false
	}
	if len(raw) <= 300 && !bytes.ContainsAny(raw, "eE") {
		return true
	}
	_, ok := parseFloat(raw)
	return ok
}

func (o object) boolean(key string, def bool) (bool, error) {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		return def, nil
	}
	switch o.d.nodes[v].kind {
	case kindTrue:
		return true, nil
	case kindFalse:
		return false, nil
	}
	return false, wrongType(o.sub(key), "Boolean", o.d.raw(v))
}

// array returns the node of member key, which must be an array.
func (o object) array(key string, required bool) (int, bool, error) {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		if required {
			return 0, false, missing(o.path.String(), key)
		}
		return 0, false, nil
	}
	if o.d.nodes[v].kind != kindArray {
		return 0, false, wrongType(o.sub(key), "JSONArray", o.d.raw(v))
	}
	return v, true, nil
}

// strings returns member key as a list of strings; a null item is the empty string, as
// json.Unmarshal leaves it. The list lives in the doc's scratch space.
func (o object) strings(key string, required bool) ([][]byte, bool, error) {
	a, ok, err := o.array(key, required)
	if err != nil || !ok {
		return nil, ok, err
	}
	d := o.d
	start := len(d.lists)
	for i, n := 0, d.firstChild(a); n >= 0; i, n = i+1, d.nextChild(a, n) {
		switch d.nodes[n].kind {
		case kindString:
			d.lists = append(d.lists, d.strBytes(n))
		case kindNull:
			d.lists = append(d.lists, nil)
		default:
			return nil, false, wrongType(o.sub(key).index(i), "String", d.raw(n))
		}
	}
	return d.lists[start:len(d.lists):len(d.lists)], true, nil
}

func (o object) obj(key string, required bool) (object, bool, error) {
	v, ok := o.get(key)
	if !ok || o.d.nodes[v].kind == kindNull {
		if required {
			return object{}, false, missing(o.path.String(), key)
		}
		return object{}, false, nil
	}
	return asObject(o.d, o.sub(key), v)
}

// asObject checks that node n is an object (not null).
func asObject(d *doc, p path, n int) (object, bool, error) {
	if d.nodes[n].kind != kindObject {
		return object{}, false, wrongType(p, "JSONObject", d.raw(n))
	}
	return object{d: d, n: n, path: p}, true, nil
}

func enum(o object, key string, value []byte, allowed ...string) error {
	if containsBytes(allowed, value) {
		return nil
	}
	return malformed(o.sub(key).String(), string(value)+" is not a valid enum value")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsBytes(list []string, s []byte) bool {
	for _, x := range list {
		if x == string(s) {
			return true
		}
	}
	return false
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
