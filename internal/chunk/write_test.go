package chunk

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// opener returns a reopenable source over data.
func opener(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

const mixed = `{"recordId":"t-1","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Classify: late parcel"}]}}
{"recordId":7,"modelInput":{"messages":[{"role":"user","content":"caf\u00e9 — «ok»"}]}}

{"modelInput":{"inputText":"no recordId here"}}
{"recordId":"t-1","modelInput":{"inputText":"duplicate"}}
{"recordId":"bad","modelInput":"a string"}
{"recordId":"t-5","modelInput":{"x":[1,2,{"y":null}]} , "extra":true}
{"recordId":"t-6","modelInput":{"x":1}
{"recordId":"t-7","modelInput":{"inputText":"last one"}}
`

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		limits Limits
		prefix string
	}{
		{name: "chunks", in: mixed, limits: Limits{MinRecords: 2, MaxRecords: 3, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}},
		{name: "ondemand", in: mixed, limits: Limits{MinRecords: 100, MaxRecords: 1000, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}, prefix: "runs/x/r1/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p, err := Write(context.Background(), dirstore.New(dir), opener([]byte(tc.in)), Options{Limits: tc.limits, Prefix: tc.prefix})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if p.Stats.Records != 5 || p.Stats.Rejected != 3 || p.Stats.Blank != 1 {
				t.Errorf("stats %+v, want 5 records, 3 rejected, 1 blank", p.Stats)
			}
			compareGolden(t, dir, filepath.Join("testdata", "golden", tc.name))
		})
	}
}

// compareGolden compares every file under dir with the golden tree (or rewrites it).
func compareGolden(t *testing.T, dir, golden string) {
	t.Helper()
	files := map[string][]byte{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			b, _ := os.ReadFile(path)
			files[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if *update {
		os.RemoveAll(golden)
		for rel, b := range files {
			p := filepath.Join(golden, filepath.FromSlash(rel))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := map[string][]byte{}
	filepath.WalkDir(golden, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatalf("golden files missing (run go test -update): %v", err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(golden, path)
			b, _ := os.ReadFile(path)
			want[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	for rel, b := range files {
		if w, ok := want[rel]; !ok {
			t.Errorf("unexpected file %s", rel)
		} else if !bytes.Equal(b, w) {
			t.Errorf("%s differs from golden:\n got %s\nwant %s", rel, b, w)
		}
	}
	for rel := range want {
		if _, ok := files[rel]; !ok {
			t.Errorf("missing file %s", rel)
		}
	}
}

// TestWriteOutputIsBedrockInput checks what every chunk holds against the source: each
// accepted line once, in order, as {"recordId","modelInput"} with the modelInput bytes
// unchanged, and the sidecar aligned line for line.
func TestWriteOutputIsBedrockInput(t *testing.T) {
	var src strings.Builder
	for i := range 1000 {
		src.WriteString(`{"recordId":"r` + itoa(i) + `","modelInput":{"n":` + itoa(i) + `, "s":"x\u00e9\n"}}` + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(src.String()))
	zw.Close()
	dir := t.TempDir()
	st := dirstore.New(dir)
	p, err := Write(context.Background(), st, opener(gz.Bytes()), Options{Limits: Limits{MinRecords: 100, MaxRecords: 300, MaxFileBytes: 1 << 30, MaxJobBytes: 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(p); len(got) != 4 || got[0] != 250 || got[3] != 250 {
		t.Fatalf("chunks %v, want 4 x 250", got)
	}
	line := 0
	for _, c := range p.Chunks {
		in, _ := os.ReadFile(filepath.Join(dir, c.Prefix, InputFile))
		recs, _ := os.ReadFile(filepath.Join(dir, c.Prefix, RecordsFile))
		if int64(len(in)) != c.Bytes {
			t.Errorf("%s: %d bytes, plan says %d", c.Prefix, len(in), c.Bytes)
		}
		inLines := strings.Split(strings.TrimSuffix(string(in), "\n"), "\n")
		recLines := strings.Split(strings.TrimSuffix(string(recs), "\n"), "\n")
		if len(inLines) != int(c.Records) || len(recLines) != int(c.Records) {
			t.Fatalf("%s: %d input lines, %d sidecar lines, want %d", c.Prefix, len(inLines), len(recLines), c.Records)
		}
		for k := range inLines {
			line++
			id := dataset.PipelineID(0, int64(line))
			wantIn := `{"recordId":"` + id + `","modelInput":{"n":` + itoa(line-1) + `, "s":"x\u00e9\n"}}`
			wantRec := `{"id":"` + id + `","recordId":"r` + itoa(line-1) + `","line":` + itoa(line) + `,"source":0}`
			if inLines[k] != wantIn || recLines[k] != wantRec {
				t.Fatalf("line %d:\n got %s\n     %s\nwant %s\n     %s", line, inLines[k], recLines[k], wantIn, wantRec)
			}
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// failingStore fails every Put after reading a little, like a bucket that goes away.
type failingStore struct{}

func (failingStore) Put(ctx context.Context, key string, body io.Reader) error {
	io.CopyN(io.Discard, body, 10)
	return errors.New("bucket unavailable")
}

func TestWriteReportsStoreErrors(t *testing.T) {
	_, err := Write(context.Background(), failingStore{}, opener([]byte(mixed)), Options{Limits: Limits{MinRecords: 1, MaxRecords: 2, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}})
	if err == nil || !strings.Contains(err.Error(), "bucket unavailable") {
		t.Fatalf("Write over a failing store: %v, want the store's error", err)
	}
}

func TestWriteNoticesChangedSource(t *testing.T) {
	calls := 0
	open := func() (io.ReadCloser, error) {
		calls++
		s := mixed
		if calls > 1 {
			s = strings.Replace(s, "late parcel", "LATE PARCEL", 1)
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
	_, err := Write(context.Background(), dirstore.New(t.TempDir()), open, Options{Limits: DefaultLimits()})
	if !errors.Is(err, dataset.ErrSourceChanged) {
		t.Fatalf("Write: %v, want ErrSourceChanged", err)
	}
}

func TestWriteNothingAccepted(t *testing.T) {
	dir := t.TempDir()
	p, err := Write(context.Background(), dirstore.New(dir), opener([]byte("[]\n\n{\"modelInput\":1}\n")), Options{Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Stats.Records != 0 || p.Stats.Rejected != 2 || len(p.Chunks) != 0 || p.OnDemand {
		t.Fatalf("plan %+v, want no records, 2 rejects, no chunks", p)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if strings.Join(names, ",") != "plan.json,rejected.jsonl" {
		t.Errorf("wrote %v, want only plan.json and rejected.jsonl", names)
	}
}
