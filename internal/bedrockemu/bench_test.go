package bedrockemu

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// benchLine is one Claude record of about 1.3 KB, like the generated datasets of
// scripts/gendata: a system prompt and a user text with escapes and non-ASCII runes.
func benchLine(i int) string {
	text := fmt.Sprintf("Ticket %d: ", i) + strings.Repeat(`the parcel arrived late \u6771京 «très» \"quoted\" 📦 refund \n`, 20)
	return fmt.Sprintf(`{"recordId":"tkt-%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"system":"Translate the message to English and rate its urgency 1-5.","messages":[{"role":"user","content":[{"type":"text","text":"%s"}]}]}}`, i, text)
}

// peakHeap samples the live heap every millisecond until stop is called, and returns the
// largest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkJob50k runs one 50,000-record Claude job from Create to Completed at JobDuration 0
// against the in-memory gofakes3, and reports the peak live heap (input and output objects
// held by gofakes3 included).
func BenchmarkJob50k(b *testing.B) {
	const n = 50000
	h := newHarness(b, nil)
	var body strings.Builder
	for i := range n {
		body.WriteString(benchLine(i) + "\n")
	}
	ctx := context.Background()
	if _, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("in/big.jsonl"), Body: strings.NewReader(body.String())}); err != nil {
		b.Fatalf("put input: %v", err)
	}
	b.SetBytes(int64(body.Len()))
	body.Reset()
	runtime.GC()
	b.ReportAllocs()
	var peak uint64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		stop := peakHeap()
		in := createInput(fmt.Sprintf("big-%d", i), "in/big.jsonl", "out/")
		out, err := h.bedrock.CreateModelInvocationJob(ctx, in)
		if err != nil {
			b.Fatalf("create: %v", err)
		}
		h.wait(b)
		peak = max(peak, stop())
		b.StopTimer()
		j := h.job(b, aws.ToString(out.JobArn))
		if j.Status != types.ModelInvocationJobStatusCompleted || aws.ToInt64(j.SuccessRecordCount) != n {
			b.Fatalf("job ended %s with %d successes (%s)", j.Status, aws.ToInt64(j.SuccessRecordCount), aws.ToString(j.Message))
		}
		prefix := "out/" + jobID(aws.ToString(out.JobArn)) + "/"
		for _, k := range h.list(b, prefix) {
			if _, err := h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String(k)}); err != nil {
				b.Fatalf("delete %s: %v", k, err)
			}
		}
		runtime.GC()
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkParseRecord compares the one-pass parse of an input line with encoding/json's.
func BenchmarkParseRecord(b *testing.B) {
	e, err := New(Config{S3: nopS3{}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	line := []byte(benchLine(7) + "\n")
	for _, bb := range []struct {
		name  string
		parse func([]byte, string, int) (record, string)
	}{{"scan", e.parseRecord}, {"encoding-json", e.parseRecordSlow}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, reason := bb.parse(line, "in/a.jsonl", 1); reason != "" {
					b.Fatal(reason)
				}
			}
		})
	}
}
