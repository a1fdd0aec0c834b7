package fakemodel

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fast paths of this package replace encoding/json, strconv and regexp calls; these tests
// hold them to the calls they replace.

var allFloats = flag.Bool("allfloats", false, "check appendFloat32 against strconv for every float32 in its fast range (slow)")

// jsonDecodeObject is how bodies were decoded before doc.parse: one value into a map, then More.
func jsonDecodeObject(body []byte) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return nil, false
	}
	return obj, true
}

// FuzzParse checks doc.parse against encoding/json: the same bodies accepted, the same members
// (the last of duplicate names), every string decoded as json.Unmarshal decodes it, and the
// canonical form equal to json.Marshal of the decoded map.
func FuzzParse(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(tc.body)
	}
	for _, s := range []string{
		`{"a":1,"a":2}`, `{"\u0061":"\ud83d\ude00\ud800x\u2028<&>","b":[ 1 , {"c" : null} ]}`, "{\"a\":\"\xff\xfe\"}",
		`{"a":1} }`, `{"a":1}]`, `{"a":1} x`, `{"a":01}`, `{"a":-0.5e+3}`, `{"a":tru}`, `[1]`, `null`, ``, `{"a":"\'"}`,
		"{\"k\xe2\x80\xa8\":\"v\xe2\x80\xa9\"}", `{"b":1,"a":{"z":1,"y":2},"c":"\/"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		want, ok := jsonDecodeObject([]byte(body))
		d := getDoc()
		defer d.release()
		err := d.parse([]byte(body))
		if (err == nil) != ok {
			t.Fatalf("parse(%q) = %v, encoding/json accepts: %v", body, err, ok)
		}
		if !ok {
			return
		}
		root := object{d: d, n: 0}
		got := map[string]string{}
		for _, e := range d.sortedKeys(0) {
			got[string(e.name)] = string(d.raw(e.k + 1))
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json %d", body, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != string(v) {
				t.Fatalf("%q: member %q = %q, encoding/json %q", body, k, got[k], v)
			}
			if strings.ContainsRune(k, utf8.RuneError) {
				continue // get takes only names without U+FFFD (see keyIs)
			}
			if n, found := root.get(k); !found || string(d.raw(n)) != string(v) {
				t.Fatalf("%q: get(%q) misses the member", body, k)
			}
		}
		for n := range d.nodes {
			if d.nodes[n].kind != kindString {
				continue
			}
			var s string
			if err := json.Unmarshal(d.raw(n), &s); err != nil {
				t.Fatalf("%q: string node %q: %v", body, d.raw(n), err)
			}
			if got := d.strBytes(n); string(got) != s {
				t.Fatalf("%q: strBytes(%q) = %q, json.Unmarshal %q", body, d.raw(n), got, s)
			}
		}
		canon, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCanonical(nil, root); !bytes.Equal(got, canon) {
			t.Fatalf("%q: canonical %s, json.Marshal %s", body, got, canon)
		}
	})
}

// FuzzAppendString checks appendString against json.Marshal of a string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&</a>", "\x00\x1f\b\f\n\r\t\\", "\xff\xe2\x80\xa8\u2029é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	})
}

// TestAppendFloat32 checks appendFloat32 against json.Marshal of a float32: every float32 in
// the fast range with -allfloats, else a stride through it, powers of two and random values.
func TestAppendFloat32(t *testing.T) {
	check := func(f float32) {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat32(nil, f); !bytes.Equal(got, want) {
			t.Fatalf("appendFloat32(%v) (bits %08x) = %s, json.Marshal %s", f, math.Float32bits(f), got, want)
		}
	}
	lo, hi := math.Float32bits(0.9e-6), math.Float32bits(1.5)
	stride := uint32(9973)
	if *allFloats {
		stride = 1
	}
	var buf []byte
	for b := lo; b < hi; b += stride {
		f := math.Float32frombits(b)
		buf = appendFloat32(buf[:0], f)
		if want := strconv.AppendFloat(nil, float64(f), 'f', -1, 32); f >= 1e-6 && !bytes.Equal(buf, want) {
			t.Fatalf("appendFloat32(%v) (bits %08x) = %s, strconv %s", f, b, buf, want)
		}
	}
	for e := -30; e <= 2; e++ {
		p := float32(math.Ldexp(1, e))
		for _, f := range []float32{p, -p, math.Nextafter32(p, 0), math.Nextafter32(p, 2)} {
			check(f)
		}
	}
	for _, f := range []float32{0, 1e-6, math.Nextafter32(1e-6, 0), 1e-7, 1, -1, 3e21, 0.5, 0.1, 0.000244140625} {
		check(f)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		check(float32(r.Float64()*2 - 1))
	}
}

// TestRuneCount checks runeCount against utf8.RuneCount on valid UTF-8.
func TestRuneCount(t *testing.T) {
	for _, s := range []string{"", "a", "abcdefgh", "abcdefghi", "é", "€42 東京 😀 naïve", strings.Repeat("Привет😀", 9)} {
		for i := range len(s) + 1 {
			if p := s[:i]; utf8.ValidString(p) && runeCount([]byte(p)) != utf8.RuneCountInString(p) {
				t.Errorf("runeCount(%q) = %d, want %d", p, runeCount([]byte(p)), utf8.RuneCountInString(p))
			}
		}
	}
}

// snippet is appendSnippet of one text, for FuzzSnippet.
func snippet(s string) string {
	return string(appendSnippet(nil, [][]byte{[]byte(s)}))
}

// Regular expressions that define the last user turn of a chat-template prompt.
var (
	llamaUserTurn   = regexp.MustCompile(`(?s)<\|start_header_id\|>user<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)`)
	mistralUserTurn = regexp.MustCompile(`(?s)\[INST\](.*?)(?:\[/INST\]|$)`)
	templateToken   = regexp.MustCompile(`<\|[^|]*\|>|\[/?INST\]|</?s>`)
)

func regexpLastUserTurn(prompt string) string {
	for _, re := range []*regexp.Regexp{llamaUserTurn, mistralUserTurn} {
		if all := re.FindAllStringSubmatch(prompt, -1); len(all) > 0 {
			return strings.TrimSpace(templateToken.ReplaceAllString(all[len(all)-1][1], " "))
		}
	}
	return strings.TrimSpace(templateToken.ReplaceAllString(prompt, " "))
}

// FuzzLastUserTurn checks lastUserTurn against its regular-expression definition.
func FuzzLastUserTurn(f *testing.F) {
	for _, s := range []string{
		"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
		"<|start_header_id|>user<|end_header_id|>a<|start_header_id|>user<|end_header_id|>b<|eot_id|>c",
		"<s>[INST] a [/INST] b</s>[INST] c [INST] d", "<|> <||> <|a|b|> <s></s> [/INST] <|x", "plain text", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prompt string) {
		if !utf8.ValidString(prompt) {
			return // prompts are decoded JSON strings
		}
		d := getDoc()
		defer d.release()
		if got, want := string(d.lastUserTurn([]byte(prompt))), regexpLastUserTurn(prompt); got != want {
			t.Fatalf("lastUserTurn(%q) = %q, want %q", prompt, got, want)
		}
	})
}
