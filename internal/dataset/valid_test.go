package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{}`, true},
		{` [1, -0, 0.5, 1e9, -1.5E-3, true, false, null, "x"] `, true},
		{`"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"`, true},
		{`"\ud800"`, true}, // a lone surrogate escape is valid RFC 8259 syntax
		{`"é😀"`, true},
		{`{"a":{"b":[{}]}}`, true},
		{``, false},
		{`01`, false},
		{`1.`, false},
		{`.5`, false},
		{`1e`, false},
		{`+1`, false},
		{`-`, false},
		{`[1,]`, false},
		{`{"a":1,}`, false},
		{`{"a" 1}`, false},
		{`{1:1}`, false},
		{`"\x"`, false},
		{`"\u12"`, false},
		{"\"a\tb\"", false},
		{"\"\xff\"", false},
		{"\"\xed\xa0\x80\"", false}, // a surrogate encoded in UTF-8 is not valid UTF-8
		{`tru`, false},
		{`nul`, false},
		{`{} {}`, false},
		{`[`, false},
		{strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), true},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false},
	}
	for _, tc := range tests {
		name := tc.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			if got := Valid([]byte(tc.in)); got != tc.want {
				t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
			}
			if ref := json.Valid([]byte(tc.in)) && utf8.ValidString(tc.in); ref != tc.want {
				t.Errorf("reference disagrees with the table for %q: %v", tc.in, ref)
			}
		})
	}
}

// TestValidUTF8Edges runs every multi-byte lead byte (and a few others) followed by bytes at
// the UTF-8 class edges through Valid, at two offsets within the string scanner's eight-byte
// blocks, against the reference.
func TestValidUTF8Edges(t *testing.T) {
	edges := []byte{0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0}
	leads := []byte{0x00, '"', '\\', 'A', 0x7F, 0x80, 0xBF}
	for c := 0xC0; c <= 0xFF; c++ {
		leads = append(leads, byte(c))
	}
	for _, pad := range []string{"", "abcdef"} {
		in := []byte(`"` + pad + "LLLL tail text\"")
		at := 1 + len(pad)
		for _, in[at] = range leads {
			for _, in[at+1] = range edges {
				for _, in[at+2] = range edges {
					for _, in[at+3] = range edges {
						if got, want := Valid(in), json.Valid(in) && utf8.Valid(in); got != want {
							t.Fatalf("Valid(%q) = %v, want %v", in, got, want)
						}
					}
				}
			}
		}
	}
}

// TestValueReasons pins where and why a value is rejected: the offset and the message that
// rejects report (as "invalid JSON at byte <at+1>: <msg>").
func TestValueReasons(t *testing.T) {
	tests := []struct {
		in  string
		at  int
		msg string
	}{
		{"\"abc", 4, "unexpected end of line, expected '\"' closing the string"},
		{"\"abc\\", 5, "unexpected end of line, expected an escape character"},
		{"\"abc\\u12", 8, "unexpected end of line, expected a hex digit in a \\u escape"},
		{"\"abc\\u12g4\"", 8, "unexpected character 'g', expected a hex digit in a \\u escape"},
		{"\"abc\\q\"", 5, "invalid escape: backslash followed by character 'q'"},
		{"\"ab\x01c\"", 3, "control character 0x01 inside a string (must be escaped)"},
		{"\"é\xc3\"", 3, "invalid UTF-8"},
		{"\"é\xc3", 3, "invalid UTF-8"},
		{"\"\xe6\x9d\"", 1, "invalid UTF-8"},
		{"\"\xe6\x9d", 1, "invalid UTF-8"},
		{"\"\xf0\x9f\x98\"", 1, "invalid UTF-8"},
		{"\"\xf0\x9f\x98", 1, "invalid UTF-8"},
		{"\"\xc0\xaf\"", 1, "invalid UTF-8"},
		{"\"\xe0\x80\xaf\"", 1, "invalid UTF-8"},
		{"\"\xed\xa0\x80\"", 1, "invalid UTF-8"},
		{"\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8"},
		{"\"\xf5\x80\x80\x80\"", 1, "invalid UTF-8"},
		{"\"\xf0\x80\x80\x80\"", 1, "invalid UTF-8"},
		{"\"\x80\"", 1, "invalid UTF-8"},
		{"\"ok\xff\"", 3, "invalid UTF-8"},
		{"\"0123456789abcdef0123456789\xff\"", 27, "invalid UTF-8"},
		{"\"0123456789abcdef0123456789\\x\"", 28, "invalid escape: backslash followed by character 'x'"},
		{"{\"a\xff\":1}", 3, "invalid UTF-8"},
		{"[\"x\",\"y\xe2\x82\"]", 7, "invalid UTF-8"},
		{"\"€\xe2\x82\"", 4, "invalid UTF-8"},
		{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\x1f\"", 23, "control character 0x1f inside a string (must be escaped)"},
		{"[1,]", 3, "unexpected character ']', expected a value"},
		{"-", 1, "unexpected end of line, expected a digit"},
		{"1.e", 2, "unexpected character 'e', expected a digit"},
		{"1e+", 3, "unexpected end of line, expected a digit"},
		{"-a", 1, "unexpected character 'a', expected a digit"},
		{"{\"a\" 1}", 5, "unexpected character '1', expected ':' after a key"},
		{"{\"a\":1 \"b\"}", 7, "unexpected character '\"', expected ',' or '}'"},
		{"tru", 3, "unexpected end of line, expected the literal true"},
		{" [1 2]", 4, "unexpected character '2', expected ',' or ']'"},
		{"[", 1, "unexpected end of line, expected a value"},
		{"{", 1, "unexpected end of line, expected a string key"},
		{"\ufeff1", 0, "unexpected byte 0xef, expected a value"},
		{"{\"a\":[1,{\"b\":nulx}]}", 16, "unexpected character 'x', expected the literal null"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p := parser{b: []byte(tc.in)}
			p.skipWS()
			if p.value(0) {
				t.Fatalf("value(%q) accepted it", tc.in)
			}
			if p.err == nil || p.err.at != tc.at || p.err.msg != tc.msg {
				t.Fatalf("value(%q): error %+v, want at %d %q", tc.in, p.err, tc.at, tc.msg)
			}
			if Valid([]byte(tc.in)) {
				t.Fatalf("Valid(%q) = true", tc.in)
			}
		})
	}
}

// FuzzValid checks Valid against encoding/json plus utf8.Valid on any input.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e-3,"x\u00e9"]}`, `"\ud800"`, "\"\xff\"", `[01]`, `{"a":tru}`, ` null `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(b) && utf8.Valid(b)
		if got := Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// FuzzValidString checks the fast string scanner against the exact one it falls back to, on
// any string content: the same verdict, the same end, the same reason at the same offset; and
// an accepted string is one for encoding/json and unicode/utf8.
func FuzzValidString(f *testing.F) {
	for _, s := range []string{
		`plain ascii text that is longer than one block"`, `caf\u00e9 \n\t\"q\" \\ \/ \b\f\r"`,
		`\u6771\u4eac \ud83d\ude00 東京 😀 доставка — «très» €42\""`, "0123456\xe6\x9d\"", "01234567\xf0\x9f\x98\x80\"",
		"abcdefgh\xed\xa0\x80 more text after the surrogate\"", "abcdefg\\u12\"", "abc\x01def ghijklmnop\"",
		"unterminated and long enough to fill blocks", "x\\", "\xf4\x8f\xbf\xbf\xf4\x90\x80\x80 text\"",
		"abcdefgé\" more", "abcdef\xc3\" more text", `abcdefg\u00e9 tail text"`, `abcdefg\\u00e9 tail text"`,
		`abcdef\\\u0041 tail text"`, "abcdefgh\"", `abcdefg\"`, `abcdefg\\" more`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		in := append([]byte{'"'}, content...)
		fast, exact := parser{b: in}, parser{b: in}
		okF, okE := fast.str(), exact.strExact()
		if okF != okE || fast.i != exact.i {
			t.Fatalf("str(%q) = %v ending at %d, strExact = %v ending at %d", in, okF, fast.i, okE, exact.i)
		}
		if !okE {
			if fast.err == nil || exact.err == nil || *fast.err != *exact.err {
				t.Fatalf("str(%q) error %+v, strExact error %+v", in, fast.err, exact.err)
			}
			return
		}
		if tok := in[:fast.i]; !json.Valid(tok) || !utf8.Valid(tok) {
			t.Fatalf("str accepted %q, which encoding/json or unicode/utf8 rejects", tok)
		}
	})
}

// refLine is an independent, encoding/json based verdict on one line: is it a record, and what
// modelInput does it carry.
func refLine(line []byte) (bool, []byte) {
	if !utf8.Valid(line) || !json.Valid(line) {
		return false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return false, nil
	}
	var mi json.RawMessage
	seen := map[string]bool{}
	for dec.More() {
		k, _ := dec.Token()
		key := k.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return false, nil
		}
		if key != "modelInput" && key != "recordId" {
			continue
		}
		if seen[key] {
			return false, nil
		}
		seen[key] = true
		if key == "modelInput" {
			if v[0] != '{' {
				return false, nil
			}
			mi = v
		} else if c := v[0]; c != '"' && c != '-' && (c < '0' || c > '9') {
			return false, nil
		}
	}
	return mi != nil, mi
}

// FuzzRead reads any bytes as a dataset and checks the reader's invariants and its verdict on
// every line against encoding/json.
func FuzzRead(f *testing.F) {
	f.Add([]byte("{\"recordId\":\"a\",\"modelInput\":{\"x\":1}}\n\n{\"modelInput\":{}}\r\n{\"recordId\":\"a\",\"modelInput\":{}}"))
	f.Add([]byte("\xEF\xBB\xBF{\"recordId\":1,\"modelInput\":{}}\n[]\n{\"modelInput\":\"s\"}"))
	f.Add([]byte("{\"recordId\":\"\\u0061\",\"model\\u0049nput\":{\"t\":\"\\ud800\"}}\n{\"recordId\":\"a\",\"modelInput\":{}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			return // gzip framing is the standard library's business
		}
		opts := Options{MaxLineBytes: 200, blockSize: 64, Workers: 2}
		ctx := context.Background()
		x, err := Scan(ctx, bytes.NewReader(data), opts)
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		defer x.Close()
		s := x.Stats()
		if s.Lines != s.Records+s.Blank+s.Rejected {
			t.Fatalf("stats do not add up: %+v", s)
		}
		verdict := map[int64]string{}
		var records int64
		err = x.Replay(ctx, bytes.NewReader(data), func(r *Record) error {
			records++
			verdict[r.Line] = "record:" + string(r.ModelInput)
			if !Valid(r.RecordIDJSON) || r.RecordIDJSON[0] != '"' {
				t.Fatalf("line %d: recordId JSON %q is not a JSON string", r.Line, r.RecordIDJSON)
			}
			if string(r.ID) != PipelineID(0, r.Line) {
				t.Fatalf("line %d: id %s", r.Line, r.ID)
			}
			return nil
		}, func(rj Reject) error {
			if _, dup := verdict[rj.Line]; dup {
				t.Fatalf("line %d both a record and a reject", rj.Line)
			}
			verdict[rj.Line] = "reject:" + rj.Reason
			if len(rj.Reason) > 120 {
				t.Fatalf("line %d: reason too long, may echo the line: %q", rj.Line, rj.Reason)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		if records != s.Records {
			t.Fatalf("replayed %d records, stats say %d", records, s.Records)
		}
		body := bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
		lines := bytes.Split(body, []byte{'\n'})
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		if int64(len(lines)) != s.Lines {
			t.Fatalf("%d lines, stats say %d", len(lines), s.Lines)
		}
		for i, l := range lines {
			n := int64(i + 1)
			l = bytes.TrimSuffix(l, []byte{'\r'})
			v, seen := verdict[n]
			if isBlank(l) {
				if seen {
					t.Fatalf("blank line %d got %q", n, v)
				}
				continue
			}
			if len(l) > opts.MaxLineBytes {
				if !strings.HasPrefix(v, "reject:line is") {
					t.Fatalf("long line %d got %q", n, v)
				}
				continue
			}
			ok, mi := refLine(l)
			switch {
			case ok && strings.HasPrefix(v, "record:"):
				if v != "record:"+string(mi) {
					t.Fatalf("line %d: modelInput %q, encoding/json sees %q", n, v, mi)
				}
			case ok && strings.HasPrefix(v, "reject:duplicate recordId"):
			case !ok && strings.HasPrefix(v, "reject:") && !strings.HasPrefix(v, "reject:duplicate recordId"):
			default:
				t.Fatalf("line %d %q: got %q, encoding/json verdict record=%v", n, l, v, ok)
			}
		}
	})
}

func BenchmarkValid(b *testing.B) {
	line := []byte(sampleLine(1))
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if !Valid(line) {
			b.Fatal("sample line invalid")
		}
	}
}

func BenchmarkJSONValid(b *testing.B) {
	line := []byte(sampleLine(1))
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if !json.Valid(line) || !utf8.Valid(line) {
			b.Fatal("sample line invalid")
		}
	}
}

// BenchmarkScan measures pass one (validate + dedupe) over a realistic dataset in memory.
func BenchmarkScan(b *testing.B) {
	var buf bytes.Buffer
	for i := range 20000 {
		buf.WriteString(sampleLine(i))
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		x, err := Scan(context.Background(), bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
}

func sampleLine(i int) string {
	text := strings.Repeat("The parcel arrived two weeks late — «très» annoying, 配達が遅い. \"Refund?\"\\n ", 12)
	mi, _ := json.Marshal(map[string]any{
		"anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "system": "Answer with one label.",
		"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": fmt.Sprintf("Ticket %d: %s", i, text)}}}},
	})
	return fmt.Sprintf(`{"recordId":"rec-%07d","modelInput":%s}`, i, mi)
}

// BenchmarkReplay measures pass two (re-read, locate each record, hand it over) in memory.
func BenchmarkReplay(b *testing.B) {
	var buf bytes.Buffer
	for i := range 20000 {
		buf.WriteString(sampleLine(i))
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
	x, err := Scan(context.Background(), bytes.NewReader(data), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		if err := x.Replay(context.Background(), bytes.NewReader(data), func(r *Record) error { n += len(r.ModelInput); return nil }, nil); err != nil {
			b.Fatal(err)
		}
	}
}
