package fakemodel

import (
	"bytes"
	"slices"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A request body is parsed once into a doc: a flat list of nodes, one per JSON value (object
// members as a key node followed by a value node), each pointing at its bytes in the body. The
// families read it through object (schema.go) without decoding anything twice. The parser
// accepts exactly what encoding/json accepts, and strings decode exactly as json.Unmarshal
// decodes them, so schema errors and outputs are those of decoding with encoding/json
// (equivalence_test.go checks this).

// Node kinds: the first byte of the value, '0' for numbers.
const (
	kindObject byte = '{'
	kindArray  byte = '['
	kindString byte = '"'
	kindNumber byte = '0'
	kindTrue   byte = 't'
	kindFalse  byte = 'f'
	kindNull   byte = 'n'
)

// String node flags.
const (
	strEscaped byte = 1 << iota // holds a backslash escape
	strHTML                     // holds <, >, & or raw U+2028/U+2029, which json.Marshal escapes
)

// maxNestingDepth is encoding/json's limit on nested objects and arrays.
const maxNestingDepth = 10000

type node struct {
	start, end int // the value's bytes in doc.body
	next       int // index of the first node after this value's subtree
	kind       byte
	flags      byte
}

// doc is one parsed body plus the scratch space of one call; docs are pooled, so nothing that
// points into one may outlive the call.
type doc struct {
	body  []byte
	nodes []node
	// plain is false when the body has white space inside the object or a string holding a
	// byte json.Marshal would escape: its values then need compacting before bodyID hashes them.
	plain  bool
	arena  []byte   // unescaped strings
	lists  [][]byte // string lists (stop sequences, texts)
	pieces [][]byte // prompt text pieces
	joined []byte   // the prompt pieces joined
	text   []byte   // the generated reply
	snip   []byte   // the echoed snippet
	turn   []byte   // the last user turn of a chat-template prompt
	vec    []float32
	keys   []keyEntry
	out    []byte
	tmp    []byte
}

// keyEntry is one object member by its decoded name and key node.
type keyEntry struct {
	name []byte
	k    int
}

var docPool = sync.Pool{New: func() any { return new(doc) }}

func getDoc() *doc { return docPool.Get().(*doc) }

// release returns d to the pool; buffers that grew unusually large are dropped with it.
func (d *doc) release() {
	const keep = 1 << 20
	if cap(d.arena) > keep || cap(d.out) > keep || cap(d.tmp) > keep || cap(d.joined) > keep || cap(d.nodes) > keep/32 {
		return
	}
	d.body = nil
	clear(d.lists[:cap(d.lists)])
	clear(d.pieces[:cap(d.pieces)])
	clear(d.keys[:cap(d.keys)])
	docPool.Put(d)
}

// parse reads body as json.Decoder.Decode reads one value into a map, followed by
// Decoder.More: the first value must be an object, and whatever follows it may only be white
// space, or start with ']' or '}'. Anything else is a schema error on "#".
func (d *doc) parse(body []byte) error {
	d.body, d.plain = body, true
	d.nodes, d.arena, d.lists, d.pieces = d.nodes[:0], d.arena[:0], d.lists[:0], d.pieces[:0]
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return malformed("#", "expected type: JSONObject, found: "+jsonKind(body))
	}
	end, ok := d.value(i, 0)
	if !ok {
		return malformed("#", "expected type: JSONObject, found: "+jsonKind(body))
	}
	if j := skipSpace(body, end); j < len(body) && body[j] != ']' && body[j] != '}' {
		return malformed("#", "extraneous content after the JSON object")
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// space skips white space inside the object, noting that the body is not compact.
func (d *doc) space(i int) int {
	if i < len(d.body) && isSpace(d.body[i]) {
		d.plain = false
		i = skipSpace(d.body, i)
	}
	return i
}

// value parses the value starting at i, nested in depth containers, and returns its end.
func (d *doc) value(i, depth int) (int, bool) {
	b := d.body
	if i >= len(b) {
		return i, false
	}
	n := len(d.nodes)
	d.nodes = append(d.nodes, node{start: i})
	var kind byte
	switch c := b[i]; {
	case c == '{':
		if depth >= maxNestingDepth {
			return i, false
		}
		kind = kindObject
		i = d.space(i + 1)
		if i < len(b) && b[i] == '}' {
			i++
			break
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			var ok bool
			if i, ok = d.str(i); !ok {
				return i, false
			}
			i = d.space(i)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			if i, ok = d.value(d.space(i+1), depth+1); !ok {
				return i, false
			}
			i = d.space(i)
			if i < len(b) && b[i] == ',' {
				i = d.space(i + 1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return i, false
		}
	case c == '[':
		if depth >= maxNestingDepth {
			return i, false
		}
		kind = kindArray
		i = d.space(i + 1)
		if i < len(b) && b[i] == ']' {
			i++
			break
		}
		for {
			var ok bool
			if i, ok = d.value(i, depth+1); !ok {
				return i, false
			}
			i = d.space(i)
			if i < len(b) && b[i] == ',' {
				i = d.space(i + 1)
				continue
			}
			if i < len(b) && b[i] == ']' {
				i++
				break
			}
			return i, false
		}
	case c == '"':
		d.nodes = d.nodes[:n]
		return d.str(i)
	case c == '-' || c >= '0' && c <= '9':
		kind = kindNumber
		var ok bool
		if i, ok = scanNumber(b, i); !ok {
			return i, false
		}
	case c == 't':
		kind = kindTrue
		if !bytes.HasPrefix(b[i:], []byte("true")) {
			return i, false
		}
		i += 4
	case c == 'f':
		kind = kindFalse
		if !bytes.HasPrefix(b[i:], []byte("false")) {
			return i, false
		}
		i += 5
	case c == 'n':
		kind = kindNull
		if !bytes.HasPrefix(b[i:], []byte("null")) {
			return i, false
		}
		i += 4
	default:
		return i, false
	}
	d.nodes[n].end, d.nodes[n].next, d.nodes[n].kind = i, len(d.nodes), kind
	return i, true
}

// scanNumber matches -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at i.
func scanNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// strQuiet marks the bytes a string scan passes over without a second look: all but '"',
// '\\', control characters, '<', '>', '&', and 0xE2 (which starts U+2028 and U+2029).
var strQuiet = func() (t [256]bool) {
	for c := 0x20; c < 0x100; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c != 0xE2
	}
	return t
}()

// str parses the string starting at i (b[i] == '"') into a string node.
func (d *doc) str(i int) (int, bool) {
	b := d.body
	var flags byte
	j := i + 1
	for {
		for j < len(b) && strQuiet[b[j]] {
			j++
		}
		if j >= len(b) {
			return j, false
		}
		switch c := b[j]; {
		case c == '"':
			j++
			d.nodes = append(d.nodes, node{start: i, end: j, next: len(d.nodes) + 1, kind: kindString, flags: flags})
			if flags&strHTML != 0 {
				d.plain = false
			}
			return j, true
		case c == '\\':
			flags |= strEscaped
			j++
			if j >= len(b) {
				return j, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return j, false
				}
				j += 5
			default:
				return j, false
			}
		case c < 0x20:
			return j, false
		case c == 0xE2:
			if j+2 < len(b) && b[j+1] == 0x80 && b[j+2]&^1 == 0xA8 {
				flags |= strHTML
			}
			j++
		default: // '<', '>', '&'
			flags |= strHTML
			j++
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// raw is the node's bytes, as json.RawMessage holds them.
func (d *doc) raw(n int) []byte { return d.body[d.nodes[n].start:d.nodes[n].end] }

// strBytes decodes string node n as json.Unmarshal into a string does (invalid UTF-8 and lone
// surrogates become U+FFFD). The result may point into the body or the doc's arena.
func (d *doc) strBytes(n int) []byte {
	nd := d.nodes[n]
	s := d.body[nd.start+1 : nd.end-1]
	if nd.flags&strEscaped == 0 && utf8.Valid(s) {
		return s
	}
	start := len(d.arena)
	d.arena = appendUnquoted(d.arena, s)
	return d.arena[start:len(d.arena):len(d.arena)]
}

// appendUnquoted appends the decoded contents of a valid JSON string literal (without quotes),
// following encoding/json's unquoteBytes.
func appendUnquoted(dst, s []byte) []byte {
	valid := utf8.Valid(s) // escapes are ASCII, so then every run between them is valid too
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[r])
			}
			r++
		default:
			j := bytes.IndexByte(s[r:], '\\')
			if j < 0 {
				j = len(s)
			} else {
				j += r
			}
			if valid {
				dst = append(dst, s[r:j]...)
			} else {
				dst = appendValidUTF8(dst, s[r:j])
			}
			r = j
		}
	}
	return dst
}

// appendValidUTF8 appends s with each byte that is not part of a valid UTF-8 sequence replaced
// by U+FFFD.
func appendValidUTF8(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		rr, size := utf8.DecodeRune(s[i:])
		if rr == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, rr)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// keyIs reports whether key node k decodes to key, which must be valid UTF-8 without U+FFFD
// (so an unescaped name equals it exactly when its bytes do).
func (d *doc) keyIs(k int, key string) bool {
	if nd := d.nodes[k]; nd.flags&strEscaped == 0 {
		return string(d.body[nd.start+1:nd.end-1]) == key
	}
	return string(d.strBytes(k)) == key
}

// member returns the value node of the last member of object node o named key, as a
// map[string]json.RawMessage keeps the last of duplicate keys.
func (d *doc) member(o int, key string) (int, bool) {
	found := -1
	for k := o + 1; k < d.nodes[o].next; k = d.nodes[k+1].next {
		if d.keyIs(k, key) {
			found = k + 1
		}
	}
	return found, found >= 0
}

// firstChild and nextChild walk the elements of array node a (or the keys of an object):
// for n := d.firstChild(a); n >= 0; n = d.nextChild(a, n).
func (d *doc) firstChild(a int) int {
	if a+1 < d.nodes[a].next {
		return a + 1
	}
	return -1
}

func (d *doc) nextChild(a, n int) int {
	if next := d.nodes[n].next; next < d.nodes[a].next {
		return next
	}
	return -1
}

// sortedKeys returns the key nodes of object node o sorted by decoded name, keeping the last of
// duplicate names, as json.Marshal orders a map[string]json.RawMessage decoded from it.
func (d *doc) sortedKeys(o int) []keyEntry {
	keys := d.keys[:0]
	for k := o + 1; k < d.nodes[o].next; k = d.nodes[k+1].next {
		keys = append(keys, keyEntry{name: d.strBytes(k), k: k})
	}
	slices.SortStableFunc(keys, func(a, b keyEntry) int { return bytes.Compare(a.name, b.name) })
	out := keys[:0]
	for i, e := range keys {
		if i+1 < len(keys) && bytes.Equal(keys[i+1].name, e.name) {
			continue
		}
		out = append(out, e)
	}
	d.keys = keys
	return out
}
