package dirstore

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// tmpDir is the folder under the root that holds bodies being written; List skips it and Put
// refuses keys inside it.
const tmpDir = ".dirstore-tmp"

// Store is a blob store over the folder Root. It is safe for concurrent use; concurrent Puts
// of the same key leave one of the bodies in place, whole.
type Store struct {
	root string
}

// New returns a Store rooted at dir. The folder is created on the first Put; it need not exist.
func New(dir string) *Store {
	return &Store{root: dir}
}

// Root returns the folder the store writes under.
func (s *Store) Root() string { return s.root }

func (s *Store) path(key string) (string, error) {
	if !fs.ValidPath(key) || key == "." {
		return "", fmt.Errorf("key %q is not a clean relative slash path", key)
	}
	if key == tmpDir || strings.HasPrefix(key, tmpDir+"/") {
		return "", fmt.Errorf("key %q is inside the store's reserved folder %s", key, tmpDir)
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Put writes body to key, creating parent folders and replacing any existing object. The new
// object appears atomically when the whole body has been written; on error nothing changes.
func (s *Store) Put(ctx context.Context, key string, body io.Reader) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	dst, err := s.path(key)
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	tmpRoot := filepath.Join(s.root, tmpDir)
	if err := os.MkdirAll(tmpRoot, 0o755); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	f, err := os.CreateTemp(tmpRoot, "put-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, contextReader{ctx, body}); err != nil {
		return fmt.Errorf("put %s: write body: %w", key, err)
	}
	// CreateTemp makes the file private; an object is data to share, like any file written
	// with os.WriteFile.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("put %s: close: %w", key, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	ok = true
	return nil
}

// Get opens the object at key. A key with no object (including a key naming a folder) returns
// an error wrapping fs.ErrNotExist. The caller closes the reader.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("get %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	if st.IsDir() {
		_ = f.Close()
		return nil, fmt.Errorf("get %s: key names a folder: %w", key, fs.ErrNotExist)
	}
	return f, nil
}

// Copy copies the object at src to dst, atomically like Put. A missing src returns an error
// wrapping fs.ErrNotExist.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	rc, err := s.Get(ctx, src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer rc.Close()
	return s.Put(ctx, dst, rc)
}

// Stat returns the object's size and an ETag: the hex MD5 of its content, as S3 gives for
// objects put in one part. A missing key returns an error wrapping fs.ErrNotExist.
func (s *Store) Stat(ctx context.Context, key string) (size int64, etag string, err error) {
	rc, err := s.Get(ctx, key)
	if err != nil {
		return 0, "", fmt.Errorf("stat: %w", err)
	}
	defer rc.Close()
	h := md5.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return 0, "", fmt.Errorf("stat %s: %w", key, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// List returns every key that starts with prefix, sorted by byte order. The prefix is a plain
// string prefix as in S3 ("runs/a" matches "runs/a/x" and "runs/ab"); "" lists everything. No
// match returns an empty slice and no error.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	// Walk only the deepest folder the prefix fully names.
	dir := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir = prefix[:i]
	}
	start := s.root
	if dir != "" {
		if !fs.ValidPath(dir) {
			return []string{}, nil
		}
		start = filepath.Join(s.root, filepath.FromSlash(dir))
	}
	keys := []string{}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if key == tmpDir {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	sort.Strings(keys)
	return keys, nil
}

// contextReader stops a long copy when the context is cancelled.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
