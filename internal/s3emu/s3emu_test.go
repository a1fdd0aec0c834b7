package s3emu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

var update = flag.Bool("update", false, "rewrite the events/s3-object-created-*.json fixtures")

const bucket = "bbatch-local"

// events collects emitted events.
type events struct {
	mu  sync.Mutex
	all [][]byte
}

func (e *events) add(ev []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) list() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.all)
}

// start serves a Server over real HTTP and returns an SDK client for it. maxAttempts 0 keeps the
// SDK's default retries.
func start(t *testing.T, cfg Config, maxAttempts int) (*s3.Client, *Server) {
	t.Helper()
	srv := New(cfg)
	if err := srv.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(hs.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   hs.Client(),
	}, func(o *s3.Options) {
		if maxAttempts > 0 {
			o.RetryMaxAttempts = maxAttempts
		}
	})
	return client, srv
}

func backends(t *testing.T) map[string]func() gofakes3.Backend {
	return map[string]func() gofakes3.Backend{
		"memory": func() gofakes3.Backend { return s3mem.New() },
		"folder": func() gofakes3.Backend {
			b, err := NewFolderBackend(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	}
}

func put(t *testing.T, c *s3.Client, key, body string) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func TestObjectCreatedEvents(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			var got events
			at := time.Date(2026, 5, 4, 9, 15, 2, 0, time.UTC)
			c, _ := start(t, Config{Backend: backend(), OnEvent: got.add, Now: func() time.Time { return at }}, 0)
			ctx := context.Background()

			put(t, c, "inbox/default/tickets.jsonl", "{\"a\":1}\n")
			if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/copy.jsonl"),
				CopySource: aws.String(bucket + "/inbox/default/tickets.jsonl")}); err != nil {
				t.Fatal(err)
			}
			multipartBody := multipart(t, c, "inbox/default/big.jsonl")
			// Requests that create nothing emit nothing.
			if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/copy.jsonl")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/copy.jsonl")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")}); err == nil {
				t.Fatal("put into a missing bucket succeeded")
			}

			evs := got.list()
			if len(evs) != 3 {
				t.Fatalf("got %d events, want 3: %s", len(evs), evs)
			}
			want := []struct {
				key, reason string
				size        int
			}{
				{"inbox/default/tickets.jsonl", "PutObject", 8},
				{"inbox/copy.jsonl", "CopyObject", 8},
				{"inbox/default/big.jsonl", "CompleteMultipartUpload", len(multipartBody)},
			}
			seq := ""
			for i, w := range want {
				var ev ObjectCreatedEvent
				if err := json.Unmarshal(evs[i], &ev); err != nil {
					t.Fatal(err)
				}
				d := ev.Detail
				if ev.Source != "aws.s3" || ev.DetailType != "Object Created" || ev.Version != "0" || ev.Time != "2026-05-04T09:15:02Z" ||
					ev.Region != DefaultRegion || ev.Account != DefaultAccount || !slices.Equal(ev.Resources, []string{"arn:aws:s3:::" + bucket}) {
					t.Errorf("event %d envelope %+v", i, ev)
				}
				if len(ev.ID) != 36 || ev.ID[14] != '4' {
					t.Errorf("event %d id %q is not a UUID v4", i, ev.ID)
				}
				if d.Bucket.Name != bucket || d.Object.Key != w.key || d.Object.Size != int64(w.size) || d.Reason != w.reason ||
					d.Version != "0" || d.Requester != DefaultAccount || d.SourceIPAddress != "127.0.0.1" || d.RequestID == "" {
					t.Errorf("event %d detail %+v, want key %s size %d reason %s", i, d, w.key, w.size, w.reason)
				}
				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.key)})
				if err == nil && strings.Trim(aws.ToString(head.ETag), `"`) != d.Object.ETag {
					t.Errorf("event %d etag %s, object etag %s", i, d.Object.ETag, aws.ToString(head.ETag))
				}
				if d.Object.Sequencer <= seq {
					t.Errorf("sequencer %s does not grow after %s", d.Object.Sequencer, seq)
				}
				seq = d.Object.Sequencer
			}
			if name == "memory" {
				checkFixture(t, "s3-object-created-put.json", evs[0])
				checkFixture(t, "s3-object-created-multipart.json", evs[2])
			}
		})
	}
}

// multipart uploads a two-part object and returns its body.
func multipart(t *testing.T, c *s3.Client, key string) []byte {
	t.Helper()
	ctx := context.Background()
	part1 := bytes.Repeat([]byte("x"), 5<<20)
	part2 := []byte("tail\n")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, body := range [][]byte{part1, part2} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	return append(part1, part2...)
}

// checkFixture compares an emitted event with its fixture in events/, the per-event values (id,
// request id) set to the fixture's. With -update it writes the fixture.
func checkFixture(t *testing.T, name string, event []byte) {
	t.Helper()
	var ev ObjectCreatedEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	ev.ID = "7f3c2a91-5d1e-4b8a-9c6f-2e4d8b1a0c37"
	ev.Detail.RequestID = "0000000000000001"
	ev.Detail.Object.Sequencer = "000000000000000001"
	want, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	path := filepath.Join("..", "..", "events", name)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/s3emu -run TestObjectCreatedEvents -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("event differs from fixture %s:\n%s\nwant\n%s", path, want, got)
	}
}

func TestListPaging(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c, _ := start(t, Config{Backend: backend()}, 0)
			var want []string
			for i := range 23 {
				key := fmt.Sprintf("runs/r1/c%05d/input.jsonl", i)
				put(t, c, key, "x")
				want = append(want, key)
			}
			put(t, c, "runs/r1-other", "x")
			put(t, c, "inbox/a.jsonl", "x")
			put(t, c, "runs/r1/chunks.json", "x")
			want = append(want, "runs/r1/chunks.json")
			slices.Sort(want)

			keys, pages := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("runs/r1/"), MaxKeys: aws.Int32(4)})
			if !slices.Equal(keys, want) {
				t.Fatalf("listed %d keys %v\nwant %d %v", len(keys), keys, len(want), want)
			}
			if pages != 6 {
				t.Errorf("listed in %d pages, want 6 pages of at most 4", pages)
			}

			// With a delimiter, common prefixes count toward the page size and are not repeated.
			prefixes, pages := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("runs/r1/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(5)})
			if len(prefixes) != 24 || pages != 5 || prefixes[0] != "runs/r1/c00000/" || prefixes[23] != "runs/r1/chunks.json" {
				t.Errorf("delimited listing gave %d entries in %d pages: %v", len(prefixes), pages, prefixes)
			}
			if len(slices.Compact(slices.Clone(prefixes))) != len(prefixes) {
				t.Errorf("delimited listing repeated an entry: %v", prefixes)
			}
		})
	}
}

// listAll pages through ListObjectsV2 with the SDK paginator, returning keys and common prefixes
// (sorted together) and the page count.
func listAll(t *testing.T, c *s3.Client, in *s3.ListObjectsV2Input) ([]string, int) {
	t.Helper()
	var out []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(page.Contents) + len(page.CommonPrefixes); n > int(*in.MaxKeys) {
			t.Fatalf("page %d holds %d entries, max %d", pages, n, *in.MaxKeys)
		}
		for _, o := range page.Contents {
			out = append(out, aws.ToString(o.Key))
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, aws.ToString(p.Prefix))
		}
	}
	slices.Sort(out)
	return out, pages
}

func TestS3Faults(t *testing.T) {
	t.Run("every request fails", func(t *testing.T) {
		c, _ := start(t, Config{Faults: faults.Spec{S3Error: 1, Seed: 1}}, 1)
		codes := map[string]int{}
		for i := range 20 {
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprint(i)), Body: strings.NewReader("x")})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an API error", err)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) {
				t.Fatalf("error %v has no status", err)
			}
			switch {
			case apiErr.ErrorCode() == "InternalError" && re.HTTPStatusCode() == http.StatusInternalServerError:
			case apiErr.ErrorCode() == "SlowDown" && re.HTTPStatusCode() == http.StatusServiceUnavailable:
			default:
				t.Fatalf("got %s with status %d", apiErr.ErrorCode(), re.HTTPStatusCode())
			}
			codes[apiErr.ErrorCode()]++
		}
		if codes["InternalError"] == 0 || codes["SlowDown"] == 0 {
			t.Errorf("codes %v, want both 500 and 503 among 20 requests", codes)
		}
	})
	t.Run("same seed fails the same requests", func(t *testing.T) {
		failures := func(seed int64) []int {
			c, _ := start(t, Config{Faults: faults.Spec{S3Error: 0.3, Seed: seed}}, 1)
			var failed []int
			for i := range 40 {
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprint(i)), Body: strings.NewReader("x")})
				if err != nil {
					failed = append(failed, i)
				}
			}
			return failed
		}
		a, b, other := failures(9), failures(9), failures(10)
		if len(a) == 0 || len(a) == 40 || !slices.Equal(a, b) || slices.Equal(a, other) {
			t.Errorf("seed 9 failed %v then %v; seed 10 failed %v", a, b, other)
		}
	})
	t.Run("SDK retries through a fraction", func(t *testing.T) {
		var got events
		c, _ := start(t, Config{Faults: faults.Spec{S3Error: 0.3, Seed: 4}, OnEvent: got.add}, 10)
		for i := range 20 {
			put(t, c, fmt.Sprintf("k%02d", i), "x")
		}
		keys, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(7)})
		if len(keys) != 20 || len(got.list()) != 20 {
			t.Fatalf("listed %d keys, %d events, want 20 of each", len(keys), len(got.list()))
		}
	})
	t.Run("no fault", func(t *testing.T) {
		c, _ := start(t, Config{}, 1)
		put(t, c, "k", "x")
	})
}

func TestFolderBackendOnDisk(t *testing.T) {
	dir := t.TempDir()
	b, err := NewFolderBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := start(t, Config{Backend: b}, 1)
	ctx := context.Background()
	put(t, c, "inbox/p/a.jsonl", "hello world\n")

	// The object is a plain file at its key.
	raw, err := os.ReadFile(filepath.Join(dir, bucket, "inbox", "p", "a.jsonl"))
	if err != nil || string(raw) != "hello world\n" {
		t.Fatalf("file content %q, %v", raw, err)
	}
	// A PUT object's stored ETag is the MD5 of its body.
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/p/a.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ETag) != `"6f5902ac237024bdd0c176cb93063dc4"` {
		t.Errorf("put object etag %s, want the md5 of its body", aws.ToString(head.ETag))
	}
	// A file dropped by hand is an object with a correct ETag.
	if err := os.WriteFile(filepath.Join(dir, bucket, "inbox", "p", "hand.jsonl"), []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/p/hand.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ETag) != `"900150983cd24fb0d6963f7d28e17f72"` || aws.ToInt64(head.ContentLength) != 3 {
		t.Errorf("hand-made object etag %s size %d", aws.ToString(head.ETag), aws.ToInt64(head.ContentLength))
	}
	// Ranges.
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/p/a.jsonl"), Range: aws.String("bytes=6-10")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "world" {
		t.Errorf("range read %q, want world", body)
	}
	// A missing key is NoSuchKey.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/none")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("missing key error %v, want NoSuchKey", err)
	}
	// Keys a folder cannot hold are refused with InvalidArgument.
	for _, key := range []string{"inbox/p/a.jsonl/below", "inbox/p", "dir/", "a/../b"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidArgument" {
			t.Errorf("put %q: %v, want InvalidArgument", key, err)
		}
	}
	// Delete removes the file and the folders left empty; the data survives a new backend.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/p/hand.jsonl")}); err != nil {
		t.Fatal(err)
	}
	b2, err := NewFolderBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := start(t, Config{Backend: b2}, 1)
	keys, _ := listAll(t, c2, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(10)})
	if !slices.Equal(keys, []string{"inbox/p/a.jsonl"}) {
		t.Errorf("after reopen listed %v", keys)
	}
	if _, err := c2.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("inbox/p/a.jsonl")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bucket, "inbox")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty folder left behind: %v", err)
	}
}

func TestEventKeyIsNotURLEncoded(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			var got events
			c, _ := start(t, Config{Backend: backend(), OnEvent: got.add}, 1)
			const key = "inbox/p 1/a+b%c=d.jsonl"
			put(t, c, key, "x")
			evs := got.list()
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			var ev ObjectCreatedEvent
			if err := json.Unmarshal(evs[0], &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Detail.Object.Key != key {
				t.Errorf("event key %q, want %q", ev.Detail.Object.Key, key)
			}
			keys, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(10)})
			if !slices.Equal(keys, []string{key}) {
				t.Errorf("listed %q", keys)
			}
		})
	}
}

func TestCreateBucketIdempotent(t *testing.T) {
	srv := New(Config{})
	for range 2 {
		if err := srv.CreateBucket("b-1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.CreateBucket("Bad_Name"); err == nil {
		t.Error("invalid bucket name accepted")
	}
}
