package s3emu

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// stateDir holds the folder backend's own files (temporary uploads, object metadata). Bucket names
// cannot start with a dot, so it never collides with a bucket.
const stateDir = ".s3emu"

// FolderBackend is a gofakes3.Backend that keeps each bucket as a folder under a root directory and
// each object as a plain file at its key, so the data can be read with ordinary tools. Object
// metadata and ETags live beside, under <root>/.s3emu/meta; a file placed or edited by hand gets
// its ETag recomputed from its content. Multipart uploads stream their parts to files and are
// joined on disk (multipart.go), never held in memory.
//
// Unlike gofakes3's afero backend, ListBucket honours MaxKeys and the marker, so S3 listing pages.
// A folder cannot hold both a file and a folder of the same name, so a key that is a prefix of
// another at a "/" ("a" and "a/b"), or one with an empty, "." or ".." path segment (which includes
// keys ending in "/"), is refused with InvalidArgument.
type FolderBackend struct {
	root string
	now  func() time.Time

	mu sync.RWMutex
}

var _ gofakes3.Backend = (*FolderBackend)(nil)

// objectMeta is what the backend stores per object beside its file.
type objectMeta struct {
	Metadata map[string]string `json:"metadata"`
	MD5      string            `json:"md5"`
	Size     int64             `json:"size"`
	ModTime  time.Time         `json:"modTime"`
}

// NewFolderBackend returns a backend rooted at dir, creating dir if needed. Existing sub-folders
// of dir (other than hidden ones) are buckets.
func NewFolderBackend(dir string) (*FolderBackend, error) {
	for _, d := range []string{dir, filepath.Join(dir, stateDir, "tmp"), filepath.Join(dir, stateDir, "meta")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create s3 data folder %s: %w", d, err)
		}
	}
	return &FolderBackend{root: dir, now: time.Now}, nil
}

func (b *FolderBackend) bucketDir(bucket string) string {
	return filepath.Join(b.root, bucket)
}

func (b *FolderBackend) metaPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(b.root, stateDir, "meta", bucket, hex.EncodeToString(sum[:])+".json")
}

// objectPath maps a key to its file, refusing keys a folder cannot represent.
func (b *FolderBackend) objectPath(bucket, key string) (string, error) {
	if strings.ContainsAny(key, "\x00\\") {
		return "", gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "the folder backend cannot store a key with NUL or backslash")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "the folder backend cannot store a key with an empty, . or .. path segment")
		}
	}
	return filepath.Join(b.bucketDir(bucket), filepath.FromSlash(key)), nil
}

func (b *FolderBackend) bucketExists(bucket string) bool {
	if bucket == "" || strings.HasPrefix(bucket, ".") || strings.ContainsAny(bucket, `/\`) {
		return false
	}
	st, err := os.Stat(b.bucketDir(bucket))
	return err == nil && st.IsDir()
}

// ListBuckets lists the folders under the root, creation date being the folder's modification time.
func (b *FolderBackend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	entries, err := os.ReadDir(b.root)
	if err != nil {
		return nil, fmt.Errorf("list buckets in %s: %w", b.root, err)
	}
	var out []gofakes3.BucketInfo
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("list buckets in %s: %w", b.root, err)
		}
		out = append(out, gofakes3.BucketInfo{Name: e.Name(), CreationDate: gofakes3.NewContentTime(info.ModTime())})
	}
	return out, nil
}

// ListBucket lists keys in UTF-8 byte order after page.Marker, at most page.MaxKeys keys and
// common prefixes together, setting IsTruncated and NextMarker when more remain.
func (b *FolderBackend) ListBucket(bucket string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if !b.bucketExists(bucket) {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	keys, err := b.keys(bucket)
	if err != nil {
		return nil, err
	}
	out := gofakes3.NewObjectList()
	start := 0
	if page.HasMarker || page.Marker != "" {
		start = sort.Search(len(keys), func(i int) bool { return keys[i] > page.Marker })
	}
	var count int64
	var match gofakes3.PrefixMatch
	lastPrefix := ""
	for i := start; i < len(keys); i++ {
		key := keys[i]
		if !prefix.Match(key, &match) {
			continue
		}
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if match.CommonPrefix {
			// A prefix already returned, here or on an earlier page (the marker lies within it).
			if match.MatchedPart == lastPrefix || strings.HasPrefix(page.Marker, match.MatchedPart) {
				continue
			}
			out.AddPrefix(match.MatchedPart)
			lastPrefix = match.MatchedPart
			out.NextMarker = match.MatchedPart
		} else {
			meta, err := b.loadMeta(bucket, key)
			if err != nil {
				return nil, err
			}
			out.Add(&gofakes3.Content{
				Key:          key,
				LastModified: gofakes3.NewContentTime(meta.ModTime),
				ETag:         `"` + meta.MD5 + `"`,
				Size:         meta.Size,
				StorageClass: gofakes3.StorageStandard,
			})
			out.NextMarker = key
		}
		count++
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}

// keys returns every object key in bucket, sorted.
func (b *FolderBackend) keys(bucket string) ([]string, error) {
	dir := b.bucketDir(bucket)
	var keys []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list bucket folder %s: %w", dir, err)
	}
	sort.Strings(keys)
	return keys, nil
}

// loadMeta returns the stored metadata of an existing object file, recomputing the ETag when the
// file changed behind the backend's back.
func (b *FolderBackend) loadMeta(bucket, key string) (objectMeta, error) {
	path, err := b.objectPath(bucket, key)
	if err != nil {
		return objectMeta{}, err
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return objectMeta{}, gofakes3.KeyNotFound(key)
	}
	if err != nil {
		return objectMeta{}, fmt.Errorf("stat object %s/%s: %w", bucket, key, err)
	}
	var m objectMeta
	if raw, err := os.ReadFile(b.metaPath(bucket, key)); err == nil && json.Unmarshal(raw, &m) == nil &&
		m.Size == st.Size() && m.ModTime.Equal(st.ModTime()) {
		return m, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return objectMeta{}, fmt.Errorf("read object %s/%s: %w", bucket, key, err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return objectMeta{}, fmt.Errorf("read object %s/%s: %w", bucket, key, err)
	}
	return objectMeta{
		Metadata: map[string]string{"Last-Modified": st.ModTime().UTC().Format(http.TimeFormat)},
		MD5:      hex.EncodeToString(h.Sum(nil)),
		Size:     st.Size(),
		ModTime:  st.ModTime(),
	}, nil
}

// CreateBucket makes the bucket's folder; an existing one is ErrBucketAlreadyExists.
func (b *FolderBackend) CreateBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bucketExists(name) {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	if err := os.Mkdir(b.bucketDir(name), 0o755); err != nil {
		return fmt.Errorf("create bucket folder %s: %w", name, err)
	}
	return nil
}

// BucketExists reports whether the bucket's folder exists.
func (b *FolderBackend) BucketExists(name string) (bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.bucketExists(name), nil
}

// DeleteBucket removes an empty bucket.
func (b *FolderBackend) DeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.bucketExists(name) {
		return gofakes3.ErrNoSuchBucket
	}
	keys, err := b.keys(name)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	return b.removeBucket(name)
}

// ForceDeleteBucket removes a bucket and everything in it.
func (b *FolderBackend) ForceDeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.bucketExists(name) {
		return gofakes3.ErrNoSuchBucket
	}
	return b.removeBucket(name)
}

func (b *FolderBackend) removeBucket(name string) error {
	for _, d := range []string{b.bucketDir(name), filepath.Join(b.root, stateDir, "meta", name)} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("remove bucket %s: %w", name, err)
		}
	}
	return nil
}

// HeadObject returns the object's metadata with empty contents.
func (b *FolderBackend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if !b.bucketExists(bucket) {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	m, err := b.loadMeta(bucket, key)
	if err != nil {
		return nil, err
	}
	return m.object(key, http.NoBody, nil)
}

func (m objectMeta) object(key string, contents io.ReadCloser, rng *gofakes3.ObjectRange) (*gofakes3.Object, error) {
	hash, err := hex.DecodeString(m.MD5)
	if err != nil {
		return nil, fmt.Errorf("object %s: bad stored md5: %w", key, err)
	}
	return &gofakes3.Object{Name: key, Metadata: m.Metadata, Size: m.Size, Contents: contents, Hash: hash, Range: rng}, nil
}

// GetObject opens the object's file, honouring a byte range.
func (b *FolderBackend) GetObject(bucket, key string, rangeRequest *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if !b.bucketExists(bucket) {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	m, err := b.loadMeta(bucket, key)
	if err != nil {
		return nil, err
	}
	rng, err := rangeRequest.Range(m.Size)
	if err != nil {
		return nil, err
	}
	path, _ := b.objectPath(bucket, key)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open object %s/%s: %w", bucket, key, err)
	}
	var contents io.ReadCloser = f
	if rng != nil {
		if _, err := f.Seek(rng.Start, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("seek object %s/%s: %w", bucket, key, err)
		}
		contents = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(f, rng.Length), f}
	}
	return m.object(key, contents, rng)
}

// PutObject writes the object atomically (temporary file, then rename) and its metadata.
func (b *FolderBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	var result gofakes3.PutObjectResult
	if _, err := b.objectPath(bucket, key); err != nil {
		return result, err
	}
	if !b.hasBucket(bucket) {
		return result, gofakes3.BucketNotFound(bucket)
	}
	tmp, err := os.CreateTemp(filepath.Join(b.root, stateDir, "tmp"), "put-*")
	if err != nil {
		return result, fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	defer os.Remove(tmp.Name())
	n, sum, err := copyHashed(tmp, input)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return result, fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	if size >= 0 && n != size {
		return result, gofakes3.ErrIncompleteBody
	}
	return result, b.install(bucket, key, tmp.Name(), objectMeta{Metadata: meta, MD5: hex.EncodeToString(sum), Size: n}, conditions)
}

// install moves the finished file tmp into place as the object key, with its metadata (m's
// ModTime is set here). conditions, when set, are checked against the object it replaces.
func (b *FolderBackend) install(bucket, key, tmp string, m objectMeta, conditions *gofakes3.PutConditions) error {
	path, err := b.objectPath(bucket, key)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if conditions != nil {
		info := &gofakes3.ConditionalObjectInfo{}
		if m, err := b.loadMeta(bucket, key); err == nil {
			info.Exists = true
			info.Hash, _ = hex.DecodeString(m.MD5)
		}
		if err := gofakes3.CheckPutConditions(conditions, info); err != nil {
			return err
		}
	}
	if err := b.makeParents(bucket, key); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "the folder backend cannot store a key that is also a prefix of other keys")
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	m.ModTime = st.ModTime()
	if m.Metadata == nil {
		m.Metadata = map[string]string{}
	}
	if _, ok := m.Metadata["Last-Modified"]; !ok {
		m.Metadata["Last-Modified"] = st.ModTime().UTC().Format(http.TimeFormat)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("put object %s/%s: encode metadata: %w", bucket, key, err)
	}
	mp := b.metaPath(bucket, key)
	if err := os.MkdirAll(filepath.Dir(mp), 0o755); err != nil {
		return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	if err := os.WriteFile(mp, raw, 0o644); err != nil {
		return fmt.Errorf("put object %s/%s: write metadata: %w", bucket, key, err)
	}
	return nil
}

// summer is gofakes3's hashing reader, which a PUT's body arrives in: once read to the end it
// holds the MD5 of what it passed on, so the body need not be hashed twice.
type summer interface{ Sum([]byte) []byte }

// copyHashed copies input to w and returns the byte count and the MD5 of what was copied.
func copyHashed(w io.Writer, input io.Reader) (int64, []byte, error) {
	if s, ok := input.(summer); ok {
		n, err := io.Copy(w, input)
		if err != nil {
			return n, nil, err
		}
		return n, s.Sum(nil), nil
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(w, h), input)
	return n, h.Sum(nil), err
}

// hasBucket is bucketExists for callers not holding the lock.
func (b *FolderBackend) hasBucket(bucket string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.bucketExists(bucket)
}

// makeParents creates the folders above key, refusing when one of them is an object's file.
func (b *FolderBackend) makeParents(bucket, key string) error {
	dir := b.bucketDir(bucket)
	segs := strings.Split(key, "/")
	for _, seg := range segs[:len(segs)-1] {
		dir = filepath.Join(dir, seg)
		st, err := os.Stat(dir)
		if err == nil && !st.IsDir() {
			return gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, "the folder backend cannot store a key below another key")
		}
		if errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
			}
		} else if err != nil {
			return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
		}
	}
	return nil
}

// DeleteObject removes the object (a missing one is not an error) and the folders it leaves empty.
func (b *FolderBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return gofakes3.ObjectDeleteResult{}, b.deleteLocked(bucket, key)
}

func (b *FolderBackend) deleteLocked(bucket, key string) error {
	if !b.bucketExists(bucket) {
		return gofakes3.BucketNotFound(bucket)
	}
	path, err := b.objectPath(bucket, key)
	if err != nil {
		return err
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("delete object %s/%s: %w", bucket, key, err)
	}
	if err := os.Remove(b.metaPath(bucket, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete object %s/%s: metadata: %w", bucket, key, err)
	}
	top := b.bucketDir(bucket)
	for dir := filepath.Dir(path); dir != top && strings.HasPrefix(dir, top); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty
			break
		}
	}
	return nil
}

// DeleteMulti deletes each object, reporting per-key errors in the result.
func (b *FolderBackend) DeleteMulti(bucket string, objects ...string) (gofakes3.MultiDeleteResult, error) {
	var result gofakes3.MultiDeleteResult
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.bucketExists(bucket) {
		return result, gofakes3.BucketNotFound(bucket)
	}
	for _, key := range objects {
		if err := b.deleteLocked(bucket, key); err != nil {
			result.Error = append(result.Error, gofakes3.ErrorResultFromError(err))
			continue
		}
		result.Deleted = append(result.Deleted, gofakes3.ObjectID{Key: key})
	}
	return result, nil
}

// CopyObject copies through GetObject and PutObject, as gofakes3's own backends do.
func (b *FolderBackend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	// Copy the source to a temporary file first: copying onto itself would otherwise read a file
	// being replaced. The copy has the source's content, so it keeps the source's MD5.
	src, err := b.GetObject(srcBucket, srcKey, nil)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	defer src.Contents.Close()
	if _, err := b.objectPath(dstBucket, dstKey); err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	if !b.hasBucket(dstBucket) {
		return gofakes3.CopyObjectResult{}, gofakes3.BucketNotFound(dstBucket)
	}
	tmp, err := os.CreateTemp(filepath.Join(b.root, stateDir, "tmp"), "copy-*")
	if err != nil {
		return gofakes3.CopyObjectResult{}, fmt.Errorf("copy object %s/%s: %w", srcBucket, srcKey, err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, src.Contents)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return gofakes3.CopyObjectResult{}, fmt.Errorf("copy object %s/%s: %w", srcBucket, srcKey, err)
	}
	m := objectMeta{Metadata: meta, MD5: hex.EncodeToString(src.Hash), Size: n}
	if err := b.install(dstBucket, dstKey, tmp.Name(), m, nil); err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	return gofakes3.CopyObjectResult{
		ETag:         gofakes3.FormatETag(src.Hash),
		LastModified: gofakes3.NewContentTime(b.now()),
	}, nil
}
