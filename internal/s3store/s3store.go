package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// API is the part of *s3.Client the store uses: GetObject and ListObjectsV2 directly, and the
// rest through feature/s3/transfermanager, whose client interface needs exactly these methods.
type API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
}

var (
	_ API                         = (*s3.Client)(nil)
	_ transfermanager.S3APIClient = API(nil)
	_ s3.ListObjectsV2APIClient   = API(nil)
)

// Option changes how a Store transfers data. The defaults suit a Lambda with 1 GB of memory.
type Option func(*options)

type options struct {
	partSize    int64
	threshold   int64
	concurrency int
	pageSize    int32
}

// WithPartSize sets the multipart part size in bytes (S3's minimum is 5 MiB; default 8 MiB).
// Memory for one Put is about part size times (concurrency + 3) plus the multipart threshold:
// the transfer manager's part buffers, its first part, and the body's head (reused across Puts).
func WithPartSize(n int64) Option { return func(o *options) { o.partSize = n } }

// WithMultipartThreshold sets the body size in bytes from which Put uses a multipart upload
// (default 16 MiB).
func WithMultipartThreshold(n int64) Option { return func(o *options) { o.threshold = n } }

// WithConcurrency sets how many parts of one Put upload at once (default 4).
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithListPageSize sets ListObjectsV2's MaxKeys (1–1000; default 0 lets S3 choose, which is
// 1000).
func WithListPageSize(n int32) Option { return func(o *options) { o.pageSize = n } }

// Store is a blob store over one bucket. It is safe for concurrent use.
type Store struct {
	client              API
	tm                  *transfermanager.Client
	bucket              string
	partSize, threshold int64
	pageSize            int32
}

// New returns a Store for bucket that calls S3 through client.
func New(client API, bucket string, opts ...Option) *Store {
	o := options{partSize: 8 << 20, threshold: 16 << 20, concurrency: 4}
	for _, f := range opts {
		f(&o)
	}
	tm := transfermanager.New(client, func(to *transfermanager.Options) {
		to.PartSizeBytes = o.partSize
		to.MultipartUploadThreshold = o.threshold
		to.Concurrency = o.concurrency
	})
	return &Store{client: client, tm: tm, bucket: bucket, partSize: o.partSize, threshold: o.threshold, pageSize: o.pageSize}
}

// Bucket returns the bucket the store reads and writes.
func (s *Store) Bucket() string { return s.bucket }

// URI returns the S3 URI of key in the store's bucket: "s3://bucket/key".
func (s *Store) URI(key string) string { return "s3://" + s.bucket + "/" + key }

// Put streams body to key, replacing any existing object. A body of at least the multipart
// threshold goes up as a multipart upload that the transfer manager aborts on error, so a
// failed Put leaves the previous object (or none) in place; a smaller body goes up as one
// PutObject with a CRC32 checksum, the request the transfer manager would send.
//
// Put reads the body's first threshold bytes into blocks reused across Puts (see head) to tell
// the two apart, where the transfer manager alone would read them into a slice grown for each
// upload; a large body's upload then starts from those blocks.
func (s *Store) Put(ctx context.Context, key string, body io.Reader) error {
	h, err := readHead(body, s.threshold)
	if err != nil {
		h.release()
		return fmt.Errorf("put %s: read body: %w", s.URI(key), err)
	}
	if h.size < s.threshold {
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:            aws.String(s.bucket),
			Key:               aws.String(key),
			Body:              h.reader(),
			ContentLength:     aws.Int64(h.size),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err == nil {
			// The transport has written the whole body, so the blocks can be reused. After an
			// error they are left to the garbage collector: a request the server answered early
			// may still be reading them.
			h.release()
		}
	} else {
		// The body is known to reach the threshold, so the upload is multipart whatever the
		// transfer manager's own threshold; at the part size, it reads only the first part into
		// a slice of its own. The transfer manager reads the body on this goroutine, so the head
		// is released once read, or at the latest when UploadObject returns.
		_, err = s.tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
			Bucket: aws.String(s.bucket),
			Key:    aws.String(key),
			Body:   io.MultiReader(&releaser{h: h, r: h.reader()}, body),
		}, func(o *transfermanager.Options) { o.MultipartUploadThreshold = min(s.partSize, s.threshold) })
		h.release()
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", s.URI(key), err)
	}
	return nil
}

// blockSize is the size of the blocks a body's head is read into.
const blockSize = 1 << 20

// freeBlocks holds up to 32 MiB of blocks between Puts, shared by every Store, so the heads of
// successive bodies land in memory the process already has instead of in fresh allocations.
var freeBlocks = make(chan []byte, 32)

// head is the first bytes of a body, in full blocks but for the last.
type head struct {
	blocks [][]byte
	size   int64
}

// readHead reads up to limit bytes of r. A short body is not an error.
func readHead(r io.Reader, limit int64) (*head, error) {
	h := &head{}
	for h.size < limit {
		var b []byte
		select {
		case b = <-freeBlocks:
		default:
			b = make([]byte, blockSize)
		}
		n, err := io.ReadFull(r, b[:min(blockSize, limit-h.size)])
		h.blocks = append(h.blocks, b[:n])
		h.size += int64(n)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return h, nil
		case err != nil:
			return h, err
		}
	}
	return h, nil
}

// reader returns a reader of the head that can seek. A head of one block reads as a
// bytes.Reader, whose WriteTo spares the SDK's checksum pass a copy buffer.
func (h *head) reader() io.ReadSeeker {
	if len(h.blocks) == 1 {
		return bytes.NewReader(h.blocks[0])
	}
	return io.NewSectionReader(h, 0, h.size)
}

// ReadAt copies the head's bytes from off into p.
func (h *head) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		if off >= h.size {
			return n, io.EOF
		}
		c := copy(p[n:], h.blocks[off/blockSize][off%blockSize:])
		n += c
		off += int64(c)
	}
	return n, nil
}

// releaser reads a head and releases it at its end.
type releaser struct {
	h *head
	r io.Reader
}

func (r *releaser) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err == io.EOF {
		r.h.release()
	}
	return n, err
}

// release hands the blocks back for reuse; the head must not be read afterwards. Releasing
// twice does nothing.
func (h *head) release() {
	for _, b := range h.blocks {
		select {
		case freeBlocks <- b[:cap(b)]:
		default:
		}
	}
	h.blocks = nil
}

// Get opens the object at key. A missing key returns an error wrapping fs.ErrNotExist (and the
// SDK error). The caller closes the reader.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("get %s: %w (%w)", s.URI(key), fs.ErrNotExist, err)
		}
		return nil, fmt.Errorf("get %s: %w", s.URI(key), err)
	}
	return out.Body, nil
}

// maxCopy is the largest object S3's CopyObject copies in one request.
const maxCopy = 5 << 30

// Copy copies the object at src to dst inside the bucket without moving its bytes through this
// process (CopyObject); objects over 5 GiB, which CopyObject refuses, stream through Get and
// Put. A missing src returns an error wrapping fs.ErrNotExist.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	size, _, err := s.Stat(ctx, src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if size > maxCopy {
		rc, err := s.Get(ctx, src)
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		defer rc.Close()
		return s.Put(ctx, dst, rc)
	}
	_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(s.bucket),
		Key:        aws.String(dst),
		CopySource: aws.String(url.PathEscape(s.bucket + "/" + src)),
	})
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", s.URI(src), s.URI(dst), err)
	}
	return nil
}

// Stat returns the object's size and ETag (without quotes). A missing key returns an error
// wrapping fs.ErrNotExist.
func (s *Store) Stat(ctx context.Context, key string) (size int64, etag string, err error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return 0, "", fmt.Errorf("stat %s: %w (%w)", s.URI(key), fs.ErrNotExist, err)
		}
		return 0, "", fmt.Errorf("stat %s: %w", s.URI(key), err)
	}
	return aws.ToInt64(out.ContentLength), strings.Trim(aws.ToString(out.ETag), `"`), nil
}

// List returns every key under prefix (a plain string prefix), sorted by byte order, reading all
// ListObjectsV2 pages. No match returns an empty slice and no error.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	keys := []string{}
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.URI(prefix), err)
		}
		for _, obj := range page.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	return keys, nil
}

// isNotFound reports whether err says the key does not exist. NoSuchBucket is excluded: a
// missing bucket is a configuration error, not a missing object.
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "NoSuchBucket":
			return false
		}
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}
