package s3store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"golang.org/x/sync/errgroup"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
)

// blobStore is the contract both stores implement (contracts.md, "Blob stores").
type blobStore interface {
	Put(ctx context.Context, key string, body io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]string, error)
	Stat(ctx context.Context, key string) (size int64, etag string, err error)
	Copy(ctx context.Context, src, dst string) error
}

var (
	_ blobStore = (*s3store.Store)(nil)
	_ blobStore = (*dirstore.Store)(nil)
)

const bucket = "contract-bucket"

// countingAPI passes every call to the real client and counts the multipart calls, so a test can
// prove a large Put went up in parts.
type countingAPI struct {
	s3store.API
	parts atomic.Int64
}

func (c *countingAPI) UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	c.parts.Add(1)
	return c.API.UploadPart(ctx, in, opts...)
}

// newFakeS3 serves an in-memory gofakes3 over HTTP and returns a real SDK client for it.
func newFakeS3(t *testing.T) *s3.Client {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

const partSize = 5 << 20

type storeCase struct {
	name     string
	new      func(t *testing.T) blobStore
	parts    func() int64 // multipart parts sent so far; nil when the store has no parts
	pageSize int
}

func storeCases() []storeCase {
	var counter *countingAPI
	return []storeCase{
		{name: "dirstore", new: func(t *testing.T) blobStore { return dirstore.New(t.TempDir()) }},
		{name: "s3store", new: func(t *testing.T) blobStore {
			counter = &countingAPI{API: newFakeS3(t)}
			return s3store.New(counter, bucket, s3store.WithPartSize(partSize), s3store.WithMultipartThreshold(partSize))
		}, parts: func() int64 { return counter.parts.Load() }},
		{name: "s3store-small-pages", new: func(t *testing.T) blobStore {
			return s3store.New(newFakeS3(t), bucket, s3store.WithListPageSize(7))
		}, pageSize: 7},
	}
}

func put(t *testing.T, s blobStore, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewBufferString(body)); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func get(t *testing.T, s blobStore, key string) string {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b)
}

func list(t *testing.T, s blobStore, prefix string) []string {
	t.Helper()
	keys, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	return keys
}

func TestContract(t *testing.T) {
	for _, sc := range storeCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Run("put then get", func(t *testing.T) {
				s := sc.new(t)
				body := "{\"recordId\":\"a\"}\n{\"recordId\":\"é\\u00e9\"}\n"
				put(t, s, "runs/r1/c00001/input.jsonl", body)
				if got := get(t, s, "runs/r1/c00001/input.jsonl"); got != body {
					t.Fatalf("got %q, want %q", got, body)
				}
			})
			t.Run("stat gives size and content etag", func(t *testing.T) {
				s := sc.new(t)
				put(t, s, "inbox/p/a.jsonl", "hello\n")
				size, etag, err := s.Stat(context.Background(), "inbox/p/a.jsonl")
				// S3's ETag of a single-part object is the MD5 of its content.
				if err != nil || size != 6 || etag != "b1946ac92492d2347c6235b4d2611184" {
					t.Fatalf("Stat = %d, %q, %v", size, etag, err)
				}
				if _, _, err := s.Stat(context.Background(), "inbox/p/missing.jsonl"); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("Stat of a missing key: %v, want fs.ErrNotExist", err)
				}
			})
			t.Run("copy", func(t *testing.T) {
				s := sc.new(t)
				put(t, s, "runs/r/c00000/answers.jsonl", "{\"a\":\"é\"}\n")
				if err := s.Copy(context.Background(), "runs/r/c00000/answers.jsonl", "results/r/part 00001+x.jsonl"); err != nil {
					t.Fatal(err)
				}
				if got := get(t, s, "results/r/part 00001+x.jsonl"); got != "{\"a\":\"é\"}\n" {
					t.Fatalf("copy holds %q", got)
				}
				if err := s.Copy(context.Background(), "runs/r/missing", "results/r/x"); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("Copy of a missing key: %v, want fs.ErrNotExist", err)
				}
			})
			t.Run("empty body", func(t *testing.T) {
				s := sc.new(t)
				put(t, s, "empty", "")
				if got := get(t, s, "empty"); got != "" {
					t.Fatalf("got %q, want empty", got)
				}
			})
			t.Run("overwrite", func(t *testing.T) {
				s := sc.new(t)
				put(t, s, "k/v.json", "first, longer body")
				put(t, s, "k/v.json", "second")
				if got := get(t, s, "k/v.json"); got != "second" {
					t.Fatalf("got %q, want second", got)
				}
				if got := list(t, s, ""); !slices.Equal(got, []string{"k/v.json"}) {
					t.Fatalf("list after overwrite = %q", got)
				}
			})
			t.Run("missing key wraps fs.ErrNotExist", func(t *testing.T) {
				s := sc.new(t)
				put(t, s, "present/x", "x")
				for _, key := range []string{"absent", "present/y", "present"} {
					_, err := s.Get(context.Background(), key)
					if !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("get %s: err = %v, want fs.ErrNotExist", key, err)
					}
				}
			})
			t.Run("prefix semantics", func(t *testing.T) {
				s := sc.new(t)
				keys := []string{"out/job1/a.jsonl.out", "out/job1/manifest.json.out", "out/job10/a.jsonl.out",
					"out/job1-x", "out/job2/b.out", "outside", "out/job1/nested/deep.out"}
				for _, k := range keys {
					put(t, s, k, k)
				}
				cases := []struct {
					prefix string
					want   []string
				}{
					{"out/job1/", []string{"out/job1/a.jsonl.out", "out/job1/manifest.json.out", "out/job1/nested/deep.out"}},
					{"out/job1", []string{"out/job1-x", "out/job1/a.jsonl.out", "out/job1/manifest.json.out", "out/job1/nested/deep.out", "out/job10/a.jsonl.out"}},
					{"out/job1/m", []string{"out/job1/manifest.json.out"}},
					{"out", []string{"out/job1-x", "out/job1/a.jsonl.out", "out/job1/manifest.json.out", "out/job1/nested/deep.out", "out/job10/a.jsonl.out", "out/job2/b.out", "outside"}},
					{"nothing/", []string{}},
					{"out/job3/", []string{}},
				}
				for _, c := range cases {
					got := list(t, s, c.prefix)
					if got == nil || !slices.Equal(got, c.want) {
						t.Errorf("list %q = %q, want %q", c.prefix, got, c.want)
					}
				}
				all := list(t, s, "")
				if !slices.IsSorted(all) || len(all) != len(keys) {
					t.Errorf("list all = %q, want %d sorted keys", all, len(keys))
				}
			})
			t.Run("list pages beyond 1000 keys", func(t *testing.T) {
				s := sc.new(t)
				n := 1003
				if sc.pageSize > 0 {
					n = 10*sc.pageSize + 3
				}
				var want []string
				var g errgroup.Group
				g.SetLimit(8)
				for i := range n {
					key := fmt.Sprintf("many/%05d.out", (i*7919)%n)
					want = append(want, key)
					g.Go(func() error { return s.Put(context.Background(), key, bytes.NewBufferString(key)) })
				}
				if err := g.Wait(); err != nil {
					t.Fatal(err)
				}
				put(t, s, "manz", "outside the prefix")
				slices.Sort(want)
				if got := list(t, s, "many/"); !slices.Equal(got, want) {
					t.Fatalf("list returned %d keys, want %d in order", len(got), len(want))
				}
			})
			t.Run("large body", func(t *testing.T) {
				if sc.pageSize > 0 {
					t.Skip("the paging variant adds nothing to the body test")
				}
				s := sc.new(t)
				body := make([]byte, 2*partSize+12345)
				_, _ = rand.NewChaCha8([32]byte{1, 2, 3}).Read(body)
				// io.MultiReader hides the length, as a streaming chunk writer does.
				if err := s.Put(context.Background(), "big/input.jsonl", io.MultiReader(bytes.NewReader(body))); err != nil {
					t.Fatal(err)
				}
				got := get(t, s, "big/input.jsonl")
				if sha256.Sum256([]byte(got)) != sha256.Sum256(body) {
					t.Fatalf("large body differs (len %d, want %d)", len(got), len(body))
				}
				if sc.parts != nil {
					if p := sc.parts(); p != 3 {
						t.Fatalf("uploaded %d parts, want 3 (multipart)", p)
					}
				}
			})
		})
	}
}

func TestURI(t *testing.T) {
	s := s3store.New(newFakeS3(t), bucket)
	if got, want := s.URI("runs/r1/c00001/input.jsonl"), "s3://contract-bucket/runs/r1/c00001/input.jsonl"; got != want {
		t.Fatalf("URI = %q, want %q", got, want)
	}
}

func TestMissingBucketIsNotErrNotExist(t *testing.T) {
	s := s3store.New(newFakeS3(t), "no-such-bucket")
	_, err := s.Get(context.Background(), "k")
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("get from a missing bucket: err = %v, want a non-ErrNotExist error", err)
	}
}

// callCounter passes every call to the real client and counts single PutObject calls and
// multipart uploads, with the checksum algorithm each PutObject asked for.
type callCounter struct {
	s3store.API
	puts, multiparts atomic.Int64
	checksum         atomic.Value
}

func (c *callCounter) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c.puts.Add(1)
	c.checksum.Store(string(in.ChecksumAlgorithm))
	return c.API.PutObject(ctx, in, opts...)
}

func (c *callCounter) CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	c.multiparts.Add(1)
	return c.API.CreateMultipartUpload(ctx, in, opts...)
}

func TestPutThreshold(t *testing.T) {
	const threshold = 6 << 20 // not a multiple of the 1 MiB blocks the head is read into
	tests := []struct {
		name      string
		size      int
		multipart bool
	}{
		{"empty", 0, false},
		{"one byte", 1, false},
		{"one block", 1 << 20, false},
		{"one byte below the threshold", threshold - 1, false},
		{"at the threshold", threshold, true},
		{"one byte above the threshold", threshold + 1, true},
		{"three parts", 2*partSize + 777, true},
	}
	calls := &callCounter{API: newFakeS3(t)}
	s := s3store.New(calls, bucket, s3store.WithPartSize(partSize), s3store.WithMultipartThreshold(threshold))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := make([]byte, tt.size)
			_, _ = rand.NewChaCha8([32]byte{byte(i)}).Read(body)
			puts, multiparts := calls.puts.Load(), calls.multiparts.Load()
			key := fmt.Sprintf("threshold/%d", tt.size)
			// io.MultiReader hides the length, as a streaming writer does.
			if err := s.Put(context.Background(), key, io.MultiReader(bytes.NewReader(body))); err != nil {
				t.Fatal(err)
			}
			if got := get(t, s, key); sha256.Sum256([]byte(got)) != sha256.Sum256(body) {
				t.Fatalf("object differs from the body (len %d, want %d)", len(got), len(body))
			}
			gotPuts, gotMultiparts := calls.puts.Load()-puts, calls.multiparts.Load()-multiparts
			switch {
			case tt.multipart && (gotPuts != 0 || gotMultiparts != 1):
				t.Fatalf("%d PutObject and %d multipart uploads, want one multipart upload", gotPuts, gotMultiparts)
			case !tt.multipart && (gotPuts != 1 || gotMultiparts != 0):
				t.Fatalf("%d PutObject and %d multipart uploads, want one PutObject", gotPuts, gotMultiparts)
			case !tt.multipart && calls.checksum.Load() != "CRC32":
				t.Fatalf("PutObject asked for checksum %q, want CRC32", calls.checksum.Load())
			}
		})
	}
}

// failingReader returns n bytes of data, then err.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	clear(p[:k])
	r.n -= k
	return k, nil
}

func TestPutBodyErrorKeepsPreviousObject(t *testing.T) {
	const threshold = 6 << 20
	s := s3store.New(newFakeS3(t), bucket, s3store.WithPartSize(partSize), s3store.WithMultipartThreshold(threshold))
	errBroken := errors.New("source broke")
	for _, tt := range []struct {
		name string
		n    int
	}{{"within the head", 100}, {"after the head", threshold + 100}} {
		t.Run(tt.name, func(t *testing.T) {
			key := "broken/" + tt.name
			put(t, s, key, "previous")
			err := s.Put(context.Background(), key, &failingReader{n: tt.n, err: errBroken})
			if !errors.Is(err, errBroken) {
				t.Fatalf("put = %v, want the body's error", err)
			}
			if got := get(t, s, key); got != "previous" {
				t.Fatalf("after a failed put the object holds %d bytes, want the previous object", len(got))
			}
		})
	}
}

// BenchmarkPut uploads bodies of unknown length to an in-memory gofakes3; B/op is what one Put
// allocates, the local server's share included.
func BenchmarkPut(b *testing.B) {
	for _, size := range []int{4 << 10, 12 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			backend := s3mem.New()
			if err := backend.CreateBucket(bucket); err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(gofakes3.New(backend).Server())
			defer srv.Close()
			s := s3store.New(s3.New(s3.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				UsePathStyle: true,
				Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
			}), bucket)
			body := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Put(context.Background(), "bench/body", io.MultiReader(bytes.NewReader(body))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestConcurrentPutsKeepTheirBodies runs Puts of different bodies at once, below and above the
// threshold, so the blocks one Put releases are reused by another: every object must hold its
// own body (and the race detector sees any block read after its release).
func TestConcurrentPutsKeepTheirBodies(t *testing.T) {
	const threshold = 6 << 20
	s := s3store.New(newFakeS3(t), bucket, s3store.WithPartSize(partSize), s3store.WithMultipartThreshold(threshold))
	sizes := []int{100, 3<<20 + 5, threshold - 1, threshold + 4321, 2 << 20, 1 << 20}
	bodies := make([][]byte, len(sizes))
	for i, n := range sizes {
		bodies[i] = make([]byte, n)
		_, _ = rand.NewChaCha8([32]byte{9, byte(i)}).Read(bodies[i])
	}
	var g errgroup.Group
	for round := range 2 {
		for i := range bodies {
			g.Go(func() error {
				return s.Put(context.Background(), fmt.Sprintf("concurrent/%d-%d", round, i), io.MultiReader(bytes.NewReader(bodies[i])))
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for i, want := range bodies {
			if got := get(t, s, fmt.Sprintf("concurrent/%d-%d", round, i)); sha256.Sum256([]byte(got)) != sha256.Sum256(want) {
				t.Fatalf("object %d-%d differs from its body (len %d, want %d)", round, i, len(got), len(want))
			}
		}
	}
}
