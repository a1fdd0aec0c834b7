package bedrockemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestInputStreamsThroughTheLineBuffer runs jobs whose input lines straddle the read buffer or
// outgrow it: every record is echoed exactly, and a bad line past the first buffer is reported
// with its line number.
func TestInputStreamsThroughTheLineBuffer(t *testing.T) {
	long := func(id string, n int) string {
		return fmt.Sprintf(`{"recordId":%q,"modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":8,"messages":[{"role":"user","content":"%s"}]}}`, id, strings.Repeat("z", n))
	}
	tests := []struct {
		name  string
		lines []string
	}{
		{"lines straddle the buffer", func() []string {
			var l []string
			for i := range 150 { // about 1.5 buffers of 10 KB lines
				l = append(l, long(fmt.Sprintf("s%03d", i), 10<<10))
			}
			return l
		}()},
		{"lines longer than the buffer", func() []string {
			var l []string
			for i := range 100 {
				n := 100
				if i%40 == 1 {
					n = lineBuffer*2 + 12345
				}
				l = append(l, long(fmt.Sprintf("l%03d", i), n))
			}
			return l
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.put(t, "in/big.jsonl", strings.Join(tt.lines, "\n")) // no newline after the last line
			arn := h.create(t, createInput("big", "in/big.jsonl", "out/"))
			h.wait(t)
			if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusCompleted {
				t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
			}
			out := h.get(t, "out/"+jobID(arn)+"/big.jsonl.out")
			want := map[string]string{}
			for _, l := range tt.lines {
				var rec struct {
					RecordID   string          `json:"recordId"`
					ModelInput json.RawMessage `json:"modelInput"`
				}
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatal(err)
				}
				want[rec.RecordID] = string(rec.ModelInput)
			}
			lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
			if len(lines) != len(want) {
				t.Fatalf("%d output lines, want %d", len(lines), len(want))
			}
			for _, l := range lines {
				var rec struct {
					RecordID   string          `json:"recordId"`
					ModelInput json.RawMessage `json:"modelInput"`
				}
				if err := json.Unmarshal(l, &rec); err != nil {
					t.Fatalf("output line: %v", err)
				}
				if w, ok := want[rec.RecordID]; !ok || w != string(rec.ModelInput) {
					t.Fatalf("record %q echoes a modelInput of %d bytes, want %d", rec.RecordID, len(rec.ModelInput), len(w))
				}
				delete(want, rec.RecordID)
			}
		})
	}

	t.Run("bad line after a long one", func(t *testing.T) {
		h := newHarness(t, nil)
		lines := []string{long("a", lineBuffer+10), long("b", 10), `{"recordId":"c"}`}
		h.put(t, "in/bad.jsonl", strings.Join(lines, "\n")+"\n")
		arn := h.create(t, createInput("bad", "in/bad.jsonl", "out/"))
		h.wait(t)
		j := h.job(t, arn)
		if want := "has an invalid record at line 3: required key modelInput not found"; j.Status != types.ModelInvocationJobStatusFailed || !strings.Contains(aws.ToString(j.Message), want) {
			t.Fatalf("job ended %s: %q, want Failed with %q", j.Status, aws.ToString(j.Message), want)
		}
	})
}

// TestOutputPayloadIsNotHashed gives the emulator an S3 client that computes request checksums
// (the SDK default) and checks, right after the SDK's checksum middleware, that every output
// PutObject already carries UNSIGNED-PAYLOAD: the SDK then computes only the CRC32, which is
// sent, and never SHA-256-hashes the body.
func TestOutputPayloadIsNotHashed(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // object key -> payload hash after the checksum middleware, and the CRC32 header
	probe := middleware.FinalizeMiddlewareFunc("PayloadHashProbe", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok && req.Method == "PUT" {
			mu.Lock()
			seen[req.URL.Path] = v4.GetPayloadHash(ctx) + " crc32=" + req.Header.Get("X-Amz-Checksum-Crc32")
			mu.Unlock()
		}
		return next.HandleFinalize(ctx, in)
	})
	h := newHarness(t, func(c *Config) {
		c.S3 = s3.New(c.S3.(*s3.Client).Options(), func(o *s3.Options) {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
			o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
				const checksum = "AWSChecksum:ComputeInputPayloadChecksum"
				if _, ok := s.Finalize.Get(checksum); !ok {
					return nil // an operation without a request body
				}
				return s.Finalize.Insert(probe, checksum, middleware.After)
			})
		})
	})
	h.putRecords(t, "in/tickets.jsonl", 120)
	arn := h.create(t, createInput("unsigned", "in/tickets.jsonl", "out/"))
	h.wait(t)
	if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("job ended %s: %s", j.Status, aws.ToString(j.Message))
	}
	prefix := "/" + testBucket + "/out/" + jobID(arn) + "/"
	for _, name := range []string{"tickets.jsonl.out", "manifest.json.out"} {
		mu.Lock()
		got, ok := seen[prefix+name]
		mu.Unlock()
		hash, crc, _ := strings.Cut(got, " crc32=")
		if !ok || hash != "UNSIGNED-PAYLOAD" || crc == "" {
			t.Fatalf("PutObject %s: payload hash %q after the checksum middleware, CRC32 %q; want UNSIGNED-PAYLOAD and a CRC32", name, hash, crc)
		}
	}
}
