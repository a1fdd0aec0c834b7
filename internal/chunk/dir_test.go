package chunk

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
)

// tree reads every file under dir; it fails on anything left in a hidden folder but the
// store's own (empty) temporary folder.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != dir {
			if entries, _ := os.ReadDir(path); d.Name() != ".dirstore-tmp" || len(entries) > 0 {
				t.Errorf("left %s behind", rel)
			}
			return filepath.SkipDir
		}
		if !d.IsDir() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeBoth writes src with Write (two passes) and WriteDir and returns both plans and trees.
// onePass says whether WriteDir took the one-pass way.
func writeBoth(t *testing.T, src []byte, limits Limits) (want, got Plan, wantTree, gotTree map[string]string, onePass bool) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	twoDir, oneDir := t.TempDir(), filepath.Join(t.TempDir(), "out")
	want, err := Write(ctx, dirstore.New(twoDir), opener(src), Options{Limits: limits})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	twoPass := false
	twoPassHook = func() { twoPass = true }
	defer func() { twoPassHook = nil }()
	got, err = WriteDir(ctx, path, oneDir, Options{Limits: limits})
	if err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	return want, got, tree(t, twoDir), tree(t, oneDir), !twoPass
}

// lines renders n records "r<i>" with modelInputs of varied length.
func lines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"t":"%s"}}`+"\n", i, strings.Repeat("x", i%17))
	}
	return b.String()
}

func gz(s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Bytes()
}

// TestWriteDirMatchesWrite: on a dataset where every line is a record, and wherever the chunks
// of the line split break a rule and are re-split, WriteDir writes the same bytes and plan as
// Write.
func TestWriteDirMatchesWrite(t *testing.T) {
	small := Limits{MinRecords: 3, MaxRecords: 10, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}
	tests := []struct {
		name    string
		src     []byte
		limits  Limits
		onePass bool
	}{
		{name: "empty file", src: nil, limits: small, onePass: true},
		{name: "on-demand", src: []byte(lines(2)), limits: small, onePass: true},
		{name: "exactly the minimum", src: []byte(lines(3)), limits: small, onePass: true},
		{name: "exactly the maximum", src: []byte(lines(10)), limits: small, onePass: true},
		{name: "balanced", src: []byte(lines(23)), limits: small, onePass: true},
		{name: "many chunks", src: []byte(lines(1001)), limits: small, onePass: true},
		{name: "BOM, CRLF and no final newline", src: []byte("\xEF\xBB\xBF" + strings.ReplaceAll(strings.TrimSuffix(lines(12), "\n"), "\n", "\r\n")), limits: small, onePass: true},
		{name: "bytes bind: re-split", src: []byte(lines(40)), limits: Limits{MinRecords: 1, MaxRecords: 40, MaxFileBytes: 400, MaxJobBytes: 1 << 20}, onePass: true},
		{name: "a blank line leaves a chunk below the minimum: re-split", src: []byte(lines(12) + "\n"), limits: Limits{MinRecords: 6, MaxRecords: 10, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}, onePass: true},
		{name: "rejects leave fewer records than the minimum: re-split on-demand", src: []byte(lines(2) + "[]\n[]\n"), limits: small, onePass: true},
		{name: "a range without records: re-split", src: []byte(lines(8) + strings.Repeat("\n", 8) + lines(15)[len(lines(8)):]), limits: small, onePass: true},
		{name: "blank lines end the file, the last without a line end", src: []byte(lines(20) + "\n \r\n\t"), limits: small, onePass: true},
		{name: "gzip: two passes", src: gz(lines(23)), limits: small},
		{name: "duplicates and rejects making fewer chunks: re-split", src: []byte(lines(10) + "[]\n" + `{"recordId":"r1","modelInput":{}}` + "\n"), limits: small, onePass: true},
		{name: "a million-like dataset: rejects cross a multiple of the maximum", src: []byte(lines(100) + "[]\n\n" + `{"recordId":"r1","modelInput":{}}` + "\n"), limits: Limits{MinRecords: 3, MaxRecords: 50, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}, onePass: true},
		{name: "nothing accepted", src: []byte("[]\n\n{\"modelInput\":1}\n[1]\n"), limits: small, onePass: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, got, wantTree, gotTree, onePass := writeBoth(t, tc.src, tc.limits)
			if onePass != tc.onePass {
				t.Errorf("one pass %v, want %v", onePass, tc.onePass)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("plan\n%+v\nwant\n%+v", got, want)
			}
			if !reflect.DeepEqual(gotTree, wantTree) {
				t.Errorf("files differ:\n%v\nwant\n%v", keys(gotTree), keys(wantTree))
				for k, v := range wantTree {
					if gotTree[k] != v {
						t.Errorf("%s:\n got %q\nwant %q", k, gotTree[k], v)
					}
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestWriteDirGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(path, []byte(mixed), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := WriteDir(context.Background(), path, dir, Options{Limits: Limits{MinRecords: 2, MaxRecords: 3, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}}); err != nil {
		t.Fatal(err)
	}
	tree(t, dir)
	compareGolden(t, dir, filepath.Join("testdata", "golden", "chunks"))
}

// TestWriteDirRejectsKeepLineRanges checks the rule the package doc gives for a dataset with
// blank, rejected and duplicate lines: the chunks keep the line ranges of the balanced line
// split, each holding the records among its lines, as long as that is still the fewest chunks
// within the limits; the records and rejects are those Write gives.
func TestWriteDirRejectsKeepLineRanges(t *testing.T) {
	var src strings.Builder
	bad := map[int]bool{}
	for i := 1; i <= 1000; i++ {
		switch {
		case i%97 == 0:
			src.WriteString(`{"recordId":"x","modelInput":"not an object"}` + "\n")
			bad[i] = true
		case i%131 == 0:
			src.WriteString("\n")
			bad[i] = true
		case i%149 == 0:
			fmt.Fprintf(&src, `{"recordId":"r%d","modelInput":{}}`+"\n", i-100) // first seen 100 lines earlier
			bad[i] = true
		default:
			fmt.Fprintf(&src, `{"recordId":"r%d","modelInput":{"n":%d}}`+"\n", i, i)
		}
	}
	limits := Limits{MinRecords: 100, MaxRecords: 300, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}
	want, got, wantTree, gotTree, onePass := writeBoth(t, []byte(src.String()), limits)
	if !onePass {
		t.Fatal("WriteDir fell back to two passes")
	}
	if got.Stats != want.Stats || got.Bytes != want.Bytes || len(got.Chunks) != len(want.Chunks) {
		t.Fatalf("plan %+v, want the stats, bytes and chunk count of %+v", got, want)
	}
	if gotTree[RejectedFile] != wantTree[RejectedFile] || !strings.Contains(gotTree[RejectedFile], "first seen on line 49") {
		t.Errorf("rejected.jsonl\n%s\nwant\n%s", gotTree[RejectedFile], wantTree[RejectedFile])
	}
	var gotIn, wantIn, gotRecs, wantRecs string
	lo, hi := int64(1<<62), int64(0)
	for i, c := range got.Chunks {
		first, last := int64(250*i+1), int64(250*i+250)
		var badIn int64
		for l := first; l <= last; l++ {
			if bad[int(l)] {
				badIn++
			}
		}
		if c.FirstLine < first || c.LastLine > last || c.Records != 250-badIn {
			t.Errorf("chunk %d %+v: want the %d records among lines %d-%d", i, c, 250-badIn, first, last)
		}
		if c.Records < int64(limits.MinRecords) || c.Records > int64(limits.MaxRecords) {
			t.Errorf("chunk %d %+v outside the limits", i, c)
		}
		lo, hi = min(lo, c.Records), max(hi, c.Records)
		in := gotTree[c.Prefix+InputFile]
		if int64(len(in)) != c.Bytes || int64(strings.Count(in, "\n")) != c.Records {
			t.Errorf("chunk %d: %d bytes in %d lines, plan says %d in %d", i, len(in), strings.Count(in, "\n"), c.Bytes, c.Records)
		}
		gotIn += in
		gotRecs += gotTree[c.Prefix+RecordsFile]
	}
	if hi-lo > 1+int64(len(bad)) {
		t.Errorf("chunk sizes %d-%d differ by more than one plus the %d lines that are not records", lo, hi, len(bad))
	}
	for _, c := range want.Chunks {
		wantIn += wantTree[c.Prefix+InputFile]
		wantRecs += wantTree[c.Prefix+RecordsFile]
	}
	if gotIn != wantIn || gotRecs != wantRecs {
		t.Error("the chunks together hold other records than Write's")
	}
	var onDisk Plan
	if err := json.Unmarshal([]byte(gotTree[PlanFile]), &onDisk); err != nil || !reflect.DeepEqual(onDisk, got) {
		t.Errorf("plan.json %s (%v), want the returned plan", gotTree[PlanFile], err)
	}
}

func TestWriteDirNoPlanAfterOnePass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, []byte(lines(5)), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err := WriteDir(context.Background(), path, dir, Options{Limits: Limits{MinRecords: 1, MaxRecords: 10, MaxFileBytes: 40, MaxJobBytes: 40}})
	if !errors.Is(err, ErrNoPlan) || !strings.Contains(err.Error(), "line 3: its Bedrock input line is 41 bytes") {
		t.Fatalf("WriteDir: %v, want ErrNoPlan naming line 3, the first one too long", err)
	}
	if files := tree(t, dir); len(files) != 0 {
		t.Errorf("left %v", keys(files))
	}
}

func TestWriteDirNoPlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, []byte(lines(11)), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	_, err := WriteDir(context.Background(), path, dir, Options{Limits: Limits{MinRecords: 6, MaxRecords: 10, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}})
	if !errors.Is(err, ErrNoPlan) {
		t.Fatalf("WriteDir: %v, want ErrNoPlan", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("created %s (%v), want nothing written", dir, err)
	}
}

// TestWriteDirMoveFails: when a chunk cannot be moved into place (here a folder of an earlier
// chunk set is in the way), the chunks already moved are taken back and no plan.json appears.
func TestWriteDirMoveFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, []byte(lines(23)), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "c00001"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c00001", "old.jsonl"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := WriteDir(context.Background(), path, dir, Options{Limits: Limits{MinRecords: 3, MaxRecords: 10, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}})
	if err == nil || !strings.Contains(err.Error(), "c00001") {
		t.Fatalf("WriteDir over an earlier c00001: %v, want an error naming it", err)
	}
	if files := tree(t, dir); !reflect.DeepEqual(keys(files), []string{"c00001/old.jsonl"}) {
		t.Errorf("left %v, want only the earlier file", keys(files))
	}
}

func TestWriteDirRefusesPrefix(t *testing.T) {
	_, err := WriteDir(context.Background(), "x.jsonl", t.TempDir(), Options{Limits: DefaultLimits(), Prefix: "runs/"})
	if err == nil {
		t.Fatal("WriteDir with a prefix: no error")
	}
}

func TestLineLayout(t *testing.T) {
	l := Limits{MinRecords: 3, MaxRecords: 10}
	tests := []struct {
		lines int64
		want  []lineRange
		ok    bool
	}{
		{0, nil, true},
		{2, []lineRange{{1, 2}}, true},
		{10, []lineRange{{1, 10}}, true},
		{23, []lineRange{{1, 8}, {9, 16}, {17, 23}}, true},
		{11, []lineRange{{1, 6}, {7, 11}}, true},
		{5, []lineRange{{1, 5}}, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.lines), func(t *testing.T) {
			got, ok := lineLayout(tc.lines, l)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("lineLayout(%d) = %v %v, want %v %v", tc.lines, got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := lineLayout(11, Limits{MinRecords: 6, MaxRecords: 10}); ok {
		t.Error("11 lines in chunks of 6 to 10: want no layout")
	}
}

// BenchmarkChunkFile compares the two-pass Write (through the folder store) with WriteDir's one
// pass on the same file of Claude-style records.
func BenchmarkChunkFile(b *testing.B) {
	var src strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&src, `{"recordId":"t-%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"messages":[{"role":"user","content":"Classify ticket %d: %s"}]}}`+"\n",
			i, i, strings.Repeat("the parcel arrived late and damaged, ", 30))
	}
	path := filepath.Join(b.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	limits := Limits{MinRecords: 100, MaxRecords: 5000, MaxFileBytes: 1 << 30, MaxJobBytes: 1 << 30}
	run := func(b *testing.B, write func(dir string) error) {
		b.SetBytes(int64(src.Len()))
		for b.Loop() {
			dir := filepath.Join(b.TempDir(), "out")
			if err := write(dir); err != nil {
				b.Fatal(err)
			}
			os.RemoveAll(dir)
		}
	}
	b.Run("two passes", func(b *testing.B) {
		run(b, func(dir string) error {
			_, err := Write(context.Background(), dirstore.New(dir), func() (io.ReadCloser, error) { return os.Open(path) }, Options{Limits: limits})
			return err
		})
	})
	b.Run("one pass", func(b *testing.B) {
		run(b, func(dir string) error {
			_, err := WriteDir(context.Background(), path, dir, Options{Limits: limits})
			return err
		})
	})
}

// TestStreamIntoNoticesMoreLines: a file that grew after its lines were counted is a changed
// source, not a bigger plan.
func TestStreamIntoNoticesMoreLines(t *testing.T) {
	for _, counted := range []int64{9, 11} {
		t.Run(fmt.Sprint(counted), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.jsonl")
			if err := os.WriteFile(path, []byte(lines(10)), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			limits := Limits{MinRecords: 1, MaxRecords: 100, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}
			_, _, err = streamInto(context.Background(), f, t.TempDir(), counted, []lineRange{{1, counted}}, false, true, Options{Limits: limits})
			if !errors.Is(err, dataset.ErrSourceChanged) {
				t.Fatalf("10 lines counted as %d: %v, want ErrSourceChanged", counted, err)
			}
		})
	}
}

// TestBlankTail counts the blank lines that end a file, never more than there are.
func TestBlankTail(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want int64
	}{
		{"empty file", "", 0},
		{"no line end", "a", 0},
		{"one line", "a\n", 0},
		{"spaces end the last line", "a \t\n", 0},
		{"one blank line", "a\n\n", 1},
		{"blank lines of spaces, tabs and CRLF", "a\r\n \r\n\t\n\r\n", 3},
		{"a last blank line without a line end", "a\n\n  ", 2},
		{"only blank lines: one too few, never too many", "\n\n\n", 2},
		{"blank lines beyond the window: too few", "a\n" + strings.Repeat("\n", blankTailWindow+10), blankTailWindow - 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.jsonl")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := blankTail(f)
			if err != nil || got != tc.want {
				t.Errorf("blankTail = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

// TestWriteDirCancelled: a cancelled write, one pass or two, returns the context's error and
// leaves no folder behind.
func TestWriteDirCancelled(t *testing.T) {
	for name, src := range map[string][]byte{"plain": []byte(lines(300)), "gzip": gz(lines(300))} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.jsonl")
			if err := os.WriteFile(path, src, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			dir := filepath.Join(t.TempDir(), "out")
			if _, err := WriteDir(ctx, path, dir, Options{Limits: Limits{MinRecords: 10, MaxRecords: 100, MaxFileBytes: 1 << 20, MaxJobBytes: 1 << 20}}); !errors.Is(err, context.Canceled) {
				t.Fatalf("WriteDir: %v, want context.Canceled", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("left %s (%v)", dir, err)
			}
		})
	}
}

func TestAppendDecimal(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 99, 100, 12345, 1<<40 - 1, 1<<64 - 1} {
		if got, want := string(appendDecimal([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Errorf("appendDecimal(%d) = %q, want %q", v, got, want)
		}
	}
}
