package s3emu

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// The folder backend implements gofakes3.MultipartBackend, so a multipart upload streams each part
// to a file under <root>/.s3emu/uploads/<uploadId>/ (hashed once, as it arrives) and completion
// joins the part files into the object on disk. gofakes3's own uploader would hold every part in
// memory, copy them all into one buffer and hash the whole body again.
//
// As on S3, the ETag CompleteMultipartUpload returns is the MD5 of the parts' MD5s followed by
// "-<parts>". The object's stored MD5 is that digest, so HeadObject and GetObject report it
// without the "-<parts>" suffix (gofakes3 formats an object's ETag from a 16-byte hash).
var _ gofakes3.MultipartBackend = (*FolderBackend)(nil)

// upload is what the backend keeps about a multipart upload, in upload.json.
type upload struct {
	Bucket    string            `json:"bucket"`
	Key       string            `json:"key"`
	Metadata  map[string]string `json:"metadata"`
	Initiated time.Time         `json:"initiated"`
}

// part is what the backend keeps about an uploaded part, beside its data file.
type part struct {
	MD5     string    `json:"md5"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
}

func (b *FolderBackend) uploadDir(id gofakes3.UploadID) string {
	return filepath.Join(b.root, stateDir, "uploads", string(id))
}

func partFile(dir string, n int) string { return filepath.Join(dir, fmt.Sprintf("%05d", n)) }

// CreateMultipartUpload starts an upload and returns its id.
func (b *FolderBackend) CreateMultipartUpload(bucket, key string, meta map[string]string) (gofakes3.UploadID, error) {
	if _, err := b.objectPath(bucket, key); err != nil {
		return "", err
	}
	if !b.hasBucket(bucket) {
		return "", gofakes3.BucketNotFound(bucket)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("create multipart upload %s/%s: %w", bucket, key, err)
	}
	id := gofakes3.UploadID(hex.EncodeToString(raw[:]))
	dir := b.uploadDir(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create multipart upload %s/%s: %w", bucket, key, err)
	}
	body, err := json.Marshal(upload{Bucket: bucket, Key: key, Metadata: meta, Initiated: b.now()})
	if err != nil {
		return "", fmt.Errorf("create multipart upload %s/%s: %w", bucket, key, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "upload.json"), body, 0o644); err != nil {
		return "", fmt.Errorf("create multipart upload %s/%s: %w", bucket, key, err)
	}
	return id, nil
}

// loadUpload reads the upload id, which must be for bucket and key.
func (b *FolderBackend) loadUpload(bucket, key string, id gofakes3.UploadID) (upload, error) {
	var u upload
	if strings.ContainsAny(string(id), `/\.`) || id == "" {
		return u, gofakes3.ErrNoSuchUpload
	}
	raw, err := os.ReadFile(filepath.Join(b.uploadDir(id), "upload.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return u, gofakes3.ErrNoSuchUpload
	}
	if err != nil {
		return u, fmt.Errorf("multipart upload %s: %w", id, err)
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return u, fmt.Errorf("multipart upload %s: %w", id, err)
	}
	if u.Bucket != bucket || u.Key != key {
		return u, gofakes3.ErrNoSuchUpload
	}
	return u, nil
}

// UploadPart streams one part to its file, replacing an earlier upload of the same number, and
// returns its quoted MD5 ETag.
func (b *FolderBackend) UploadPart(bucket, key string, id gofakes3.UploadID, n int, contentLength int64, input io.Reader) (string, error) {
	if n < 1 || n > gofakes3.MaxUploadPartNumber {
		return "", gofakes3.ErrInvalidPart
	}
	if _, err := b.loadUpload(bucket, key, id); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Join(b.root, stateDir, "tmp"), "part-*")
	if err != nil {
		return "", fmt.Errorf("upload part %d of %s/%s: %w", n, bucket, key, err)
	}
	defer os.Remove(tmp.Name())
	size, sum, err := copyHashed(tmp, input)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("upload part %d of %s/%s: %w", n, bucket, key, err)
	}
	if size != contentLength {
		return "", gofakes3.ErrIncompleteBody
	}
	meta, err := json.Marshal(part{MD5: hex.EncodeToString(sum), Size: size, ModTime: b.now()})
	if err != nil {
		return "", fmt.Errorf("upload part %d of %s/%s: %w", n, bucket, key, err)
	}
	file := partFile(b.uploadDir(id), n)
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", fmt.Errorf("upload part %d of %s/%s: %w", n, bucket, key, err)
	}
	if err := os.WriteFile(file+".json", meta, 0o644); err != nil {
		return "", fmt.Errorf("upload part %d of %s/%s: %w", n, bucket, key, err)
	}
	return `"` + hex.EncodeToString(sum) + `"`, nil
}

// loadPart reads the record of part n of the upload in dir.
func loadPart(dir string, n int) (part, error) {
	var p part
	raw, err := os.ReadFile(partFile(dir, n) + ".json")
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

// partNumbers lists the part numbers uploaded so far, ascending.
func partNumbers(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || name == "upload" {
			continue
		}
		if n, err := strconv.Atoi(name); err == nil {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	return nums, nil
}

// CompleteMultipartUpload joins the listed parts, in ascending order and each with the ETag the
// upload returned, into the object, and removes the upload.
func (b *FolderBackend) CompleteMultipartUpload(bucket, key string, id gofakes3.UploadID, input *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	u, err := b.loadUpload(bucket, key, id)
	if err != nil {
		return "", "", err
	}
	if len(input.Parts) == 0 {
		return "", "", gofakes3.ErrorMessage(gofakes3.ErrMalformedXML, "a multipart upload completes with at least one part")
	}
	dir := b.uploadDir(id)
	digests := md5.New()
	prev := 0
	for _, in := range input.Parts {
		if in.PartNumber <= prev {
			return "", "", gofakes3.ErrInvalidPartOrder
		}
		prev = in.PartNumber
		p, err := loadPart(dir, in.PartNumber)
		if err != nil {
			return "", "", gofakes3.ErrorMessagef(gofakes3.ErrInvalidPart, "part %d was not uploaded", in.PartNumber)
		}
		if strings.Trim(in.ETag, `"`) != p.MD5 {
			return "", "", gofakes3.ErrorMessagef(gofakes3.ErrInvalidPart, "part %d has ETag %q, not %q", in.PartNumber, p.MD5, in.ETag)
		}
		raw, _ := hex.DecodeString(p.MD5)
		digests.Write(raw)
	}

	tmp, err := os.CreateTemp(filepath.Join(b.root, stateDir, "tmp"), "complete-*")
	if err != nil {
		return "", "", fmt.Errorf("complete multipart upload %s/%s: %w", bucket, key, err)
	}
	defer os.Remove(tmp.Name())
	size, err := joinParts(tmp, dir, input.Parts)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("complete multipart upload %s/%s: %w", bucket, key, err)
	}
	sum := hex.EncodeToString(digests.Sum(nil))
	if err := b.install(bucket, key, tmp.Name(), objectMeta{Metadata: u.Metadata, MD5: sum, Size: size}, nil); err != nil {
		return "", "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", "", fmt.Errorf("complete multipart upload %s/%s: %w", bucket, key, err)
	}
	return "", fmt.Sprintf(`"%s-%d"`, sum, len(input.Parts)), nil
}

// joinParts appends the part files to w in order (a file-to-file copy the kernel does).
func joinParts(w *os.File, dir string, parts []gofakes3.CompletedPart) (int64, error) {
	var size int64
	for _, p := range parts {
		f, err := os.Open(partFile(dir, p.PartNumber))
		if err != nil {
			return size, err
		}
		n, err := io.Copy(w, f)
		f.Close()
		size += n
		if err != nil {
			return size, err
		}
	}
	return size, nil
}

// AbortMultipartUpload removes the upload and its parts.
func (b *FolderBackend) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	if _, err := b.loadUpload(bucket, key, id); err != nil {
		return err
	}
	if err := os.RemoveAll(b.uploadDir(id)); err != nil {
		return fmt.Errorf("abort multipart upload %s/%s: %w", bucket, key, err)
	}
	return nil
}

// ListParts lists the upload's parts with numbers above marker, at most limit of them.
func (b *FolderBackend) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	if _, err := b.loadUpload(bucket, key, id); err != nil {
		return nil, err
	}
	dir := b.uploadDir(id)
	nums, err := partNumbers(dir)
	if err != nil {
		return nil, fmt.Errorf("list parts of %s/%s: %w", bucket, key, err)
	}
	res := &gofakes3.ListMultipartUploadPartsResult{Bucket: bucket, Key: key, UploadID: id, MaxParts: limit, PartNumberMarker: marker, StorageClass: "STANDARD"}
	for _, n := range nums {
		if n <= marker {
			continue
		}
		if int64(len(res.Parts)) >= limit {
			res.IsTruncated = true
			break
		}
		p, err := loadPart(dir, n)
		if err != nil {
			return nil, fmt.Errorf("list parts of %s/%s: %w", bucket, key, err)
		}
		res.Parts = append(res.Parts, gofakes3.ListMultipartUploadPartItem{
			PartNumber: n, ETag: `"` + p.MD5 + `"`, Size: p.Size, LastModified: gofakes3.NewContentTime(p.ModTime),
		})
		res.NextPartNumberMarker = n
	}
	return res, nil
}

// ListMultipartUploads lists the bucket's uploads in progress by key, then upload id, after
// marker, at most limit uploads and common prefixes together.
func (b *FolderBackend) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	if !b.hasBucket(bucket) {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	entries, err := os.ReadDir(filepath.Join(b.root, stateDir, "uploads"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list multipart uploads of %s: %w", bucket, err)
	}
	type item struct {
		key string
		id  gofakes3.UploadID
		at  time.Time
	}
	var items []item
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(b.root, stateDir, "uploads", e.Name(), "upload.json"))
		if err != nil {
			continue // removed since the listing
		}
		var u upload
		if json.Unmarshal(raw, &u) != nil || u.Bucket != bucket {
			continue
		}
		items = append(items, item{u.Key, gofakes3.UploadID(e.Name()), u.Initiated})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].key != items[j].key {
			return items[i].key < items[j].key
		}
		return items[i].id < items[j].id
	})
	res := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, Delimiter: prefix.Delimiter, Prefix: prefix.Prefix, MaxUploads: limit}
	if marker != nil {
		res.KeyMarker, res.UploadIDMarker = marker.Object, marker.UploadID
	}
	seen := map[string]bool{}
	var match gofakes3.PrefixMatch
	for _, it := range items {
		if marker != nil && (it.key < marker.Object || it.key == marker.Object && (marker.UploadID == "" || it.id <= marker.UploadID)) {
			continue
		}
		if !prefix.Match(it.key, &match) {
			continue
		}
		if match.CommonPrefix && seen[match.MatchedPart] {
			continue
		}
		if int64(len(res.Uploads)+len(res.CommonPrefixes)) >= limit {
			res.IsTruncated = true
			break
		}
		if match.CommonPrefix {
			seen[match.MatchedPart] = true
			res.CommonPrefixes = append(res.CommonPrefixes, match.AsCommonPrefix())
			continue
		}
		res.Uploads = append(res.Uploads, gofakes3.ListMultipartUploadItem{
			Key: it.key, UploadID: it.id, StorageClass: "STANDARD", Initiated: gofakes3.NewContentTime(it.at),
		})
		res.NextKeyMarker, res.NextUploadIDMarker = it.key, it.id
	}
	return res, nil
}
