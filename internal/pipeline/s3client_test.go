package pipeline

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
)

// payloadHashes records the SigV4 payload hash header of every request, by method and path.
type payloadHashes struct {
	mu     sync.Mutex
	byCall map[string]string
	next   http.RoundTripper
}

func (p *payloadHashes) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.byCall[req.Method+" "+req.URL.Path] = req.Header.Get("X-Amz-Content-Sha256") + " crc32=" + req.Header.Get("X-Amz-Checksum-Crc32")
	p.mu.Unlock()
	return p.next.RoundTrip(req)
}

func startEmulator(tb testing.TB) *emulate.Emulator {
	tb.Helper()
	emu, err := emulate.Start(emulate.Config{DataDir: tb.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emu.Close)
	return emu
}

func TestS3ClientSendsUnsignedPayloads(t *testing.T) {
	emu := startEmulator(t)
	rec := &payloadHashes{byCall: map[string]string{}, next: &http.Transport{}}
	client := S3Client(emu, func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: rec} })
	ctx := context.Background()

	small := bytes.Repeat([]byte("small object\n"), 1000)
	large := bytes.Repeat([]byte("0123456789abcdef"), 11<<20/16) // three 5 MiB parts
	tests := []struct {
		name string
		key  string
		body []byte
		put  func(key string, body []byte) error
		call string // the call that carries the body
		crc  bool   // whether that call carries a CRC32 checksum (the store asks for one)
	}{
		{"PutObject", "put/small.jsonl", small, func(key string, body []byte) error {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
			return err
		}, "PUT /" + emu.Bucket + "/put/small.jsonl", false},
		{"multipart through the store", "multipart/large.jsonl", large, func(key string, body []byte) error {
			store := s3store.New(client, emu.Bucket, s3store.WithPartSize(5<<20), s3store.WithMultipartThreshold(5<<20))
			return store.Put(ctx, key, bytes.NewReader(body))
		}, "PUT /" + emu.Bucket + "/multipart/large.jsonl", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.put(tt.key, tt.body); err != nil {
				t.Fatalf("put %s: %v", tt.key, err)
			}
			rec.mu.Lock()
			sent, ok := rec.byCall[tt.call]
			rec.mu.Unlock()
			hash, crc, _ := strings.Cut(sent, " crc32=")
			if !ok || hash != "UNSIGNED-PAYLOAD" {
				t.Errorf("%s: X-Amz-Content-Sha256 %q (sent %t), want UNSIGNED-PAYLOAD", tt.call, hash, ok)
			}
			if (crc != "") != tt.crc {
				t.Errorf("%s: X-Amz-Checksum-Crc32 %q, want one: %t", tt.call, crc, tt.crc)
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(tt.key)})
			if err != nil {
				t.Fatalf("get %s: %v", tt.key, err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Fatalf("read %s: %v", tt.key, err)
			}
			if !bytes.Equal(got, tt.body) {
				t.Fatalf("%s: read back %d bytes that differ from the %d put", tt.key, len(got), len(tt.body))
			}
		})
	}
	// The ETag of a single PUT is still the MD5 of the body: run ids depend on it.
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String("put/small.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(small)
	if want := `"` + hex.EncodeToString(sum[:]) + `"`; aws.ToString(head.ETag) != want {
		t.Errorf("ETag = %s, want %s", aws.ToString(head.ETag), want)
	}
}

// BenchmarkS3Put uploads one 64 MiB object as the run's drop does (PutObject) and as the
// handlers do (the store: a multipart upload), with the SDK's signing over plain HTTP
// (sdk-default: the body hashed for the signature) and with the pipeline's client.
func BenchmarkS3Put(b *testing.B) {
	emu := startEmulator(b)
	ctx := context.Background()
	body := bytes.Repeat([]byte(`{"recordId":"r","modelInput":{"messages":[{"role":"user","content":"hello"}]}}`+"\n"), 64<<20/78)
	clients := []struct {
		name   string
		client *s3.Client
	}{
		{"sdk-default", emu.S3Client()},
		{"pipeline", S3Client(emu)},
	}
	for _, c := range clients {
		store := s3store.New(c.client, emu.Bucket)
		ops := []struct {
			name string
			put  func(key string) error
		}{
			{"PutObject", func(key string) error {
				_, err := c.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
				return err
			}},
			{"store", func(key string) error { return store.Put(ctx, key, bytes.NewReader(body)) }},
		}
		for _, op := range ops {
			b.Run(op.name+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				start := processCPU(b)
				for i := 0; b.Loop(); i++ {
					if err := op.put(fmt.Sprintf("bench/%s-%s-%d.jsonl", op.name, c.name, i%4)); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time, client and emulator together, varies less than wall time on a busy machine.
				b.ReportMetric(float64(processCPU(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// processCPU is the user and system CPU time the process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
