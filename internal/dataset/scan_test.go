package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// got is everything a full read of a dataset produces, rendered for comparison.
type got struct {
	stats   Stats
	records []string // line id recordIdJSON modelInput
	rejects []string // Reject.String() plus " id=<recordId>" when present
}

func readAll(t *testing.T, data []byte, opts Options) got {
	t.Helper()
	ctx := context.Background()
	x, err := Scan(ctx, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	defer x.Close()
	var g got
	g.stats = x.Stats()
	err = x.Replay(ctx, bytes.NewReader(data), func(r *Record) error {
		g.records = append(g.records, fmt.Sprintf("%d %s %s %s", r.Line, r.ID, r.RecordIDJSON, r.ModelInput))
		return nil
	}, func(rj Reject) error {
		s := rj.String()
		if rj.RecordID != "" {
			s += " id=" + rj.RecordID
		}
		g.rejects = append(g.rejects, s)
		return nil
	})
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	return g
}

func TestScanLines(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		records []string
		rejects []string
		blank   int64
	}{
		{
			name:    "string, number and missing recordId",
			in:      "{\"recordId\":\"a\",\"modelInput\":{\"x\":1}}\n{\"modelInput\": {} , \"recordId\": 1e3}\n{\"modelInput\":{\"y\":[1,2]}}\n",
			records: []string{`1 1 "a" {"x":1}`, `2 2 "1e3" {}`, `3 3 "line-3" {"y":[1,2]}`},
		},
		{
			name:    "number kept as written",
			in:      "{\"recordId\":-0.50E+2,\"modelInput\":{}}\n",
			records: []string{`1 1 "-0.50E+2" {}`},
		},
		{
			name:    "BOM, CRLF, blank lines and no final newline",
			in:      "\xEF\xBB\xBF{\"recordId\":\"a\",\"modelInput\":{}}\r\n\r\n  \t\n{\"recordId\":\"b\",\"modelInput\":{}}",
			records: []string{`1 1 "a" {}`, `4 4 "b" {}`},
			blank:   2,
		},
		{
			name:    "escaped recordId kept as written, escaped key matches",
			in:      "{\"recordId\":\"caf\\u00e9 \\\"q\\\"\",\"model\\u0049nput\":{\"t\":\"\\ud83d\\ude00\"}}\n",
			records: []string{`1 1 "caf\u00e9 \"q\"" {"t":"\ud83d\ude00"}`},
		},
		{
			name: "shape errors name the line and the problem",
			in: strings.Join([]string{
				`{"recordId":"s","modelInput":"hello"}`,
				`{"recordId":"n"}`,
				`{"recordId":"c","ModelInput":{}}`,
				`{"recordId":"d","modelInput":{},"modelInput":{}}`,
				`{"recordId":"e","recordId":"f","modelInput":{}}`,
				`{"recordId":null,"modelInput":{}}`,
				`{"recordId":true,"modelInput":{}}`,
				`[{"modelInput":{}}]`,
				`"text"`,
			}, "\n") + "\n",
			rejects: []string{
				"line 1: modelInput is a string, expected an object id=s",
				"line 2: modelInput is missing id=n",
				"line 3: modelInput is missing id=c",
				`line 4: duplicate key "modelInput" id=d`,
				`line 5: duplicate key "recordId" id=f`,
				"line 6: recordId is null, expected a string or a number",
				"line 7: recordId is a boolean, expected a string or a number",
				"line 8: line is an array, expected an object with modelInput",
				"line 9: line is a string, expected an object with modelInput",
			},
		},
		{
			name: "syntax errors give the byte and never the line",
			in: strings.Join([]string{
				`{"recordId":"a","modelInput":{"x":01}}`,
				`{"recordId":"b","modelInput":{}} x`,
				`{"recordId":"c","modelInput":{"x":"` + "\xff" + `"}}`,
				`{"recordId":"d","modelInput":{"x":"` + "\x01" + `"}}`,
				`{"recordId":"e","modelInput":{"x":"\q"}}`,
				`{"recordId":"f","modelInput":{"x":tru}}`,
				`{"recordId":"g","modelInput":{"x":1,}}`,
				`{"recordId":"h","modelInput":{`,
			}, "\n") + "\n",
			rejects: []string{
				"line 1: invalid JSON at byte 36: unexpected character '1', expected ',' or '}' id=a",
				"line 2: invalid JSON at byte 34: unexpected data after the JSON object id=b",
				"line 3: invalid JSON at byte 36: invalid UTF-8 id=c",
				"line 4: invalid JSON at byte 36: control character 0x01 inside a string (must be escaped) id=d",
				"line 5: invalid JSON at byte 37: invalid escape: backslash followed by character 'q' id=e",
				"line 6: invalid JSON at byte 38: unexpected character '}', expected the literal true id=f",
				"line 7: invalid JSON at byte 37: unexpected character '}', expected a string key id=g",
				"line 8: invalid JSON at byte 31: unexpected end of line, expected a string key id=h",
			},
		},
		{
			name: "duplicates: decoded ids compare, numbers and derived ids too",
			in: strings.Join([]string{
				`{"recordId":"a","modelInput":{}}`,
				`{"recordId":"\u0061","modelInput":{}}`,
				`{"recordId":5,"modelInput":{}}`,
				`{"recordId":"5","modelInput":{}}`,
				`{"modelInput":{}}`,
				`{"recordId":"line-5","modelInput":{}}`,
				`{"recordId":"b","modelInput":{}}`,
			}, "\n") + "\n",
			records: []string{`1 1 "a" {}`, `3 3 "5" {}`, `5 5 "line-5" {}`, `7 7 "b" {}`},
			rejects: []string{
				"line 2: duplicate recordId, first seen on line 1 id=a",
				"line 4: duplicate recordId, first seen on line 3 id=5",
				"line 6: duplicate recordId, first seen on line 5 id=line-5",
			},
		},
		{
			name:    "long lines are rejected; the line after still reads",
			in:      `{"recordId":"a","modelInput":{"x":"` + strings.Repeat("y", 100) + `"}}` + "\n" + `{"recordId":"b","modelInput":{}}` + "\n",
			opts:    Options{MaxLineBytes: 64},
			records: []string{`2 2 "b" {}`},
			rejects: []string{"line 1: line is 138 bytes, longer than the limit of 64 bytes"},
		},
		{
			name:    "long lines across blocks are skipped without buffering",
			in:      `{"recordId":"a","modelInput":{}}` + "\n" + `{"recordId":"z","modelInput":{"x":"` + strings.Repeat("y", 300) + `"}}` + "\n" + `{"recordId":"b","modelInput":{}}`,
			opts:    Options{MaxLineBytes: 40, blockSize: 48},
			records: []string{`1 1 "a" {}`, `3 3 "b" {}`},
			rejects: []string{"line 2: line is 338 bytes, longer than the limit of 40 bytes"},
		},
		{
			name:    "source index goes into pipeline ids",
			in:      `{"recordId":"a","modelInput":{}}` + "\n",
			opts:    Options{Source: 2},
			records: []string{`1 s27to3cx "a" {}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, opts := range []Options{tc.opts, withBlock(tc.opts, 64)} {
				g := readAll(t, []byte(tc.in), opts)
				if !equal(g.records, tc.records) {
					t.Errorf("records (block %d):\n got %q\nwant %q", opts.blockSize, g.records, tc.records)
				}
				if !equal(g.rejects, tc.rejects) {
					t.Errorf("rejects (block %d):\n got %q\nwant %q", opts.blockSize, g.rejects, tc.rejects)
				}
				s := g.stats
				if s.Blank != tc.blank || s.Records != int64(len(tc.records)) || s.Rejected != int64(len(tc.rejects)) ||
					s.Lines != s.Records+s.Blank+s.Rejected {
					t.Errorf("stats %+v: want %d records, %d blank, %d rejected", s, len(tc.records), tc.blank, len(tc.rejects))
				}
			}
		})
	}
}

// withBlock shrinks blocks so that lines cross block edges, unless the case set its own.
func withBlock(o Options, n int) Options {
	if o.blockSize == 0 {
		o.blockSize = n
		if o.MaxLineBytes == 0 {
			o.MaxLineBytes = 1 << 10
		}
	}
	return o
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScanGzip(t *testing.T) {
	plain := "\xEF\xBB\xBF{\"recordId\":\"a\",\"modelInput\":{}}\n{\"modelInput\":{}}\n"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(plain))
	zw.Close()
	g := readAll(t, buf.Bytes(), Options{})
	want := []string{`1 1 "a" {}`, `2 2 "line-2" {}`}
	if !equal(g.records, want) {
		t.Errorf("records %q, want %q", g.records, want)
	}
	if g.stats.Bytes != int64(len(plain)-3) {
		t.Errorf("bytes %d, want %d decoded bytes", g.stats.Bytes, len(plain)-3)
	}
}

func TestReplayNoticesChangedSource(t *testing.T) {
	a := []byte(`{"recordId":"a","modelInput":{"x":1}}` + "\n")
	b := []byte(`{"recordId":"a","modelInput":{"x":2}}` + "\n")
	x, err := Scan(context.Background(), bytes.NewReader(a), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	err = x.Replay(context.Background(), bytes.NewReader(b), func(*Record) error { return nil }, nil)
	if !errors.Is(err, ErrSourceChanged) {
		t.Fatalf("Replay of a changed source: %v, want ErrSourceChanged", err)
	}
}

func TestRejectsSpillToDisk(t *testing.T) {
	var in strings.Builder
	const n = 30000
	for i := range n {
		fmt.Fprintf(&in, `{"recordId":"r%d","modelInput":"not an object"}`+"\n", i)
	}
	x, err := Scan(context.Background(), strings.NewReader(in.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var count int64
	last := int64(0)
	err = x.Rejects(func(rj Reject) error {
		count++
		if rj.Line <= last {
			t.Fatalf("reject line %d after %d", rj.Line, last)
		}
		last = rj.Line
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("Rejects: %d entries, err %v; want %d", count, err, n)
	}
	if x.spool.file == nil {
		t.Errorf("%d rejects stayed in memory; want a spill past %d bytes", n, spoolMemory)
	}
}

func TestPipelineID(t *testing.T) {
	tests := []struct {
		source int
		line   int64
	}{{0, 1}, {0, 812}, {3, 1}, {MaxSource, MaxLine}}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d/%d", tc.source, tc.line), func(t *testing.T) {
			id := PipelineID(tc.source, tc.line)
			if len(id) > 16 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
				t.Errorf("id %q is not short lowercase alphanumeric", id)
			}
			s, l, ok := ParsePipelineID(id)
			if !ok || s != tc.source || l != tc.line {
				t.Errorf("ParsePipelineID(%q) = %d, %d, %v", id, s, l, ok)
			}
		})
	}
	for _, bad := range []string{"", "0", "01", "A", "line-1", "zzzzzzzzzzzzzz"} {
		if _, _, ok := ParsePipelineID(bad); ok {
			t.Errorf("ParsePipelineID(%q) ok, want not ok", bad)
		}
	}
}

// TestIDCounter holds the ids idCounter adds up to PipelineID's, across carries in every digit
// (35 -> 36, 1295 -> 1296, ...), gaps of blank or rejected lines, a new source, a line going back
// and the largest ids.
func TestIDCounter(t *testing.T) {
	type step struct {
		source int
		line   int64
	}
	var steps []step
	for line := int64(1); line < 50000; line++ {
		steps = append(steps, step{0, line})
	}
	for _, line := range []int64{50003, 50038, 50039, 60000, 46655, 46656, 46657, 1679615, 1679616, 1} {
		steps = append(steps, step{0, line})
	}
	for line := int64(1); line < 100; line += 7 {
		steps = append(steps, step{2, line})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for line, i := int64(1), 0; i < 20000; i++ {
		line += 1 + rng.Int64N(40)
		steps = append(steps, step{5, line})
	}
	steps = append(steps, step{MaxSource, MaxLine - 40}, step{MaxSource, MaxLine - 3}, step{MaxSource, MaxLine})
	var c idCounter
	for _, s := range steps {
		if got, want := string(c.id(s.source, s.line)), PipelineID(s.source, s.line); got != want {
			t.Fatalf("id(%d, %d) = %q, want %q", s.source, s.line, got, want)
		}
	}
}

// TestReadErrorIsReturned: a source that fails part way, many blocks in or within the first,
// plain or gzip (cut short), is an error for Scan and Stream, never a short read that looks
// complete.
func TestReadErrorIsReturned(t *testing.T) {
	errDisk := errors.New("disk gone")
	line := `{"modelInput":{"t":"` + strings.Repeat("x", 200) + `"}}` + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(line, 20000)))
	zw.Close()
	sources := map[string]func() io.Reader{
		"after many blocks": func() io.Reader {
			return io.MultiReader(strings.NewReader(strings.Repeat(line, 20000)), iotest.ErrReader(errDisk))
		},
		"in the first block": func() io.Reader {
			return io.MultiReader(strings.NewReader(strings.Repeat(line, 3)), iotest.ErrReader(errDisk))
		},
		"gzip cut short": func() io.Reader { return bytes.NewReader(gz.Bytes()[:gz.Len()/2]) },
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			want := errDisk
			if name == "gzip cut short" {
				want = io.ErrUnexpectedEOF
			}
			for _, workers := range []int{1, 2, 4} {
				opts := Options{Workers: workers}
				if x, err := Scan(context.Background(), src(), opts); !errors.Is(err, want) {
					t.Errorf("Scan with %d workers: %v, want %v", workers, err, want)
					if x != nil {
						x.Close()
					}
				}
				s, err := Stream(context.Background(), src(), opts, 0, func(*Record) error { return nil })
				if !errors.Is(err, want) {
					t.Errorf("Stream with %d workers: %v, want %v", workers, err, want)
				}
				if s != nil {
					s.Close()
				}
			}
		})
	}
}

// TestCancelled: a cancelled read is an error, never a short read that looks complete.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := strings.Repeat(`{"modelInput":{}}`+"\n", 1000)
	if _, err := Scan(ctx, strings.NewReader(src), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan: %v, want context.Canceled", err)
	}
	s, err := Stream(ctx, strings.NewReader(src), Options{}, 1000, func(*Record) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream: %v, want context.Canceled", err)
	}
	if s != nil {
		s.Close()
	}
	x, err := Scan(context.Background(), strings.NewReader(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Replay(ctx, strings.NewReader(src), func(*Record) error { return nil }, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Replay: %v, want context.Canceled", err)
	}
}
