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
