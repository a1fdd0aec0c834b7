package reconcile_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/dirstore"
	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
)

// words gives the generated prompts varied text with unicode and JSON escapes.
var words = []string{"parcel", "arrived", "late", "refund", "naïve", "café", "日本語", "émoji 🚚", "\\\"quoted\\\"",
	"line\\nbreak", "tab\\t", "order", "#48213", "customer", "support", "ticket", "😀", "Grüße", "price", "€12.50"}

func prompt(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()
}

// writeBenchJob writes a 50,000-record Claude chunk (about 1.2 KB of prompt per record) and its
// outputs: shuffled, 1% errors, 0.5% missing, 0.2% duplicated, one unexpected line.
func writeBenchJob(b *testing.B, s *dirstore.Store, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	var in, side, out strings.Builder
	order := r.Perm(n)
	inputs := make([]string, n)
	for i := range n {
		id := strconv.FormatUint(uint64(i+1), 36)
		inputs[i] = fmt.Sprintf(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"system":"Classify the ticket.","messages":[{"role":"user","content":[{"type":"text","text":"%s"}]}]}`, prompt(r, 1100))
		fmt.Fprintf(&in, `{"recordId":%q,"modelInput":%s}`+"\n", id, inputs[i])
		fmt.Fprintf(&side, `{"id":%q,"recordId":"ticket-%06d","line":%d,"source":0}`+"\n", id, i+1, i+1)
	}
	for _, i := range order {
		id := strconv.FormatUint(uint64(i+1), 36)
		switch {
		case i%200 == 7:
			continue
		case i%100 == 3:
			fmt.Fprintf(&out, `{"recordId":%q,"modelInput":%s,"error":{"errorCode":429,"errorMessage":"Too many requests, please wait before trying again."}}`+"\n", id, inputs[i])
			continue
		}
		line := fmt.Sprintf(`{"recordId":%q,"modelInput":%s,"modelOutput":{"id":"msg_bdrk_%08d","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":%d,"output_tokens":%d}}}`+"\n",
			id, inputs[i], i, prompt(r, 300), 280+r.IntN(40), 60+r.IntN(60))
		out.WriteString(line)
		if i%500 == 11 {
			out.WriteString(line)
		}
	}
	out.WriteString(`{"recordId":"zzzzzz","modelOutput":{}}` + "\n")
	put(b, s, chunkPrefix+reconcile.InputFile, in.String())
	put(b, s, chunkPrefix+reconcile.RecordsFile, side.String())
	put(b, s, outPrefix+"input.jsonl.out", out.String())
	put(b, s, outPrefix+reconcile.ManifestFile, fmt.Sprintf(`{"totalRecordCount":%d}`, n))
}

// heapPeak samples the live heap until stopped and reports the highest value seen.
type heapPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	peak atomic.Uint64
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// cpuTime is the user plus system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := heapBytes(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak.Load()
}

// BenchmarkReconcile50k joins a 50,000-record job's outputs to its chunk, writing every answer
// line and retry line through a buffered writer. Besides ns/op and B/op (-benchmem) it reports
// the peak live heap above the baseline (peak-heap-MB, sampled every millisecond) and the
// process CPU time per join (cpu-ms/op), which unlike ns/op does not grow when other processes
// share the cores.
//
//	go test -run '^$' -bench Reconcile50k -benchmem ./internal/reconcile/
func BenchmarkReconcile50k(b *testing.B) {
	const n = 50000
	store := dirstore.New(b.TempDir())
	writeBenchJob(b, store, n)
	job := reconcile.Job{ChunkPrefix: chunkPrefix, OutputPrefix: outPrefix, Status: reconcile.StatusCompleted, Family: model.Claude}
	runtime.GC()
	base := heapBytes()
	peak := startHeapPeak()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		w := bufio.NewWriterSize(io.Discard, 1<<20)
		sum, err := reconcile.Reconcile(context.Background(), store, job, func(r *reconcile.Record) error {
			w.WriteString(r.RecordID)
			if r.Outcome == reconcile.Succeeded {
				w.Write(r.ModelOutput)
			} else {
				w.Write(r.ModelInput)
			}
			return w.WriteByte('\n')
		})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Records != n || sum.Missing != 250 || sum.FailedRetryable != 500 || sum.Unexpected != 1 {
			b.Fatalf("unexpected summary %+v", sum)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	p := peak.Stop()
	if p > base {
		b.ReportMetric(float64(p-base)/(1<<20), "peak-heap-MB")
	}
}
