package dirstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
)

// The shared Put/Get/List contract runs against this store in internal/s3store's TestContract;
// these tests cover what only a folder can get wrong.

func TestRejectsUnsafeKeys(t *testing.T) {
	s := dirstore.New(t.TempDir())
	for _, key := range []string{"", ".", "../escape", "a/../../b", "/abs", "a//b", "a/", ".dirstore-tmp/x"} {
		t.Run(key, func(t *testing.T) {
			if err := s.Put(context.Background(), key, strings.NewReader("x")); err == nil {
				t.Errorf("put %q succeeded, want an error", key)
			}
			if _, err := s.Get(context.Background(), key); err == nil {
				t.Errorf("get %q succeeded, want an error", key)
			}
		})
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk on fire")
	}
	f.n--
	p[0] = 'x'
	return 1, nil
}

func TestFailedPutKeepsOldObject(t *testing.T) {
	dir := t.TempDir()
	s := dirstore.New(dir)
	if err := s.Put(context.Background(), "a/b.json", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	err := s.Put(context.Background(), "a/b.json", &failingReader{n: 3})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("put with a failing body: err = %v", err)
	}
	rc, err := s.Get(context.Background(), "a/b.json")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "old" {
		t.Fatalf("object after failed put = %q, want old", b)
	}
	tmp, err := os.ReadDir(filepath.Join(dir, ".dirstore-tmp"))
	if err != nil || len(tmp) != 0 {
		t.Fatalf("temporary files left behind: %v %v", tmp, err)
	}
	if keys, _ := s.List(context.Background(), ""); !slices.Equal(keys, []string{"a/b.json"}) {
		t.Fatalf("list = %q", keys)
	}
}

func TestCancelledContext(t *testing.T) {
	s := dirstore.New(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Put(ctx, "k", bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("put with cancelled context: err = %v", err)
	}
	if _, err := s.List(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("list with cancelled context: err = %v", err)
	}
}

func TestFileFolderClash(t *testing.T) {
	s := dirstore.New(t.TempDir())
	if err := s.Put(context.Background(), "a", strings.NewReader("file")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "a/b", strings.NewReader("x")); err == nil {
		t.Fatal("put a/b over file a succeeded, want an error")
	}
	if _, err := s.Get(context.Background(), "a/b"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("get a/b under file a: err = %v, want fs.ErrNotExist", err)
	}
	keys, err := s.List(context.Background(), "a/")
	if err != nil || len(keys) != 0 {
		t.Fatalf("list a/ under a file = %q, %v; want empty", keys, err)
	}
}

// TestObjectFileMode: an object's file is readable by others, as files written with
// os.WriteFile are, not private like the temporary file it was written through.
func TestObjectFileMode(t *testing.T) {
	dir := t.TempDir()
	s := dirstore.New(dir)
	if err := s.Put(context.Background(), "c00000/input.jsonl", strings.NewReader("{}\n")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "c00000", "input.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}
