package s3emu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestMultipartUpload uploads through the SDK's transfer manager (three parts) on both backends
// and reads the object back.
func TestMultipartUpload(t *testing.T) {
	for name, backend := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c, _ := start(t, Config{Backend: backend()}, 1)
			ctx := context.Background()
			body := make([]byte, 13<<20)
			for i := range body {
				body[i] = byte('a' + i%26)
			}
			tm := transfermanager.New(c, func(o *transfermanager.Options) { o.PartSizeBytes, o.MultipartUploadThreshold = 5<<20, 5<<20 })
			out, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/object.jsonl"), Body: bytes.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			if etag := aws.ToString(out.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-3") {
				t.Errorf("complete etag %s, want a three-part multipart etag", etag)
			}
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big/object.jsonl")})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil || !bytes.Equal(raw, body) || aws.ToInt64(got.ContentLength) != int64(len(body)) {
				t.Fatalf("read back %d bytes (length %d), %v; want the %d uploaded", len(raw), aws.ToInt64(got.ContentLength), err, len(body))
			}
		})
	}
}

// TestFolderMultipartLifecycle covers the folder backend's multipart operations one by one: list
// uploads and parts, a part uploaded twice, completion checks, abort, and nothing left behind.
func TestFolderMultipartLifecycle(t *testing.T) {
	dir := t.TempDir()
	b, err := NewFolderBackend(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := start(t, Config{Backend: b}, 1)
	ctx := context.Background()
	create := func(key string) *string {
		t.Helper()
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return up.UploadId
	}
	uploadPart := func(key string, id *string, n int32, body string) *string {
		t.Helper()
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id, PartNumber: aws.Int32(n), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ETag
	}
	complete := func(key string, id *string, parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}

	a := create("runs/a.jsonl")
	gone := create("runs/gone.jsonl")
	create("other/b.jsonl")
	list, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("runs/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Uploads) != 2 || aws.ToString(list.Uploads[0].Key) != "runs/a.jsonl" || aws.ToString(list.Uploads[1].Key) != "runs/gone.jsonl" {
		t.Fatalf("uploads under runs/: %+v", list.Uploads)
	}

	uploadPart("runs/a.jsonl", a, 1, "first try\n")
	e1 := uploadPart("runs/a.jsonl", a, 1, "part one\n")
	e2 := uploadPart("runs/a.jsonl", a, 2, "part two\n")
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("runs/a.jsonl"), UploadId: a})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 2 || aws.ToInt64(parts.Parts[0].Size) != int64(len("part one\n")) || aws.ToString(parts.Parts[1].ETag) != aws.ToString(e2) {
		t.Fatalf("parts: %+v", parts.Parts)
	}

	if _, err := complete("runs/a.jsonl", a, types.CompletedPart{PartNumber: aws.Int32(1), ETag: e2}); code(err) != "InvalidPart" {
		t.Errorf("complete with another part's etag: %v, want InvalidPart", err)
	}
	if _, err := complete("runs/a.jsonl", a, types.CompletedPart{PartNumber: aws.Int32(3), ETag: e2}); code(err) != "InvalidPart" {
		t.Errorf("complete with a part never uploaded: %v, want InvalidPart", err)
	}
	if _, err := complete("runs/other.jsonl", a, types.CompletedPart{PartNumber: aws.Int32(1), ETag: e1}); code(err) != "NoSuchUpload" {
		t.Errorf("complete under another key: %v, want NoSuchUpload", err)
	}
	out, err := complete("runs/a.jsonl", a, types.CompletedPart{PartNumber: aws.Int32(1), ETag: e1}, types.CompletedPart{PartNumber: aws.Int32(2), ETag: e2})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, bucket, "runs", "a.jsonl"))
	if err != nil || string(raw) != "part one\npart two\n" {
		t.Fatalf("completed object %q, %v", raw, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("runs/a.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(strings.Trim(aws.ToString(out.ETag), `"`), "-2"); strings.Trim(aws.ToString(head.ETag), `"`) != want {
		t.Errorf("head etag %s, complete etag %s: want the same digest", aws.ToString(head.ETag), aws.ToString(out.ETag))
	}

	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("runs/gone.jsonl"), UploadId: gone}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("runs/gone.jsonl"), UploadId: gone, PartNumber: aws.Int32(1), Body: strings.NewReader("x")}); code(err) != "NoSuchUpload" {
		t.Errorf("upload to an aborted upload: %v, want NoSuchUpload", err)
	}
	list, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Uploads) != 1 || aws.ToString(list.Uploads[0].Key) != "other/b.jsonl" {
		t.Errorf("uploads left: %+v", list.Uploads)
	}
	for _, sub := range []string{"tmp", "uploads/" + aws.ToString(a), "uploads/" + aws.ToString(gone)} {
		entries, _ := os.ReadDir(filepath.Join(dir, stateDir, sub))
		if len(entries) != 0 {
			t.Errorf("%s holds %d files after completion and abort", sub, len(entries))
		}
	}
}
