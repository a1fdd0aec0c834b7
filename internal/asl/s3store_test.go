package asl

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// A Distributed Map reading its items from and writing its results to S3 (gofakes3 over HTTP)
// through the real S3 client.
func TestS3StoreDistributedMap(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	client := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	store := S3Store{Client: client}
	if err := store.PutObject(ctx, "bkt", "in/items.json", []byte(`[{"k":"a"},{"k":"b"},{"k":"c"}]`)); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"bkt","Key":"in/items.json"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"bkt","Prefix":"out"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.k","End":true}}},"End":true}}}`
	s, x := runDef(t, Config{Objects: store}, def, `{}`)
	if s.Status != StatusSucceeded {
		t.Fatalf("%s %s %s\n%s", s.Status, s.Error, s.Cause, trace(x))
	}
	var out struct{ ResultWriterDetails struct{ Bucket, Key string } }
	if err := json.Unmarshal([]byte(s.Output), &out); err != nil {
		t.Fatal(err)
	}
	body, err := store.GetObject(ctx, out.ResultWriterDetails.Bucket, out.ResultWriterDetails.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	manifest, _ := io.ReadAll(body)
	if !strings.Contains(string(manifest), "SUCCEEDED_0.json") {
		t.Errorf("manifest %s", manifest)
	}
	if _, err := store.GetObject(ctx, "bkt", "missing"); err == nil || !strings.Contains(err.Error(), "s3://bkt/missing") {
		t.Errorf("missing object error %v", err)
	}
}
